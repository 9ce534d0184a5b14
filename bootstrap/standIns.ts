// What a fresh clone lacks to run a bootstrap stack offline (tests, the offline plan): the
// Pulumi tokens are secrets set per machine, so stand-ins take their place.
import type { StackFile } from "../tools/engine/stackFile";
import { bootstrapProject, pulumiTokenKey } from "./config";
import { environmentRules } from "./trust";

/** The stack file with a stand-in token for each environment when it sets none. */
export function withStandInTokens(file: StackFile): StackFile {
  const key = `${bootstrapProject}:${pulumiTokenKey}`;
  if (key in file.config) return file;
  const tokens = Object.fromEntries(environmentRules.map((rule) => [rule.name, `stand-in-pulumi-token-${rule.name}`]));
  return { ...file, config: { ...file.config, [key]: JSON.stringify(tokens) }, secretKeys: [...file.secretKeys, key] };
}

/** The other account's stack as the GitHub-owning stack reads it, from that stack's own run under mocks. */
export function otherAccountReference(settingsStack: string, outputs: Record<string, unknown>): Record<string, { outputs: Record<string, unknown> }> {
  return { [settingsStack]: { outputs } };
}
