// What the stack file says of its AWS account, declared to the policy pack: the pack sees
// resources, never stack files or the provider's config, so the program hands it this
// component (no children, nothing in AWS) whose inputs are those facts.
import * as pulumi from "@pulumi/pulumi";

/** The type token the policy pack reads (policies/rules/accounts.ts). */
export const accountDeclarationType = "trading-bot:stack:Account";

export interface AccountDeclarationArgs {
  /** `aws:allowedAccountIds`: the one account the stack deploys into, or empty when its file names none. */
  allowedAccountIds: string[];
  /** `trading-bot:accounts.sharedWithNonProduction`. */
  sharedWithNonProduction: boolean;
}

export class AccountDeclaration extends pulumi.ComponentResource {
  constructor(name: string, args: AccountDeclarationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(accountDeclarationType, name, args, opts);
    this.registerOutputs({});
  }
}
