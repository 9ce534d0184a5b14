// The plan document: the JSON contract of `npm run plan -- <stack> --json <file>`, defined
// once. The plan builds and writes it, the pull-request comment (summary.ts) reads it, the
// tests check against it, and --json overwrites only a file that parses as one.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { projectName } from "../../stacks/config";
import { stackResourceOf } from "../engine/resource";
import { installedLockFile } from "./project";
import type { PlanResult } from "./run";
import { fileFingerprint } from "./secrets";

const violationSchema = z.strictObject({ policy: z.string(), level: z.enum(["mandatory", "advisory"]), urn: z.string(), message: z.string() });

/** A resource of a diff; `topLevel` is the URN of its topmost ancestor below the stack (itself at the top), for the diagram. */
const resourceRefSchema = z.strictObject({ urn: z.string(), type: z.string(), name: z.string(), topLevel: z.string() });

/** One changed input of a resource: its name, where inside it changed, and why. */
const propertyChangeSchema = z.strictObject({
  name: z.string(),
  /** Where inside the value, e.g. `[trading-bot].environment[LOG_LEVEL].value` (at most a few). */
  paths: z.array(z.string()),
  /** The change replaces the resource (infra/replaceOnChange.ts). */
  replaces: z.boolean(),
  /** Set when the value comes from a resource that is replaced (a new ARN or id), not from the program. */
  fromReplaced: z.string().optional(),
});

/** What a change does to the stack against a base plan (`--base <ref>` or `--base-json <file>`). */
export const planDiffSchema = z.strictObject({
  base: z.strictObject({
    /** `git <ref> (<commit>)`, `file <path>`, or `none` when the base has no such stack. */
    source: z.string(),
    generatedBy: z.string(),
  }),
  resources: z.strictObject({
    added: z.array(resourceRefSchema),
    removed: z.array(resourceRefSchema),
    replaced: z.array(resourceRefSchema.extend({ properties: z.array(propertyChangeSchema) })),
    changed: z.array(resourceRefSchema.extend({ properties: z.array(propertyChangeSchema) })),
    unchanged: z.number().int().nonnegative(),
  }),
  /** Secret config keys whose `secure:` text appeared, disappeared or changed: names only, never a value. */
  secrets: z.array(z.strictObject({ key: z.string(), change: z.enum(["added", "removed", "changed"]) })),
  policy: z.strictObject({ appeared: z.array(violationSchema), disappeared: z.array(violationSchema) }),
  cost: z.strictObject({
    beforeUsd: z.number(),
    afterUsd: z.number(),
    deltaUsd: z.number(),
    /** The budget after the change (the stack file's). */
    budgetUsd: z.number(),
    components: z.array(z.strictObject({ component: z.string(), beforeUsd: z.number(), afterUsd: z.number(), deltaUsd: z.number() })),
  }),
  /** What the comparison could not see, e.g. a different lock file for the base, or a base plan without secret fingerprints. */
  notes: z.array(z.string()),
});

export type PlanDiff = z.infer<typeof planDiffSchema>;

