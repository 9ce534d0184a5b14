// The committed bootstrap stacks run under mocks once per test process, shared by every test
// file that reads them: nonprod first, then prod with nonprod's outputs behind its StackReference.
import * as path from "node:path";
import { bootstrapProgram } from "../bootstrap/program";
import { otherAccountReference, withStandIns } from "../bootstrap/standIns";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult } from "../tools/engine/resource";
import { readProgramConfig } from "../tools/engine/stackFile";
import { repoRoot } from "./helpers";

export const bootstrapFolder = path.join(repoRoot, "bootstrap");

let shared: Promise<{ nonprod: MockRunResult; prod: MockRunResult }> | undefined;

export function runBootstrapStacks(): Promise<{ nonprod: MockRunResult; prod: MockRunResult }> {
  shared ??= (async () => {
    const run = (stack: string, stackReferences = {}) =>
      runUnderMocks(withStandIns(readProgramConfig(bootstrapFolder, stack, "trading-bot-bootstrap")), bootstrapProgram, { project: "trading-bot-bootstrap", stackReferences });
    const nonprod = await run("nonprod");
    const prod = await run("prod", otherAccountReference("organization/trading-bot-bootstrap/nonprod", nonprod.outputs));
    return { nonprod, prod };
  })();
  return shared;
}
