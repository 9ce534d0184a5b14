// What a change does to a stack, from two plan documents (the base's and the working
// tree's): resources added, removed, replaced or changed (by URN, with the names of the
// changed inputs), secrets whose `secure:` text changed, policy verdicts that appear or
// disappear, and the monthly cost per component. Pure: no SDK, no process, no file.
import { replacingProperties } from "../../infra/replaceOnChange";
import type { PlanDiff, PlanDocument } from "./document";

type Resource = PlanDocument["resources"][number];
type Change = PlanDiff["resources"]["changed"][number];
type PropertyChange = Change["properties"][number];

/** Where the base plan came from, and what its making could not see. */
export interface BaseInfo {
  /** `git HEAD^1 (1a2b3c4)`, `file plan-old.json`. */
  source: string;
  notes: string[];
}

/** How many places inside one changed input are named (the rest are counted). */
const maxPathsPerProperty = 4;

/** The diff of `head` against `base`; no base (a stack the base does not have) means everything is added. */
export function diffPlans(base: PlanDocument | undefined, head: PlanDocument, info: BaseInfo): PlanDiff {
  return {
    base: { source: info.source, generatedBy: base?.generatedBy ?? "none" },
    resources: resourceDiff(base?.resources ?? [], head.resources),
    secrets: base ? secretDiff(base, head) : [],
    policy: policyDiff(base?.policy.violations ?? [], head.policy.violations),
    cost: costDiff(base?.cost ?? { items: [], monthlyTotal: 0 }, head.cost),
    notes: [...info.notes, ...(base && base.secureFingerprints === undefined ? [noFingerprintsNote] : [])],
  };
}

const noFingerprintsNote = "secrets not compared: the base plan was written before plans held fingerprints of the stack file's secure: texts";

/** Resources are compared by URN; this project's own components are not (their children are). */
function resourceDiff(baseResources: Resource[], headResources: Resource[]): PlanDiff["resources"] {
  const isStack = (r: Resource) => r.type === "pulumi:pulumi:Stack";
  const base = new Map(baseResources.filter((r) => !isStack(r)).map((r) => [r.urn, r]));
  const head = new Map(headResources.filter((r) => !isStack(r)).map((r) => [r.urn, r]));
  const ref = ({ urn, type, name }: Resource) => ({ urn, type, name, topLevel: topLevelOf(urn, head.has(urn) ? head : base) });
  const changes = new Map<string, PropertyChange[]>();
  for (const [urn, after] of head) {
    const before = base.get(urn);
    if (!before || !compared(after)) continue;
    const properties = changedInputs(before.inputs, after.inputs).map(({ name, paths }) => ({ name, paths, replaces: replacingProperties(after.type, [name]).length > 0 }));
    if (properties.length > 0) changes.set(urn, properties);
  }
  followReplacements(changes, head, base);
  const withProperties = (urn: string) => ({ ...ref(head.get(urn)!), properties: changes.get(urn)! });
  const urns = [...changes.keys()];
  const replaced = urns.filter((urn) => changes.get(urn)!.some((p) => p.replaces));
  return {
    added: [...head.values()].filter((r) => !base.has(r.urn)).map(ref),
    removed: [...base.values()].filter((r) => !head.has(r.urn)).map(ref),
    replaced: replaced.map(withProperties),
    changed: urns.filter((urn) => !replaced.includes(urn)).map(withProperties),
    unchanged: [...head.keys()].filter((urn) => base.has(urn) && !changes.has(urn)).length,
  };
}

/** The URN of the topmost ancestor of `urn` below the stack (the resource itself when it is at the top). */
export function topLevelOf(urn: string, resources: Map<string, { urn: string; parent: string | null }>): string {
  let current = urn;
  for (let parent = resources.get(current)?.parent; parent && resources.has(parent); parent = resources.get(current)?.parent) current = parent;
  return current;
}

/** Custom resources and remote components (awsx) carry the inputs a provider receives; this project's components do not. */
function compared(resource: Resource): boolean {
  return resource.custom || !resource.type.startsWith("trading-bot:");
}

/**
 * A replaced resource gets a new id and ARN, which the mocks cannot show: every input that
 * came from it changes too, and replaces its resource in turn when that input forces it.
 */
function followReplacements(changes: Map<string, PropertyChange[]>, head: Map<string, Resource>, base: Map<string, Resource>): void {
  const replaced = () => new Set([...changes].filter(([, properties]) => properties.some((p) => p.replaces)).map(([urn]) => urn));
  for (let seen = new Set<string>(), now = replaced(); now.size > seen.size; seen = now, now = replaced()) {
    for (const resource of head.values()) {
      if (!base.has(resource.urn) || !compared(resource)) continue;
      for (const [property, from] of Object.entries(resource.propertyDependencies)) {
        const source = from.find((urn) => now.has(urn));
        const known = changes.get(resource.urn) ?? [];
        if (!source || known.some((p) => p.name === property)) continue;
        const replaces = replacingProperties(resource.type, [property]).length > 0;
        changes.set(resource.urn, [...known, { name: property, paths: [], replaces, fromReplaced: head.get(source)?.name ?? source }]);
      }
    }
  }
}

