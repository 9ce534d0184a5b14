// In-process tests of the Secrets Manager rule.
import * as secrets from "../../policies/rules/secretsManager";
import { describeResourceRule } from "./harness";

const tooShort = (days: unknown, minimum = 7) =>
  [`recoveryWindowInDays is ${days}: a deleted secret is gone sooner than that; production keeps a deleted secret restorable for at least ${minimum} days`];

describe("Secrets Manager rules, in-process", () => {
  describeResourceRule(secrets.recoveryWindow, {
    cases: [
      { what: "7 days", props: { recoveryWindowInDays: 7 }, expect: [] },
      { what: "30 days", props: { recoveryWindowInDays: 30 }, expect: [] },
      { what: "unset (AWS's 30 days)", props: {}, expect: [] },
      { what: "6 days", props: { recoveryWindowInDays: 6 }, expect: tooShort(6) },
      { what: "0 days (deleted at once)", props: { recoveryWindowInDays: 0 },
        expect: ["recoveryWindowInDays is 0: deleting the secret destroys it at once, with no way back; production keeps a deleted secret restorable for at least 7 days"] },
      { what: 'a number given as text ("30")', props: { recoveryWindowInDays: "30" }, expect: [] },
      { what: 'a number given as text ("6")', props: { recoveryWindowInDays: "6" }, expect: tooShort("6") },
      { what: "text that is not a number", props: { recoveryWindowInDays: "thirty" }, expect: tooShort("thirty") },
      { what: "13 days when 14 are configured", props: { recoveryWindowInDays: 13 }, config: { minimumDays: 14 }, expect: tooShort(13, 14) },
      { what: "14 days when 14 are configured", props: { recoveryWindowInDays: 14 }, config: { minimumDays: 14 }, expect: [] },
    ],
    unknown: [{ path: "recoveryWindowInDays", props: { recoveryWindowInDays: 30 } }],
  });
});
