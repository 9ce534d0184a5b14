// Paths into a JSON document, for the rules' `json` transform: which values of a json/jsonb
// column to rewrite. A small subset of JSONPath:
//   $              the whole document
//   .name          a member (letters, digits and _; any other name as ["..."])
//   ["any name"]   a member, named by a JSON string
//   [*]  .*        every element of an array, every member of an object
//   [2]            an element of an array, by index from 0
// `$.contact.email`, `$.contacts[*].phone`, `$["home address"]`, `$.devices.*.token`.
// A path that reaches nothing in a document leaves it as it is. Numbers keep their exact text.
import { Refusal } from "./errors";

export type Step = { member: string } | { index: number } | { every: true };

/** The steps of a path; refused (naming `where`) when it is not one. */
export function parseJsonPath(path: string, where: string): Step[] {
  if (!path.startsWith("$")) throw new Refusal(`${where}: ${JSON.stringify(path)} is not a path: start with $ ($.contact.email)`);
  const steps: Step[] = [];
  const stepPattern = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\.\*|\[\*\]|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  for (let rest = path.slice(1); rest !== ""; ) {
    const match = stepPattern.exec(rest);
    if (!match) throw new Refusal(`${where}: ${JSON.stringify(path)}: cannot read ${JSON.stringify(rest)}; a step is .name, ["name"], [*], .* or [index]`);
    if (match[1] !== undefined) steps.push({ member: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ member: JSON.parse(match[3]) as string });
    else steps.push({ every: true });
    rest = rest.slice(match[0].length);
  }
  return steps;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Replaces every value a path reaches with `replace(value)`; returns how many it reached.
 * The root itself (path `$`) cannot be replaced in place: `applyAtRoot` does that.
 */
function replaceAt(node: Json, steps: Step[], replace: (value: Json) => Json): number {
  if (steps.length === 0 || node === null || typeof node !== "object") return 0;
  const [step, ...rest] = steps;
  const keys: (string | number)[] =
    "every" in step ? (Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)) : "index" in step ? (Array.isArray(node) ? [step.index] : []) : Array.isArray(node) ? [] : [step.member];
  let reached = 0;
  for (const key of keys) {
    const container = node as Record<string | number, Json>;
    if (!(key in container) || (Array.isArray(node) && Number(key) >= node.length)) continue;
    if (rest.length === 0) {
      container[key] = replace(container[key]);
      reached++;
    } else reached += replaceAt(container[key], rest, replace);
  }
  return reached;
}

/** Parses JSON keeping each number's exact text (a jsonb numeric may hold more digits than a double). */
export function parseExactJson(text: string): Json {
  const raw = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && raw && context?.source !== undefined && String(value) !== context.source ? raw(context.source) : value,
  ) as Json;
}

export interface PathRewrite {
  steps: Step[];
  replace: (value: Json) => Json;
}

/** A document with every path's values rewritten, and how many values each path reached. */
export function rewriteDocument(text: string, rewrites: PathRewrite[]): { text: string; reached: number[] } {
  let document = parseExactJson(text);
  const reached = rewrites.map(({ steps, replace }) => {
    if (steps.length > 0) return replaceAt(document, steps, replace);
    document = replace(document);
    return 1;
  });
  return { text: reached.some((n) => n > 0) ? JSON.stringify(document) : text, reached };
}

/** Every scalar of a document with its path, arrays' indexes as [*] (`$.contacts[*].phone`). */
export function* scalarsOf(node: Json, path = "$"): Generator<{ path: string; value: string }> {
  if (node === null) return;
  if (Array.isArray(node)) {
    for (const child of node) yield* scalarsOf(child, `${path}[*]`);
  } else if (typeof node === "object" && !isRawNumber(node)) {
    for (const [key, child] of Object.entries(node)) yield* scalarsOf(child, `${path}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`);
  } else {
    yield { path, value: typeof node === "string" ? node : JSON.stringify(node) };
  }
}

function isRawNumber(node: object): boolean {
  const isRaw = (JSON as unknown as { isRawJSON?: (value: unknown) => boolean }).isRawJSON;
  return !!isRaw?.(node);
}
