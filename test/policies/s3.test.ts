// In-process tests of the S3 bucket rule.
import * as bucket from "../../policies/rules/s3Bucket";
import { describeResourceRule } from "./harness";

const forceDestroy = "forceDestroy is true; pulumi destroy would delete every version of the production objects";

describe("S3 rules, in-process", () => {
  describeResourceRule(bucket.noForceDestroy, {
    cases: [
      { what: "forceDestroy false", props: { forceDestroy: false }, expect: [] },
      { what: "forceDestroy unset", props: {}, expect: [] },
      { what: "forceDestroy true", props: { forceDestroy: true }, expect: [forceDestroy] },
      { what: 'forceDestroy "true"', props: { forceDestroy: "true" }, expect: [forceDestroy] },
    ],
    unknown: [{ path: "forceDestroy", props: { forceDestroy: false } }],
  });
});
