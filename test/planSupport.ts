// What the tests of the plan's diff, comment, diagram and dashboard share: one program run
// under mocks per stack variant, made once per process and only read afterwards.
import * as fs from "node:fs";
import * as path from "node:path";
import type { MockRunResult } from "../tools/engine/resource";
import { repoRoot, runCommittedStack, runStackText } from "./helpers";

const runs = new Map<string, Promise<MockRunResult>>();

/** The run of a committed stack file, shared by every test that only reads it. */
export function committedRun(stack: string): Promise<MockRunResult> {
  if (!runs.has(stack)) runs.set(stack, runCommittedStack(stack));
  return runs.get(stack)!;
}

/** The run of a variant of a stack file, shared under its `name`. */
export function variantRun(name: string, stack: string, text: string): Promise<MockRunResult> {
  const key = `${stack}:${name}`;
  if (!runs.has(key)) runs.set(key, runStackText(stack, text));
  return runs.get(key)!;
}

export const committedText = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

/** The committed text with `from` replaced by `to` once; throws when `from` is not there exactly once. */
export function edited(text: string, ...replacements: [from: string, to: string][]): string {
  let result = text;
  for (const [from, to] of replacements) {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`expected ${JSON.stringify(from)} once in the stack file, found it ${count} times`);
    result = result.replace(from, to);
  }
  return result;
}