/** The inputs whose values differ, each with where inside it changed. */
export function changedInputs(before: Record<string, unknown>, after: Record<string, unknown>): { name: string; paths: string[] }[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => !sameValue(before[name], after[name])).map((name) => {
    const paths = changedPaths(before[name], after[name], "");
    return { name, paths: paths.length > maxPathsPerProperty ? [...paths.slice(0, maxPathsPerProperty), `(${paths.length - maxPathsPerProperty} more)`] : paths };
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Object keys sorted, so that key order is no change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
}

/** `[trading-bot].environment[LOG_LEVEL].value`: where two values differ; JSON text (container definitions, policies) is read as JSON. */
function changedPaths(before: unknown, after: unknown, at: string, depth = 0): string[] {
  const [a, b] = [parsedJson(before), parsedJson(after)];
  if (sameValue(a, b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects || depth >= 6) return at === "" ? [] : [at];
  const [left, right] = [keyed(a), keyed(b)];
  const keys = [...new Set([...left.keys(), ...right.keys()])];
  return keys.flatMap((key) => changedPaths(left.get(key), right.get(key), `${at}${key}`, depth + 1));
}

function parsedJson(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** An object's entries as `.key`; a list's as `[name]` when its items are named (containers, variables, statements), else `[index]`. */
function keyed(value: object): Map<string, unknown> {
  if (!Array.isArray(value)) return new Map(Object.entries(value).map(([key, item]) => [`.${key}`, item]));
  const nameOf = (item: unknown) => {
    const record = item as Record<string, unknown> | null;
    const name = record && typeof record === "object" ? (record.name ?? record.Sid ?? record.id) : undefined;
    return typeof name === "string" ? name : undefined;
  };
  const names = value.map(nameOf);
  const unique = names.every((name) => name !== undefined) && new Set(names).size === names.length;
  return new Map(value.map((item, index) => [unique ? `[${names[index]}]` : `[${index}]`, item]));
}

/** By config key: a `secure:` text that appeared, disappeared or changed. Fingerprints only: no value is ever at hand here. */
function secretDiff(base: PlanDocument, head: PlanDocument): PlanDiff["secrets"] {
  if (base.secureFingerprints === undefined) return [];
  const [before, after] = [base.secureFingerprints, head.secureFingerprints ?? {}];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    if (before[key] === after[key]) return [];
    const change = before[key] === undefined ? "added" : after[key] === undefined ? "removed" : "changed";
    return [{ key, change } as const];
  });
}

type Violation = PlanDocument["policy"]["violations"][number];

/** A verdict is a policy failing for a resource at a level; one that only rewords its message is the same verdict. */
function policyDiff(before: Violation[], after: Violation[]): PlanDiff["policy"] {
  const key = (v: Violation) => `${v.policy}\u0000${v.urn}\u0000${v.level}`;
  const [had, has] = [new Set(before.map(key)), new Set(after.map(key))];
  return { appeared: after.filter((v) => !had.has(key(v))), disappeared: before.filter((v) => !has.has(key(v))) };
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Monthly USD per component before and after, the biggest move first; components that cost nothing either side are left out. */
function costDiff(before: Pick<PlanDocument["cost"], "items" | "monthlyTotal">, after: PlanDocument["cost"]): PlanDiff["cost"] {
  type Items = PlanDocument["cost"]["items"];
  const sum = (items: Items, component: string) => cents(items.filter((i) => i.component === component).reduce((total, i) => total + i.monthlyUsd, 0));
  const names = [...new Set([...before.items, ...after.items].map((item) => item.component))];
  const components = names
    .map((component) => {
      const [beforeUsd, afterUsd] = [sum(before.items, component), sum(after.items, component)];
      return { component, beforeUsd, afterUsd, deltaUsd: cents(afterUsd - beforeUsd) };
    })
    .sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.component.localeCompare(y.component));
  const [beforeUsd, afterUsd] = [before.monthlyTotal, after.monthlyTotal];
  return { beforeUsd, afterUsd, deltaUsd: cents(afterUsd - beforeUsd), budgetUsd: after.budget, components };
}

/** Does the diff change anything? A stack it does not touch collapses to one line in the comment. */
export function isUntouched(diff: PlanDiff): boolean {
  const { added, removed, replaced, changed } = diff.resources;
  return (
    added.length + removed.length + replaced.length + changed.length + diff.secrets.length + diff.policy.appeared.length + diff.policy.disappeared.length === 0 &&
    diff.cost.deltaUsd === 0
  );
}
