// The trust relationships as data: for each run a workflow can make (event, ref, fork or
// not), the GitHub environments its jobs can enter (the environments' branch rules, as the
// bootstrap creates them), the subject each job's token carries (the repository's subject
// template, as the bootstrap sets it) and the roles that subject can assume (the trust
// policies the bootstrap creates in both accounts). Nothing here is hand-listed but the
// runs themselves; a pull request's run may edit its workflows, so any environment its
// branch rules admit counts, not only the ones the committed workflows name.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderScopeTable } from "../bootstrap/permissions";
import { branchAllowed, renderRoleTable } from "../bootstrap/trust";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { runBootstrapStacks } from "./bootstrapRuns";
import { repoRoot } from "./helpers";
import { environmentName, parseWorkflow, triggers } from "./workflowRules";

interface Run {
  what: string;
  event: "pull_request" | "push" | "workflow_dispatch" | "schedule";
  /** The branch the environments' rules are matched against: a pull request's head branch. */
  branch: string;
  /** A pull request from a fork gets no OIDC token (id-token is read-only for forks). */
  fork?: boolean;
}

const workflowsFolder = path.join(repoRoot, ".github", "workflows");
const workflows = fs.readdirSync(workflowsFolder).filter((file) => file.endsWith(".yml")).sort().map((file) => parseWorkflow(file, fs.readFileSync(path.join(workflowsFolder, file), "utf8")));

/** A branch a pattern of a trigger's filter admits (`feature/**` -> `feature/x`). */
const sampleOf = (pattern: string) => pattern.replace(/\*\*?/g, "x");

/**
 * The runs the committed workflows can make: each push filter's branches, each pull request
 * into a filtered base from the branch that flows into it (feature/** into develop, develop
 * into main) and from a fork, each dispatch from any of those branches and from one no rule
 * names. The sample branches are the only hand-written part.
 */
function workflowRuns(): Run[] {
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
      runs.push({ what: `${workflow.file}: pull request into ${base}`, event: "pull_request", branch: flowsInto[base] ?? assert.fail(`no branch flows into ${base}`) });
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

interface Row extends Run {
  environments: string[];
  roles: Role[];
}

const byType = (runResult: MockRunResult, type: string) => runResult.resources.filter((r) => r.type === type);

function rolesOf(runResult: MockRunResult): Role[] {
  return byType(runResult, "aws:iam/role:Role").map((role: RecordedResource) => {
    const statement = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0];
    const equals = statement.Condition.StringEquals;
    assert.equal(equals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com", role.name);
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
  return claimKeys.map((key) => claims[key] ?? assert.fail(`the template has a claim this table does not model: ${key}`)).join(":");
}

export function computeRows(nonprod: MockRunResult, prod: MockRunResult): Row[] {
  const [template] = byType(prod, "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate");
  const claimKeys = template.inputs.includeClaimKeys as string[];
  const patterns = byType(prod, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
  const environments = byType(prod, "github:index/repositoryEnvironment:RepositoryEnvironment").map((e) => String(e.inputs.environment));
  const roles = [...rolesOf(nonprod), ...rolesOf(prod)];
  const repository = `your-org/${template.inputs.repository}`;
  return workflowRuns().map((run) => {
    const enterable = run.fork
      ? []
      : environments.filter((name) => branchAllowed(patterns.filter((p) => p.inputs.environment === name).map((p) => String(p.inputs.branchPattern)), run.branch));
    const subjects = enterable.map((environment) => subjectOf(claimKeys, repository, environment, run));
    return { ...run, environments: enterable, roles: roles.filter((role) => role.subjects.some((subject) => subjects.includes(subject))) };
  });
}

/** The README's table, printed from the rows. */
export function renderTrustTable(rows: Row[]): string {
  return [
    "| run | branch | environments its jobs can enter | roles it can assume |",
    "|---|---|---|---|",
    ...rows.map((row) => `| ${row.what} | \`${row.branch}\` | ${row.fork ? "none: a fork's run gets no OIDC token" : row.environments.join(", ") || "none"} | ${row.roles.map((role) => `\`${role.name}\``).join(", ") || "none"} |`),
  ].join("\n");
}

describe("who can assume which role: computed from the bootstrap's trust policies and environments", () => {
  let rows: Row[];
  let prodAccount: string;
  before(async () => {
    const { nonprod, prod } = await runBootstrapStacks();
    rows = computeRows(nonprod, prod);
    prodAccount = String(prod.outputs.accountId);
  });

  it("no pull-request run reaches a role that can write anything (a fork's none at all)", () => {
    for (const row of rows.filter((r) => r.event === "pull_request")) {
      assert.deepEqual(row.roles.filter((role) => role.kind !== "preview"), [], `${row.what} ${row.branch}`);
      assert.ok(row.roles.every((role) => role.account !== prodAccount), "nor anything in production's account");
    }
    assert.deepEqual(rows.find((r) => r.fork)!.roles, []);
    // The check has teeth: a branch's pull request does reach the non-production preview roles.
    const fromBranch = rows.find((r) => r.event === "pull_request" && !r.fork)!;
    assert.deepEqual(fromBranch.roles.map((role) => role.name), ["trading-bot-development-preview", "trading-bot-staging-preview"]);
    assert.deepEqual([...new Set(rows.map((r) => r.event))].sort(), ["pull_request", "push", "schedule", "workflow_dispatch"], "every event the workflows run on");
  });

  it("only main reaches a role in production's account", () => {
    for (const row of rows) {
      const production = row.roles.filter((role) => role.account === prodAccount).map((role) => role.name);
      if (row.branch === "main") assert.ok(production.length > 0, `${row.what} main`);
      else assert.deepEqual(production, [], `${row.what} ${row.branch}`);
    }
  });

  it("is the table the README shows, beside the roles and the services the deploy roles reach, printed from the same code", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const between = (marker: string) => new RegExp(`<!-- ${marker} -->\\n([\\s\\S]*?)\\n<!-- /${marker} -->`).exec(readme)?.[1];
    assert.equal(between("trust-table"), renderTrustTable(rows), "paste renderTrustTable's output between the trust-table markers");
    assert.equal(between("role-table"), renderRoleTable({ owner: "<owner>", name: "<repo>" }), "paste renderRoleTable's output between the role-table markers");
    assert.equal(between("scope-table"), renderScopeTable(), "paste renderScopeTable's output between the scope-table markers");
  });

  it("the committed workflows put pull-request jobs that can mint a token only in *-preview environments", () => {
    for (const workflow of workflows.filter((w) => triggers(w).includes("pull_request"))) {
      for (const [jobId, job] of Object.entries(workflow.jobs)) {
        const permissions = typeof job.permissions === "object" ? job.permissions : {};
        if (permissions["id-token"] !== "write") continue;
        assert.match(environmentName(job) ?? "", /-preview$/, `${workflow.file} ${jobId}`);
      }
    }
  });
});
