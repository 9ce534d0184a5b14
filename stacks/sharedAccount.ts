// Production in an AWS account of its own. A non-production stack in production's account
// reaches production through the account (one IAM, one set of service quotas, one bill, roles
// that can read anything the account holds): `npm run stacks`, the plan and CI refuse it,
// unless the production stack's file says it knowingly shares (the policy pack then reports
// it). Pure: the callers read the stack files.

/** What a stack file says of its account. */
export interface StackAccount {
  stack: string;
  production: boolean;
  /** `aws:allowedAccountIds`, or null when the file names none. */
  accountId: string | null;
  /** `trading-bot:accounts.sharedWithNonProduction` (a production stack's file). */
  sharedWithNonProduction: boolean;
}

/**
 * One line when a production stack shares its account with a non-production stack and its
 * file does not say so; undefined otherwise. A stack that names no account cannot be judged
 * (a production one is refused by the stack config check).
 */
export function sharedAccountProblem(stacks: StackAccount[]): string | undefined {
  for (const production of stacks.filter((s) => s.production && s.accountId !== null && !s.sharedWithNonProduction)) {
    const others = stacks.filter((s) => !s.production && s.accountId === production.accountId).map((s) => s.stack);
    if (others.length === 0) continue;
    return (
      `Pulumi.${production.stack}.yaml: the production stack ${production.stack} shares the AWS account ${production.accountId} ` +
      `(aws:allowedAccountIds) with ${others.sort().join(", ")}; give production an account of its own, or set ` +
      `trading-bot:accounts.sharedWithNonProduction: true in Pulumi.${production.stack}.yaml (docs/ci-and-trust.md: "One account or two")`
    );
  }
  return undefined;
}
