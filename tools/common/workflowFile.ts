// A GitHub workflow file as data: its jobs and steps, and every `uses:` with its line and
// comment. Read by the workflow rules' tests and by the docs' trust table.
import YAML, { LineCounter, isScalar, visit } from "yaml";

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}

export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string; url?: string };
  permissions?: string | Record<string, string>;
  defaults?: { run?: { shell?: string } };
  strategy?: { matrix?: unknown; "fail-fast"?: boolean };
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
  outputs?: Record<string, string>;
  steps?: Step[];
  uses?: string;
}

export interface Workflow {
  file: string;
  text: string;
  on: unknown;
  permissions?: unknown;
  defaults?: { run?: { shell?: string } };
  concurrency?: unknown;
  jobs: Record<string, Job>;
  /** Every `uses:` with its line and trailing comment. */
  uses: { value: string; comment: string | undefined; line: number }[];
}

export function parseWorkflow(file: string, text: string): Workflow {
  const lineCounter = new LineCounter();
  const document = YAML.parseDocument(text, { lineCounter });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
  const uses: Workflow["uses"] = [];
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value)) {
        uses.push({ value: String(pair.value.value), comment: pair.value.comment ?? undefined, line: lineCounter.linePos(pair.value.range?.[0] ?? 0).line });
      }
    },
  });
  const body = document.toJS() as Omit<Workflow, "file" | "text" | "uses">;
  return { ...body, jobs: body.jobs ?? {}, file, text, uses };
}

/** The events that start the workflow. */
export function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === "object" ? Object.keys(on) : [];
}

export const environmentName = (job: Job): string | undefined => (typeof job.environment === "object" ? job.environment.name : job.environment);
