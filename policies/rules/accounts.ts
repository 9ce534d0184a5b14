// Production in an AWS account of its own. The program declares what the stack file says of
// its account (stacks/accountDeclaration.ts), since the pack sees no stack file; sharing the
// account with a non-production stack is refused by `npm run stacks` and the plan unless the
// production file says so, and then reported here on every preview and update.
import { ResourceRule, isTrue } from "../rule";

const ACCOUNT = "trading-bot:stack:Account";

export const accountNotShared: ResourceRule = {
  kind: "resource",
  name: "account-not-shared-with-non-production",
  description: "A production stack has an AWS account of its own, not shared with a non-production stack",
  scope: "production",
  enforcementLevel: "advisory",
  reads: { [ACCOUNT]: ["sharedWithNonProduction"] },
  required: "sharedWithNonProduction false (trading-bot:accounts)",
  anchors: [],
  check(props) {
    if (!isTrue(props.sharedWithNonProduction)) return [];
    return [
      "the stack file says trading-bot:accounts.sharedWithNonProduction: true: a non-production stack shares production's AWS account, " +
        "so whatever can deploy or run there (its roles, a pull request's preview) is one IAM policy away from production's secrets and data",
    ];
  },
};
