// The hardening rules every GitHub workflow of this repository keeps, each as a check that
// lists what breaks it. test/workflows.test.ts runs each on every file of .github/workflows
// (so a new workflow cannot break one quietly) and on small broken workflows (so each check
// is shown to catch what it is for).
import YAML, { LineCounter, isScalar, visit } from "yaml";
import { isProductionName } from "../stacks/production";

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

const isPullRequestWorkflow = (workflow: Workflow) => triggers(workflow).some((event) => event.startsWith("pull_request"));

export const environmentName = (job: Job): string | undefined => (typeof job.environment === "object" ? job.environment.name : job.environment);

const steps = (job: Job) => job.steps ?? [];
const usesAction = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) ?? false;
const jobUses = (job: Job, action: string) => steps(job).some((step) => usesAction(step, action));

/** Every `run` script with where it is. */
function runScripts(workflow: Workflow): { where: string; step: Step; job: Job }[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    steps(job).flatMap((step, index) => (step.run === undefined ? [] : [{ where: `${workflow.file} ${jobId} step ${index + 1}`, step, job }])),
  );
}

// ---- pinning ----

const pinned = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const versionComment = /^ ?v\d+(\.\d+){0,2}$/;

/** Every action is pinned to a full commit SHA with its version in a trailing comment. */
export function unpinnedActions(workflow: Workflow): string[] {
  return workflow.uses
    .filter(({ value, comment }) => !value.startsWith("./") && !(pinned.test(value) && comment !== undefined && versionComment.test(comment)))
    .map(({ value, line }) => `${workflow.file} line ${line}: ${value} is not pinned as owner/repo@<40-hex commit> # v1.2.3`);
}

/** One action, one commit and version, across every workflow. */
export function inconsistentPins(workflows: Workflow[]): string[] {
  const pins = new Map<string, Set<string>>();
  for (const { value, comment } of workflows.flatMap((workflow) => workflow.uses)) {
    const [action, ref] = value.split("@");
    pins.set(action, (pins.get(action) ?? new Set()).add(`${ref} #${comment ?? ""}`));
  }
  return [...pins].filter(([, refs]) => refs.size > 1).map(([action, refs]) => `${action} is pinned to ${[...refs].join(" and ")}`);
}

// ---- the checkout token, pipefail, untrusted input ----

export function checkoutKeepsToken(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    steps(job)
      .map((step, index) => ({ step, index }))
      .filter(({ step }) => usesAction(step, "actions/checkout") && String(step.with?.["persist-credentials"]) !== "false")
      .map(({ index }) => `${workflow.file} ${jobId} step ${index + 1}: actions/checkout without persist-credentials: false`),
  );
}

/** A run script that pipes fails when any command of the pipe fails. */
export function pipesWithoutPipefail(workflow: Workflow): string[] {
  return runScripts(workflow)
    .filter(({ step, job }) => {
      const pipes = /(^|[^|])\|([^|]|$)/m.test(step.run ?? "");
      // Only the plain `bash` shell gets `-eo pipefail` from GitHub; `bash {0}` and sh do not.
      const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
      return pipes && shell !== "bash" && !/set\s+-[a-z]*o\s+pipefail/.test(step.run ?? "");
    })
    .map(({ where }) => `${where}: pipes without pipefail (shell: bash, or set -o pipefail)`);
}

