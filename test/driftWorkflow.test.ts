// The drift workflow (.github/workflows/drift.yml): who runs where with which token, and its two
// scripts run as GitHub runs them (bash -eo pipefail) against a stand-in pulumi (a clean stack,
// a drifted one, a failed preview) and a stand-in gh (no issue yet, an open one, a clean stack).
// The hardening rules and actionlint run on it with every workflow (test/workflows.test.ts).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks } from "../tools/stacks/index";
import { repoRoot } from "./helpers";
import { Job, Step, environmentName, parseWorkflow, triggers } from "./workflowRules";

const drift = parseWorkflow("drift.yml", fs.readFileSync(path.join(repoRoot, ".github", "workflows", "drift.yml"), "utf8"));
const { stacks, drift: check, issues } = drift.jobs;
const stepNamed = (job: Job, name: string): Step => {
  const step = (job.steps ?? []).find((s) => s.name === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
};
const usesOf = (job: Job) => (job.steps ?? []).map((step) => step.uses?.split("@")[0] ?? step.name ?? step.run);

describe("drift.yml: who runs where, with which token", () => {
  it("runs every morning and by hand, on nothing else", () => {
    assert.deepEqual(triggers(drift), ["schedule", "workflow_dispatch"]);
    assert.deepEqual((drift.on as { schedule: { cron: string }[] }).schedule, [{ cron: "17 6 * * *" }]);
  });

  it("lists every stack of the branch in a first job without secrets or cloud credentials", () => {
    assert.deepEqual(stacks.permissions, { contents: "read" });
    assert.doesNotMatch(JSON.stringify(stacks), /secrets\.|environment/);
    assert.match(stepNamed(stacks, "List the stacks").run!, /^stacks=\$\(npm run -s stacks -- --json\)$/m);
  });

  it("previews each stack in its read-only *-preview environment with the preview role, never a deploy role", () => {
    assert.deepEqual(check.strategy?.matrix, { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
    assert.equal(check.environment, "${{ matrix.stack.environment }}-preview");
    assert.deepEqual(check.permissions, { contents: "read", "id-token": "write" });
    assert.deepEqual(usesOf(check), ["actions/checkout", "actions/setup-node", "npm ci --ignore-scripts", "aws-actions/configure-aws-credentials", "pulumi/actions",
      "Preview with a refresh, expecting no change", "actions/upload-artifact"]);
    const keep = (check.steps ?? []).find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    assert.equal(keep.if, "${{ !cancelled() && steps.preview.outputs.result != '' }}", "a drifted stack fails its job: its result is kept all the same");
    assert.deepEqual(keep.with, { name: "drift-${{ matrix.stack.name }}", path: "drift/", "retention-days": 7 });
    assert.deepEqual((check.steps ?? []).find((s) => s.uses?.startsWith("aws-actions/"))?.with, { "role-to-assume": "${{ secrets.AWS_PREVIEW_ROLE_ARN }}", "aws-region": "us-east-1", "role-duration-seconds": 3600 });
    assert.doesNotMatch(drift.text, /AWS_DEPLOY_ROLE_ARN|AWS_DATA_SYNC_ROLE_ARN/);
    assert.deepEqual(stepNamed(check, "Preview with a refresh, expecting no change").env, { STACK: "${{ matrix.stack.name }}", PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
    // Production credentials: no dependency cache.
    assert.equal((check.steps ?? []).find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["package-manager-cache"], false);
    // Its own concurrency group: a queued job in the deploys' group would replace a queued deploy.
    assert.deepEqual(check.concurrency, { group: "drift-${{ matrix.stack.name }}", "cancel-in-progress": true });
    assert.equal((check as { "timeout-minutes"?: number })["timeout-minutes"], 30);
  });

  it("enters only the *-preview environments issue 19 creates, whatever the stack files say", () => {
    const entered = new Set(listStacks(repoRoot).map((stack) => `${stack.environment}-preview`));
    assert.deepEqual([...entered].sort(), ["development-preview", "production-preview", "staging-preview"]);
  });

  it("writes issues from a last job of its own: issues: write and nothing else, none of the repository's code", () => {
    assert.deepEqual(issues.permissions, { "issues": "write" });
    assert.deepEqual(usesOf(issues), ["actions/download-artifact", "Open, update or close each stack's drift issue"]);
    assert.equal(issues.needs, "drift");
    assert.equal(issues.if, "${{ !cancelled() }}", "also after a drifted stack failed its job");
    assert.equal(environmentName(issues), undefined);
    assert.deepEqual(stepNamed(issues, "Open, update or close each stack's drift issue").env, {
      GH_TOKEN: "${{ github.token }}",
      RUN_URL: "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
    });
    for (const job of [stacks, check]) assert.equal(typeof job.permissions === "object" && job.permissions.issues, undefined);
  });
});

// ---- the two scripts, run as GitHub runs them ----

interface Run {
  status: number | null;
  stdout: string;
  outputs: string;
  summary: string;
  /** Each call of a stand-in, its arguments. */
  calls: string[][];
  cwd: string;
}

/** pulumi and gh stand-ins: each call's arguments on a line of $STANDIN_LOG (0x1f between them). */
const standIns = {
  pulumi: `#!/usr/bin/env bash
args=("$@"); (IFS=$'\\x1f'; printf 'pulumi\\x1f%s\\n' "\${args[*]}") >>"$STANDIN_LOG"
cat "$PREVIEW_OUTPUT"
exit "$PREVIEW_STATUS"
`,
  gh: `#!/usr/bin/env bash
args=("$@"); (IFS=$'\\x1f'; printf 'gh\\x1f%s\\n' "\${args[*]}") >>"$STANDIN_LOG"
for ((i = 0; i < \${#args[@]}; i++)); do
  if [[ "\${args[i]}" == --jq ]]; then jq -r "\${args[i + 1]}" "$OPEN_ISSUES"; fi
  if [[ "\${args[i]}" == --body-file ]]; then cp "\${args[i + 1]}" "$STANDIN_LOG.body"; fi
done
`,
};

function runScript(jobName: "drift" | "issues", stepName: string, env: Record<string, string>, prepare: (cwd: string) => Record<string, string>): Run {
  const step = stepNamed(drift.jobs[jobName], stepName);
  assert.deepEqual(Object.keys(env).sort(), Object.keys(step.env ?? {}).sort(), "the step's env");
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "drift-step-"));
  const bin = path.join(cwd, ".bin");
  fs.mkdirSync(bin);
  for (const [tool, text] of Object.entries(standIns)) fs.writeFileSync(path.join(bin, tool), text, { mode: 0o755 });
  const files = { log: path.join(cwd, ".standin-log"), outputs: path.join(cwd, ".github-output"), summary: path.join(cwd, ".step-summary") };
  for (const file of Object.values(files)) fs.writeFileSync(file, "");
  fs.writeFileSync(path.join(cwd, ".step.sh"), step.run!);
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", ".step.sh"], {
    cwd,
    encoding: "utf8",
    timeout: 30_000,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: os.homedir(),
      TMPDIR: os.tmpdir(), // the run's temporary folder (test/support/runTempFolder.js)
      GITHUB_OUTPUT: files.outputs,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_REPOSITORY: "acme/trading-bot-infra",
      STANDIN_LOG: files.log,
      ...prepare(cwd),
      ...env,
    },
  });
  const calls = fs.readFileSync(files.log, "utf8").split("\n").filter(Boolean).map((line) => line.split("\x1f"));
  return { status: result.status, stdout: result.stdout, outputs: fs.readFileSync(files.outputs, "utf8"), summary: fs.readFileSync(files.summary, "utf8"), calls, cwd };
}

