// Whose code a plan runs: this checkout's program, config schema and policy pack, or (for
// --base) a transpiled copy of the base commit's, run with this checkout's node_modules.
import * as path from "node:path";
import { parseStackConfig } from "../../stacks/config";

/** The Pulumi program the plan runs. */
export type Program = () => unknown;

export interface ProjectCode {
  /** Validates a stack's config: stacks/config.ts's parseStackConfig, of this code. */
  parseStackConfig: typeof parseStackConfig;
  /** The program, loaded on demand (it loads the Pulumi SDKs). */
  loadProgram(): Promise<Program>;
  /** The policy pack's folder. */
  packDirectory: string;
}

/** This checkout's code: the TypeScript sources, or their JavaScript copy when run through tools/launch.js. */
export const thisCheckout: ProjectCode = {
  parseStackConfig,
  loadProgram: async () => (await import("../../stacks/program")).tradingBotProgram,
  packDirectory: path.resolve(__dirname, "..", "..", "policies"),
};

/** The node_modules folder the plan runs with (the one holding @pulumi/pulumi). */
export function nodeModulesFolder(): string {
  return path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "..", "..");
}

/** The lock file of those node_modules. */
export function installedLockFile(): string {
  return path.join(path.dirname(nodeModulesFolder()), "package-lock.json");
}
