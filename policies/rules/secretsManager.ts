// Production invariant of Secrets Manager: a deleted secret can be restored for a while.
import { productionRule } from "../rule";

const SECRET = "aws:secretsmanager/secret:Secret";

export const recoveryWindow = productionRule(SECRET, {
  name: "secrets-recovery-window",
  description: "A deleted production secret can be restored for at least a week",
  reads: ["recoveryWindowInDays"],
  required: ">= 7 days (unset means AWS's 30; 0 deletes at once)",
  anchors: [],
  config: { minimumDays: { type: "integer", default: 7, minimum: 7, maximum: 30 } },
  check(props, { config }) {
    const given = props.recoveryWindowInDays;
    if (given === undefined) return [];
    const days = Number(given);
    if (days >= config.minimumDays) return [];
    const consequence = days === 0 ? "deleting the secret destroys it at once, with no way back" : "a deleted secret is gone sooner than that";
    return [`recoveryWindowInDays is ${given}: ${consequence}; production keeps a deleted secret restorable for at least ${config.minimumDays} days`];
  },
});