const diff = [
  "Previewing update (prod):",
  "  pulumi:pulumi:Stack: (same)",
  "    ~ aws:cloudwatch/metricAlarm:MetricAlarm: (update)",
  "        [urn=urn:pulumi:prod::trading-bot::trading-bot:infra:Alerts$aws:cloudwatch/metricAlarm:MetricAlarm::trading-bot-alerts-TaskDown]",
  "      ~ evaluationPeriods: 3 => 10",
  "    + aws:cloudwatch/metricAlarm:MetricAlarm: (create)",
  "        [urn=urn:pulumi:prod::trading-bot::trading-bot:infra:Alerts$aws:cloudwatch/metricAlarm:MetricAlarm::trading-bot-alerts-Heartbeat]",
  "Resources:",
  "    + 1 to create",
  "    ~ 1 to update",
  "    2 changes. 76 unchanged",
].join("\n");

describe("drift.yml's preview step, against a stand-in pulumi", () => {
  const preview = (output: string, status: number) =>
    runScript("drift", "Preview with a refresh, expecting no change", { STACK: "prod", PULUMI_ACCESS_TOKEN: "pul-stand-in" }, (cwd) => {
      fs.writeFileSync(path.join(cwd, ".preview"), output);
      return { PREVIEW_OUTPUT: path.join(cwd, ".preview"), PREVIEW_STATUS: String(status) };
    });
  const previewArgs = ["pulumi", "preview", "--stack", "prod", "--refresh", "--expect-no-changes", "--diff", "--non-interactive", "--color", "never"];

  it("passes a stack without drift, saying so in the summary, and keeps the result", () => {
    const run = preview("Previewing update (prod):\nResources:\n    78 unchanged\n", 0);
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(run.calls, [previewArgs]);
    assert.equal(run.outputs, "result=clean\n");
    assert.equal(run.summary, "### prod: no drift\n");
    assert.equal(fs.readFileSync(path.join(run.cwd, "drift", "prod.result"), "utf8"), "clean\n");
  });

  for (const words of ["error: no changes were expected but changes were proposed", "error: no changes were expected for preview but changes were proposed"]) {
    it(`fails a drifted stack with the diff in the job summary ("${words}")`, () => {
      const run = preview(`${diff}\n${words}\n`, 255);
      assert.equal(run.status, 1);
      assert.equal(run.outputs, "result=drift\n");
      assert.equal(run.summary, `### prod: drift: AWS differs from the stack (docs/operations.md, "Drift")\n\`\`\`diff\n${diff}\n${words}\n\`\`\`\n`);
      assert.equal(fs.readFileSync(path.join(run.cwd, "drift", "prod.result"), "utf8"), "drift\n");
      assert.equal(fs.readFileSync(path.join(run.cwd, "drift", "prod.txt"), "utf8"), `${diff}\n${words}\n`);
      assert.ok(run.stdout.includes(diff), "the log shows it too");
    });
  }

  it("tells a failed preview (credentials, the backend) from drift", () => {
    const run = preview("error: failed to get stack: [403] Forbidden\n", 255);
    assert.equal(run.status, 1);
    assert.equal(run.outputs, "result=error\n");
    assert.equal(run.summary, "### prod: the preview failed (exit 255)\n```diff\nerror: failed to get stack: [403] Forbidden\n```\n");
  });

  it("keeps at most 900,000 bytes of a huge diff in the summary (a step summary holds 1 MiB)", () => {
    const run = preview(`${"~ a resource changed\n".repeat(60_000)}error: no changes were expected but changes were proposed\n`, 255);
    assert.equal(run.outputs, "result=drift\n");
    assert.ok(run.summary.length < 1024 * 1024, String(run.summary.length));
    assert.match(run.summary, /no changes were expected but changes were proposed\n```\n$/);
  });
});

describe("drift.yml's issues step, against a stand-in gh", () => {
  const issue = (number: number, title: string) => ({ number, title });
  function report(results: Record<string, string>, open: { number: number; title: string }[]): Run {
    return runScript("issues", "Open, update or close each stack's drift issue", { GH_TOKEN: "ghs_stand-in", RUN_URL: "https://github.com/acme/trading-bot-infra/actions/runs/4242" }, (cwd) => {
      fs.mkdirSync(path.join(cwd, "drift"));
      for (const [stack, result] of Object.entries(results)) {
        fs.writeFileSync(path.join(cwd, "drift", `${stack}.result`), `${result}\n`);
        fs.writeFileSync(path.join(cwd, "drift", `${stack}.txt`), `${diff}\n`);
      }
      fs.writeFileSync(path.join(cwd, ".open-issues"), JSON.stringify(open));
      return { OPEN_ISSUES: path.join(cwd, ".open-issues") };
    });
  }
  const repo = ["--repo", "acme/trading-bot-infra"];
  const label = ["gh", "label", "create", "drift", ...repo, "--color", "B60205", "--force", "--description", "AWS differs from the stack files (the drift workflow)"];
  const list = ["gh", "issue", "list", ...repo, "--label", "drift", "--state", "open", "--limit", "100", "--json", "number,title", "--jq"];
  const listed = (run: Run) => run.calls.filter((call) => call[2] === "list").map((call) => call.at(-1));

  it("opens an issue for a stack that drifted and has none, with the run and the diff", () => {
    const run = report({ prod: "drift" }, [issue(7, "Drift in the stack staging")]);
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.calls.length, 3);
    assert.deepEqual(run.calls[0], label);
    assert.deepEqual(run.calls[1].slice(0, -1), list);
    assert.deepEqual(listed(run), ['map(select(.title == "Drift in the stack prod")) | .[0].number // empty']);
    assert.deepEqual(run.calls[2].slice(0, -1), ["gh", "issue", "create", ...repo, "--title", "Drift in the stack prod", "--label", "drift", "--body-file"]);
    const body = fs.readFileSync(path.join(run.cwd, ".standin-log.body"), "utf8");
    assert.match(body, /^AWS differs from what the stack file and the last `pulumi up` of \*\*prod\*\* say: https:\/\/github\.com\/acme\/trading-bot-infra\/actions\/runs\/4242$/m);
    assert.ok(body.includes(`\`\`\`diff\n${diff}\n\`\`\`\n</details>\n`));
  });

  it("comments on the open issue of a stack that drifted again, and closes the issue of a stack that is clean now", () => {
    const run = report({ prod: "drift", staging: "clean", dev: "clean" }, [issue(12, "Drift in the stack prod"), issue(7, "Drift in the stack staging")]);
    assert.equal(run.status, 0, run.stdout);
    const writes = run.calls.filter((call) => call[1] === "issue" && ["comment", "close", "create"].includes(call[2])).map((call) => call.slice(2, 4));
    assert.deepEqual(writes, [["comment", "12"], ["close", "7"]], "dev is clean and has no issue: nothing");
    assert.deepEqual(run.calls.find((call) => call[2] === "close"), ["gh", "issue", "close", "7", ...repo, "--comment", "No drift any more: https://github.com/acme/trading-bot-infra/actions/runs/4242"]);
  });

  it("writes nothing for a stack whose preview failed, nor for a result that is not a stack's", () => {
    const run = report({ prod: "error", "Prod": "drift", "a-b-c-d-e-f-g-h-i-j-k": "drift" }, [issue(12, "Drift in the stack prod")]);
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(run.calls.filter((call) => call[1] === "issue").map((call) => call[2]), ["list"], "only prod (error) is looked up");
  });

  it("does nothing but the label when no stack left a result", () => {
    const run = report({}, []);
    assert.equal(run.status, 0);
    assert.deepEqual(run.calls, [label]);
  });
});
