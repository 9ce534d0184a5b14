// The hardening rules every GitHub workflow of this repository keeps, each as a check that
// lists what breaks it. test/workflows.test.ts runs each on every file of .github/workflows
// (so a new workflow cannot break one quietly) and on small broken workflows (so each check
// is shown to catch what it is for).
import YAML, { LineCounter, isScalar, visit } from "yaml";
import { isProductionName } from "../packages/stack-files/src/production";

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

// ---- credentialed jobs (issue 19): install scripts, the Pulumi CLI, timeouts, sessions, approvals ----

/** A job that can mint an OIDC token or reads a secret: every step of it runs with those credentials. */
export function holdsCredentials(job: Job): boolean {
  const idToken = typeof job.permissions === "object" ? job.permissions["id-token"] : undefined;
  return idToken === "write" || /secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(job));
}

/**
 * No install script where credentials are: `npm ci`/`npm install` with --ignore-scripts, after
 * actions/setup-node with Node.js 24 (the node devDependency's own install script, which
 * provides Node.js 24 to npm scripts, does not run then).
 */
export function installScriptsWithCredentials(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => holdsCredentials(job))
    .flatMap(([jobId, job]) => {
      const where = `${workflow.file} ${jobId}`;
      const installs = steps(job).map((step, index) => ({ step, index })).filter(({ step }) => /\bnpm (ci|install|i)\b/.test(step.run ?? ""));
      const setupNode = steps(job).findIndex((step) => usesAction(step, "actions/setup-node") && String(step.with?.["node-version"]) === "24");
      return installs.flatMap(({ step, index }) => [
        ...(/--ignore-scripts\b/.test(step.run ?? "") ? [] : [`${where} step ${index + 1}: ${step.run!.trim()} runs install scripts in a job that holds credentials: add --ignore-scripts`]),
        ...(setupNode >= 0 && setupNode < index ? [] : [`${where} step ${index + 1}: no actions/setup-node with node-version 24 before it (the node devDependency's install script does not run)`]),
      ]);
    });
}

/** Every pulumi/actions step installs the CLI of .pulumi-version, not whatever the runner has. */
export function unpinnedPulumiCli(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    steps(job)
      .map((step, index) => ({ step, index }))
      .filter(({ step }) => usesAction(step, "pulumi/actions") && (step.with?.["pulumi-version-file"] !== ".pulumi-version" || step.with?.["pulumi-version"] !== undefined))
      .map(({ index }) => `${workflow.file} ${jobId} step ${index + 1}: pulumi/actions without pulumi-version-file: .pulumi-version`),
  );
}

/** Every job ends within a bound it names. */
export function jobsWithoutTimeout(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => typeof (job as { "timeout-minutes"?: unknown })["timeout-minutes"] !== "number")
    .map(([jobId]) => `${workflow.file} ${jobId}: no timeout-minutes`);
}

/**
 * Every assumed role asks for its role's session (`sessionBySecret`: the bootstrap's, by the
 * secret that carries the role's ARN), and the job ends before the credentials do.
 */
export function roleSessionProblems(workflow: Workflow, sessionBySecret: Record<string, number>): string[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    steps(job)
      .filter((step) => usesAction(step, "aws-actions/configure-aws-credentials"))
      .flatMap((step) => {
        const secret = /secrets\.(\w+)/.exec(String(step.with?.["role-to-assume"]))?.[1] ?? "";
        const asked = Number(step.with?.["role-duration-seconds"]);
        const timeout = Number((job as { "timeout-minutes"?: number })["timeout-minutes"]);
        const where = `${workflow.file} ${jobId}`;
        if (sessionBySecret[secret] === undefined) return [`${where}: assumes ${secret || "a role"} that the bootstrap creates no role for`];
        if (asked !== sessionBySecret[secret]) return [`${where}: role-duration-seconds ${step.with?.["role-duration-seconds"] ?? "unset"}; its role's session is ${sessionBySecret[secret]}`];
        return timeout * 60 <= asked ? [] : [`${where}: timeout-minutes ${timeout} outlives the ${asked} s session`];
      }),
  );
}

/**
 * The environments a job may run in: a literal name, or what the expressions these
 * workflows use can resolve to (`stages`: development and staging for non-production lists).
 * An expression not listed here is reported, so a new one is judged before it is trusted.
 */
export function possibleEnvironments(job: Job, nonProduction: readonly string[]): string[] | string {
  const environment = environmentName(job);
  if (environment === undefined) return [];
  if (!environment.includes("${{")) return [environment];
  const known: Record<string, string[]> = {
    "${{ matrix.stack.environment }}": [...nonProduction],
    "${{ matrix.stack.environment }}-preview": nonProduction.map((stage) => `${stage}-preview`),
    "${{ needs.check.outputs.target-environment }}": [...nonProduction],
    "${{ needs.check.outputs.source-environment }}": [...nonProduction, "production-data-export"],
  };
  return known[environment] ?? `an environment expression this check does not know: ${environment}`;
}

/**
 * Nothing holds a concurrency group while it waits for an approval: no job that may wait for
 * reviewers has a group, and a workflow with such a job has no workflow-wide group.
 */
export function concurrencyWhileWaiting(workflow: Workflow, reviewed: readonly string[], nonProduction: readonly string[]): string[] {
  const problems: string[] = [];
  const waiting = Object.entries(workflow.jobs).filter(([jobId, job]) => {
    const possible = possibleEnvironments(job, nonProduction);
    if (typeof possible === "string") problems.push(`${workflow.file} ${jobId}: ${possible}`);
    return typeof possible !== "string" && possible.some((name) => reviewed.includes(name));
  });
  if (waiting.length > 0 && workflow.concurrency !== undefined) {
    problems.push(`${workflow.file}: a workflow-wide concurrency group is held while ${waiting.map(([id]) => id).join(", ")} waits for an approval`);
  }
  for (const [jobId, job] of waiting) {
    if (job.concurrency !== undefined) problems.push(`${workflow.file} ${jobId}: holds a concurrency group while it waits for an approval`);
  }
  return problems;
}

/**
 * A production `pulumi up` applies the plan its reviewer read: `plan:` from the artifact a
 * production-preview job saved with `--save-plan`, and nothing that could hide its failure.
 */
export function unboundProductionUps(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (!/^production/.test(environmentName(job) ?? "")) continue;
    const where = `${workflow.file} ${jobId}`;
    for (const [index, step] of steps(job).entries()) {
      if (!usesAction(step, "pulumi/actions") || step.with?.command !== "up") continue;
      const plan = step.with?.plan;
      const downloaded = steps(job).slice(0, index).some((s) => usesAction(s, "actions/download-artifact") && s.with?.name === `update-plan-\${{ matrix.stack.name }}`);
      if (typeof plan !== "string" || !downloaded) problems.push(`${where} step ${index + 1}: pulumi up without the plan its preview saved (plan: and the update-plan artifact)`);
    }
    if (/continue-on-error/.test(JSON.stringify(job))) problems.push(`${where}: continue-on-error could hide a failed update`);
  }
  return problems;
}
