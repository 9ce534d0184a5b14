// Production invariant of the config bucket: its versions survive a destroy.
import { isTrue, productionRule } from "../rule";

const BUCKET = "aws:s3/bucket:Bucket";

export const noForceDestroy = productionRule(BUCKET, {
  name: "s3-bucket-no-force-destroy",
  description: "Deleting a production bucket never deletes its objects with it",
  reads: ["forceDestroy"],
  required: "false or unset",
  anchors: [],
  check(props) {
    if (!isTrue(props.forceDestroy)) return [];
    return ["forceDestroy is true; pulumi destroy would delete every version of the production objects"];
  },
});