/** `$(...)` only as an assignment of its own, where `bash -e` sees its status (not in echo "$(false)"). */
export function maskedSubstitutions(workflow: Workflow): string[] {
  return runScripts(workflow).flatMap(({ where, step }) =>
    (step.run ?? "")
      .split("\n")
      .filter((line) => /\$\((?!\()/.test(line) && !/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(line))
      .map((line) => `${where}: a command substitution whose failure goes unseen: ${line.trim()}`),
  );
}

/** No `${{ }}` inside a run script: values reach it through `env:`, never as script text. */
export function expressionsInRun(workflow: Workflow): string[] {
  return runScripts(workflow).flatMap(({ where, step }) =>
    [...(step.run ?? "").matchAll(/\$\{\{[^}]*\}\}/g)].map((match) => `${where}: ${match[0]} inside run: pass it through env:`),
  );
}

// ---- permissions and credentials ----

/** What justifies each write permission of a job: an action it uses, or a command one of its run steps runs. */
const writeNeeds: Record<string, (string | RegExp)[]> = {
  "id-token": ["aws-actions/configure-aws-credentials"],
  "pull-requests": ["marocchino/sticky-pull-request-comment", "peter-evans/create-pull-request"],
  contents: ["peter-evans/create-pull-request"],
  issues: [/\bgh issue (create|comment|close|edit)\b/],
};

const jobNeeds = (job: Job, need: string | RegExp) =>
  typeof need === "string" ? jobUses(job, need) : steps(job).some((step) => need.test(step.run ?? ""));

export function permissionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  if (JSON.stringify(workflow.permissions) !== JSON.stringify({ contents: "read" })) {
    problems.push(`${workflow.file}: the workflow's permissions must be { contents: read }, not ${JSON.stringify(workflow.permissions ?? null)}`);
  }
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const where = `${workflow.file} ${jobId}`;
    if (typeof job.permissions === "string") problems.push(`${where}: permissions ${job.permissions}: list the scopes the job needs`);
    for (const [scope, level] of Object.entries(typeof job.permissions === "object" ? job.permissions : {})) {
      if (level === "write" && !(writeNeeds[scope] ?? []).some((need) => jobNeeds(job, need))) {
        problems.push(`${where}: ${scope}: write, but no step of the job needs it`);
      }
    }
    const idToken = typeof job.permissions === "object" ? job.permissions["id-token"] : undefined;
    if (jobUses(job, "aws-actions/configure-aws-credentials") && idToken !== "write") {
      problems.push(`${where}: assumes an AWS role without id-token: write (OIDC), so it would need stored keys`);
    }
    for (const step of steps(job)) {
      for (const input of ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]) {
        if (step.with?.[input] !== undefined) problems.push(`${where}: ${input}: long-lived AWS keys; assume a role through OIDC`);
      }
    }
  }
  if (/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/.test(workflow.text)) problems.push(`${workflow.file}: names AWS access keys; assume a role through OIDC`);
  return problems;
}

// ---- production ----

/** The strings written out in a matrix (`stack: [dev, prod]`), not those of an expression. */
function matrixStrings(matrix: unknown): string[] {
  if (typeof matrix === "string") return matrix.includes("${{") ? [] : [matrix];
  if (Array.isArray(matrix)) return matrix.flatMap(matrixStrings);
  if (matrix && typeof matrix === "object") return Object.values(matrix).flatMap(matrixStrings);
  return [];
}

/**
 * Does the job act on a production stack: in a production* environment, on the production
 * list of `npm run stacks`, or with a production stack's name written out?
 */
export function touchesProduction(job: Job, productionStacks: readonly string[]): boolean {
  const isProduction = (stack: string) => isProductionName(stack) || productionStacks.includes(stack);
  if (/^production/i.test(environmentName(job) ?? "")) return true;
  // Consumes the production list of a job that ran `npm run stacks -- --production`.
  if (/needs\.[\w-]+\.outputs\.production\b/.test(JSON.stringify(job))) return true;
  const literalStacks = [
    ...matrixStrings(job.strategy?.matrix),
    ...steps(job).flatMap((step) => [
      ...(typeof step.with?.["stack-name"] === "string" ? [step.with["stack-name"]] : []),
      ...[...(step.run ?? "").matchAll(/(?:npm run (?:-s )?plan -- |--stack |--to |--from )([A-Za-z0-9_.-]+)/g)].map((match) => match[1]),
    ]),
  ];
  return literalStacks.some(isProduction);
}

export function productionProblems(workflow: Workflow, productionStacks: readonly string[]): string[] {
  const problems: string[] = [];
  for (const event of triggers(workflow).filter((e) => e === "pull_request_target" || e === "workflow_run")) {
    problems.push(`${workflow.file}: ${event} runs code a pull request controls with the repository's secrets`);
  }
  const pullRequest = isPullRequestWorkflow(workflow);
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const where = `${workflow.file} ${jobId}`;
    const environment = environmentName(job);
    const inProductionEnvironment = /^production/i.test(environment ?? "");
    if (touchesProduction(job, productionStacks) && !inProductionEnvironment) {
      problems.push(`${where}: touches production outside a production* environment (environment: ${environment ?? "none"})`);
    }
    if (pullRequest && (touchesProduction(job, productionStacks) || /--production\b|outputs\.production\b/.test(JSON.stringify(job)))) {
      problems.push(`${where}: a pull_request workflow references production (environment: ${environment ?? "none"})`);
    }
    if (environment === undefined && /secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(job))) {
      problems.push(`${where}: reads a secret outside an environment: keep every secret in an environment`);
    }
    // id-token: write asks for an OIDC token (the environment's role), not a GITHUB_TOKEN scope.
    const writes = typeof job.permissions === "object" && Object.entries(job.permissions).some(([scope, level]) => scope !== "id-token" && level === "write");
    const runsCode = steps(job).some((step) => step.run !== undefined || usesAction(step, "actions/checkout"));
    if (pullRequest && writes && runsCode) {
      problems.push(`${where}: a token that may write shares a job with the pull request's code`);
    }
  }
  return problems;
}
