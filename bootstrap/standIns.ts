// What a fresh clone lacks to run a bootstrap stack offline (tests, the offline plan): the
// Pulumi tokens are secrets set per machine, so stand-ins take their place.
import type { StackFile } from "../tools/engine/stackFile";
import { bootstrapProject, pulumiTokenKey } from "./config";
import { environmentRules } from "./trust";

/** A reviewer's stand-in id, offline only: the committed file names none, and pulumi up refuses that. */
export const standInReviewerId = 4242424242;

/**
 * The stack file with a stand-in token for each environment when it sets none, and a
 * stand-in production reviewer when its GitHub settings name none.
 */
export function withStandIns(file: StackFile): StackFile {
  const tokenKey = `${bootstrapProject}:${pulumiTokenKey}`;
  const config = { ...file.config };
  const secretKeys = [...file.secretKeys];
  if (!(tokenKey in config)) {
    config[tokenKey] = JSON.stringify(Object.fromEntries(environmentRules.map((rule) => [rule.name, `stand-in-pulumi-token-${rule.name}`])));
    secretKeys.push(tokenKey);
  }
  const githubKey = `${bootstrapProject}:github`;
  if (config[githubKey] !== undefined) {
    const github = JSON.parse(config[githubKey]) as { productionReviewers?: { teams?: number[]; users?: number[] } };
    const reviewers = github.productionReviewers ?? {};
    if ((reviewers.teams ?? []).length + (reviewers.users ?? []).length === 0) {
      config[githubKey] = JSON.stringify({ ...github, productionReviewers: { ...reviewers, users: [standInReviewerId] } });
    }
  }
  return { ...file, config, secretKeys };
}

/** The other account's stack as the GitHub-owning stack reads it, from that stack's own run under mocks. */
export function otherAccountReference(settingsStack: string, outputs: Record<string, unknown>): Record<string, { outputs: Record<string, unknown> }> {
  return { [settingsStack]: { outputs } };
}
