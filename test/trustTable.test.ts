// Who can assume which role, computed from the bootstrap's trust policies and environments
// (tools/docs/trustTable.ts), and the tables docs/ci-and-trust.md prints from the same code.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderScopeTable } from "../bootstrap/permissions";
import { renderRoleTable } from "../bootstrap/trust";
import { blockText } from "../tools/docs/blocks";
import { type Row, committedWorkflows, computeRows, renderTrustTable } from "../tools/docs/trustTable";
import { runBootstrapStacks } from "./bootstrapRuns";
import { repoRoot } from "./helpers";
import { environmentName, triggers } from "./workflowRules";

const workflows = committedWorkflows(repoRoot);

describe("who can assume which role: computed from the bootstrap's trust policies and environments", () => {
  let rows: Row[];
  let prodAccount: string;
  before(async () => {
    const { nonprod, prod } = await runBootstrapStacks();
    rows = computeRows(workflows, nonprod, prod);
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

  it("is the table docs/ci-and-trust.md shows, beside the roles and the services the deploy roles reach, printed from the same code", () => {
    const page = fs.readFileSync(path.join(repoRoot, "docs", "ci-and-trust.md"), "utf8");
    const between = (marker: string) => blockText(page, marker);
    assert.equal(between("trust-table"), renderTrustTable(rows), "run npm run docs");
    assert.equal(between("role-table"), renderRoleTable({ owner: "<owner>", name: "<repo>" }), "run npm run docs");
    assert.equal(between("scope-table"), renderScopeTable(), "run npm run docs");
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
