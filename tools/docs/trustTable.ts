// The trust table of docs/ci-and-trust.md as data: for each run a workflow can make (event,
// ref, fork or not), the GitHub environments its jobs can enter (the environments' branch
// rules, as the bootstrap creates them), the subject each job's token carries (the
// repository's subject template, as the bootstrap sets it) and the roles that subject can
// assume (the trust policies the bootstrap creates in both accounts). Nothing here is
// hand-listed but the runs themselves; a pull request's run may edit its workflows, so any
// environment its branch rules admit counts, not only the ones the committed workflows name.
import * as fs from "node:fs";
import * as path from "node:path";
import { branchAllowed } from "../../bootstrap/trust";
import { type Workflow, parseWorkflow } from "../common/workflowFile";
import type { MockRunResult, RecordedResource } from "../engine/resource";

const fail = (message: string): never => {
  throw new Error(message);
};

/** The workflows of the checkout `root`, by file name. */
export function committedWorkflows(root: string): Workflow[] {
  const folder = path.join(root, ".github", "workflows");
  return fs.readdirSync(folder).filter((file) => file.endsWith(".yml")).sort().map((file) => parseWorkflow(file, fs.readFileSync(path.join(folder, file), "utf8")));
}

interface Run {
  what: string;
  event: "pull_request" | "push" | "workflow_dispatch" | "schedule";
  /** The branch the environments' rules are matched against: a pull request's head branch. */
  branch: string;
  /** A pull request from a fork gets no OIDC token (id-token is read-only for forks). */
  fork?: boolean;
}


/** A branch a pattern of a trigger's filter admits (`feature/**` -> `feature/x`). */
const sampleOf = (pattern: string) => pattern.replace(/\*\*?/g, "x");

/**
 * The runs the committed workflows can make: each push filter's branches, each pull request
 * into a filtered base from the branch that flows into it (feature/** into develop, develop
 * into main) and from a fork, each dispatch from any of those branches and from one no rule
 * names. The sample branches are the only hand-written part.
 */
function workflowRuns(workflows: Workflow[]): Run[] {
  const runs: Run[] = [];
  const pushed = new Set<string>();
  for (const workflow of workflows) {
    const on = workflow.on as Record<string, { branches?: string[] } | null>;
    for (const branch of on.push?.branches ?? []) pushed.add(sampleOf(branch));
  }
  const flowsInto: Record<string, string> = { develop: "feature/x", main: "develop" };
  for (const workflow of workflows) {
    const on = workflow.on as Record<string, { branches?: string[] } | null>;
    for (const base of on.pull_request?.branches ?? []) {
      runs.push({ what: `${workflow.file}: pull request into ${base}`, event: "pull_request", branch: flowsInto[base] ?? fail(`no branch flows into ${base}`) });
    }
    if (on.pull_request) runs.push({ what: `${workflow.file}: pull request from a fork`, event: "pull_request", branch: "feature/x", fork: true });
    for (const branch of pushed) if ((on.push?.branches ?? []).some((pattern) => sampleOf(pattern) === branch)) runs.push({ what: `${workflow.file}: push`, event: "push", branch });
    // A scheduled run is on the default branch.
    if (on.schedule !== undefined) runs.push({ what: `${workflow.file}: scheduled`, event: "schedule", branch: "main" });
    if (on.workflow_dispatch !== undefined) {
      for (const branch of [...pushed, "hotfix/y"]) runs.push({ what: `${workflow.file}: dispatched`, event: "workflow_dispatch", branch });
    }
  }
  return runs;
}

interface Role {
  name: string;
  kind: string;
  account: string;
  subjects: string[];
}

export interface Row extends Run {
  environments: string[];
  roles: Role[];
}

const byType = (runResult: MockRunResult, type: string) => runResult.resources.filter((r) => r.type === type);

function rolesOf(runResult: MockRunResult): Role[] {
  return byType(runResult, "aws:iam/role:Role").map((role: RecordedResource) => {
    const statement = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0];
    const equals = statement.Condition.StringEquals;
    if (equals["token.actions.githubusercontent.com:aud"] !== "sts.amazonaws.com") fail(`${role.name}: the audience is not sts.amazonaws.com`);
    return {
      name: role.name,
      kind: (role.inputs.tags as Record<string, string>)["trading-bot:role-kind"],
      account: String(role.state.arn).split(":")[4],
      subjects: [equals["token.actions.githubusercontent.com:sub"]].flat(),
    };
  });
}

/** The subject a job's token carries under the repository's template (GitHub: claims joined in the template's order). */
function subjectOf(claimKeys: string[], repository: string, environment: string, run: Run): string {
  const claims: Record<string, string> = {
    repo: `repo:${repository}`,
    context: `environment:${environment}`,
    event_name: `event_name:${run.event}`,
    ref: `ref:refs/heads/${run.branch}`,
  };
  return claimKeys.map((key) => claims[key] ?? fail(`the template has a claim this table does not model: ${key}`)).join(":");
}

export function computeRows(workflows: Workflow[], nonprod: MockRunResult, prod: MockRunResult): Row[] {
  const [template] = byType(prod, "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate");
  const claimKeys = template.inputs.includeClaimKeys as string[];
  const patterns = byType(prod, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
  const environments = byType(prod, "github:index/repositoryEnvironment:RepositoryEnvironment").map((e) => String(e.inputs.environment));
  const roles = [...rolesOf(nonprod), ...rolesOf(prod)];
  const repository = `your-org/${template.inputs.repository}`;
  return workflowRuns(workflows).map((run) => {
    const enterable = run.fork
      ? []
      : environments.filter((name) => branchAllowed(patterns.filter((p) => p.inputs.environment === name).map((p) => String(p.inputs.branchPattern)), run.branch));
    const subjects = enterable.map((environment) => subjectOf(claimKeys, repository, environment, run));
    return { ...run, environments: enterable, roles: roles.filter((role) => role.subjects.some((subject) => subjects.includes(subject))) };
  });
}

/** The table of docs/ci-and-trust.md, printed from the rows. */
export function renderTrustTable(rows: Row[]): string {
  return [
    "| run | branch | environments its jobs can enter | roles it can assume |",
    "|---|---|---|---|",
    ...rows.map((row) => `| ${row.what} | \`${row.branch}\` | ${row.fork ? "none: a fork's run gets no OIDC token" : row.environments.join(", ") || "none"} | ${row.roles.map((role) => `\`${role.name}\``).join(", ") || "none"} |`),
  ].join("\n");
}

