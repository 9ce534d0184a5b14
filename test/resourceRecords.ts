// What the program registers for each committed stack, as a reviewed file per stack
// (test/fixtures/resources/<stack>.json): every resource's type, name, parent, inputs, secret
// inputs and options, and the stack's outputs. componentArguments.test.ts holds each run to its
// file, so a change to any component's arguments shows as a diff of that file, to be read and
// committed like a plan. After a change meant to change resources, write the files again:
//   node_modules/.bin/node -r ts-node/register/transpile-only test/resourceRecords.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { tradingBotProgram } from "../stacks/program";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult } from "../tools/engine/resource";
import { readProgramConfig, withPlaceholderSecrets } from "../tools/engine/stackFile";

const repoRoot = path.resolve(__dirname, "..");
export const recordedStacks = ["dev", "staging", "prod"] as const;
export const recordFileOf = (stack: string) => path.join(repoRoot, "test", "fixtures", "resources", `${stack}.json`);

/** A fresh run of the program for a committed stack (never cached: a mutation run changes the program between runs). */
export const runStack = (stack: string): Promise<MockRunResult> => runUnderMocks(withPlaceholderSecrets(readProgramConfig(repoRoot, stack)), tradingBotProgram);

/** The run as its file holds it: what the program gave, not what the mocks computed (`state`). */
export function recordOf(run: MockRunResult): object {
  return {
    resources: run.resources.map(({ state: _computed, ...given }) => given),
    outputs: run.outputs,
    secretOutputs: run.secretOutputs,
  };
}

export const readRecord = (stack: string): object => JSON.parse(fs.readFileSync(recordFileOf(stack), "utf8"));

async function writeRecords(): Promise<void> {
  for (const stack of recordedStacks) {
    // A JSON round trip, as the test compares: undefined fields dropped.
    const record = JSON.parse(JSON.stringify(recordOf(await runStack(stack))));
    fs.writeFileSync(recordFileOf(stack), `${JSON.stringify(record, null, 1)}\n`);
    console.log(`wrote ${path.relative(repoRoot, recordFileOf(stack))}`);
  }
}

if (require.main === module) void writeRecords();
