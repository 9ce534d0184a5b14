// The plan document: the JSON contract of `npm run plan -- <stack> --json <file>`, defined
// once. The plan builds and writes it, the pull-request comment (summary.ts) reads it, the
// tests check against it, and --json overwrites only a file that parses as one.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { projectName } from "../../stacks/config";
import { stackResourceOf } from "../engine/resource";
import type { PlanResult } from "./run";

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
  policy: z.strictObject({
    pack: z.string(),
    version: z.string(),
    violations: z.array(
      z.strictObject({ policy: z.string(), level: z.enum(["mandatory", "advisory"]), urn: z.string(), message: z.string() }),
    ),
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

/** The document of a plan; checked against the schema, so what is written is what --json accepts back. */
/** The plan as a document; `version` is the project's (projectVersion). */
export function planDocument(result: PlanResult, version: string): PlanDocument {
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
    })),
    outputs: hide(run.outputs, run.secretOutputs),
    standIns: {
      secrets: loaded.standInSecrets,
      stackOutputs: loaded.standInStackOutputs.map(({ stack, outputs }) => ({ stack, outputs: Object.keys(outputs) })),
    },
    policy: { pack: pack.name, version: pack.version, violations: diagnostics.map(({ policy, level, urn, message }) => ({ policy, level, urn, message })) },
    cost: {
      currency: cost.currency,
      monthlyTotal: cost.monthlyTotal,
      budget: cost.budget,
      priceTable: { region: cost.priceTable.region, date: cost.priceTable.date },
      items: cost.items.map(({ urn, component, quantity, unit, unitUsd, monthlyUsd }) => ({ urn, component, quantity, unit, unitUsd, monthlyUsd })),
      notes: cost.notes,
    },
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