export const planDocumentSchema = z.strictObject({
  stack: z.string(),
  project: z.literal(projectName),
  generatedBy: z.string().regex(/^trading-bot plan \d+\.\d+\.\d+$/),
  /** The stack resource first (parent null), then every resource the program registered. */
  resources: z.array(
    z.strictObject({
      urn: z.string().startsWith("urn:pulumi:"),
      type: z.string(),
      name: z.string(),
      parent: z.string().nullable(),
      custom: z.boolean(),
      protect: z.boolean(),
      /** Secret inputs written as "[secret]". */
      inputs: z.record(z.string(), z.unknown()),
      /** URNs of the resources it depends on (its dependsOn, and every resource an input came from). Plans written before it existed read as none. */
      dependencies: z.array(z.string()).default([]),
      /** URNs each input came from. Plans written before it existed read as none. */
      propertyDependencies: z.record(z.string(), z.array(z.string())).default({}),
    }),
  ),
  /** The stack's outputs; secret ones written as "[secret]". */
  outputs: z.record(z.string(), z.unknown()),
  /** What the offline plan made up: secrets the file does not hold, outputs of other stacks. Plans written before it existed read as none. */
  standIns: z
    .strictObject({
      secrets: z.array(z.string()),
      stackOutputs: z.array(z.strictObject({ stack: z.string(), outputs: z.array(z.string()) })),
    })
    .default({ secrets: [], stackOutputs: [] }),
  /**
   * A fingerprint of each `secure:` text of the stack file, by config key (a hash of the
   * ciphertext the file already holds, never of a value): how a diff sees a changed secret.
   * Absent from plans written before it existed.
   */
  secureFingerprints: z.record(z.string(), z.string().regex(/^[0-9a-f]{16}$/)).optional(),
  /** A fingerprint of the package-lock.json the plan ran with, to tell two plans made with different dependencies apart. */
  packageLock: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  policy: z.strictObject({
    pack: z.string(),
    version: z.string(),
    violations: z.array(violationSchema),
  }),
  cost: z.strictObject({
    currency: z.literal("USD"),
    monthlyTotal: z.number(),
    budget: z.number(),
    priceTable: z.strictObject({ region: z.string(), date: z.string() }),
    items: z.array(
      z.strictObject({
        urn: z.string(),
        component: z.string(),
        quantity: z.number(),
        unit: z.string(),
        unitUsd: z.number(),
        monthlyUsd: z.number(),
      }),
    ),
    notes: z.array(z.string()),
  }),
  /** Against a base plan, when one was given. */
  diff: planDiffSchema.optional(),
});

export type PlanDocument = z.infer<typeof planDocumentSchema>;

/** What fails a plan: mandatory violations and a total over budget. Empty when it passes. */
export function planFailures(violations: { level: string }[], cost: { monthlyTotal: number; budget: number }): string[] {
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  return [
    ...(mandatory > 0 ? [`${mandatory} mandatory policy violation(s)`] : []),
    ...(cost.monthlyTotal > cost.budget ? [`${cost.monthlyTotal.toFixed(2)} USD a month is over the ${cost.budget} USD budget`] : []),
  ];
}

/**
 * The plan as a document, with its diff against a base when there is one; `version` is the
 * project's (projectVersion). Checked against the schema, so what is written is what --json accepts back.
 */
export function planDocument(result: PlanResult, version: string, diff?: PlanDiff): PlanDocument {
  const { loaded, run, diagnostics, cost, pack } = result;
  const hide = (values: Record<string, unknown>, secrets: string[]) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, secrets.includes(key) ? "[secret]" : value]));
  return planDocumentSchema.parse({
    stack: run.stack,
    project: projectName,
    generatedBy: `trading-bot plan ${version}`,
    resources: [stackResourceOf(run.stack), ...run.resources].map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parentUrn,
      custom: r.custom,
      protect: r.protect,
      inputs: hide(r.inputs, r.secretInputs),
      dependencies: r.dependencies ?? [],
      propertyDependencies: r.propertyDependencies ?? {},
    })),
    outputs: hide(run.outputs, run.secretOutputs),
    standIns: {
      secrets: loaded.standInSecrets,
      stackOutputs: loaded.standInStackOutputs.map(({ stack, outputs }) => ({ stack, outputs: Object.keys(outputs) })),
    },
    secureFingerprints: loaded.secureFingerprints,
    packageLock: fileFingerprint(installedLockFile()),
    policy: { pack: pack.name, version: pack.version, violations: diagnostics.map(({ policy, level, urn, message }) => ({ policy, level, urn, message })) },
    cost: {
      currency: cost.currency,
      monthlyTotal: cost.monthlyTotal,
      budget: cost.budget,
      priceTable: { region: cost.priceTable.region, date: cost.priceTable.date },
      items: cost.items.map(({ urn, component, quantity, unit, unitUsd, monthlyUsd }) => ({ urn, component, quantity, unit, unitUsd, monthlyUsd })),
      notes: cost.notes,
    },
    diff,
  });
}

/** Does this text hold a plan document? */
export function isPlanDocument(text: string): boolean {
  try {
    return planDocumentSchema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

/** The project's version (its package.json), which a plan document records. */
export function projectVersion(projectRoot: string): string {
  return JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).version;
}

/** What a violation is about: the resource's name, or the stack for a stack rule's finding without a URN. */
export function violationSubject(urn: string): string {
  return urn === "" ? "the stack" : (urn.split("::").pop() ?? urn);
}
