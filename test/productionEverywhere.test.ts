// Production is decided in one place, from the stack file as Pulumi reads it, and every tool
// reaches the same verdict: `Pulumi.live.yaml`, a copy of prod's file whose environment is
// spelt another way, is production (or refused) for env-sync, promote, the db tool, the
// plan and stacks alike, and no tool ever takes it for a non-production stack.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackConfigError } from "../stacks/config";
import { main as db } from "../packages/db";
import { main as envSync } from "../tools/envSync/index";
import { loadStack } from "../tools/plan/load";
import { main as promote } from "../tools/promote/index";
import { main as stacks } from "../tools/stacks/index";
import { inProcess, repoRoot } from "./helpers";

const environmentLine = "  trading-bot:environment: production\n";
const prod = fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8");
assert.ok(prod.includes(environmentLine));

const readable = "only development or staging make a stack non-production";
/** Each spelling: the lines written instead of the plain one, and why it is production. */
const spellings: { what: string; lines: string; prefix?: string; reason: string; valid: boolean }[] = [
  { what: "a merge key", lines: '  <<: {"trading-bot:environment": production}\n', reason: "its stack file says trading-bot:environment: production", valid: true },
  { what: "the legacy <ns>:config:<key> form", lines: "  trading-bot:config:environment: production\n", reason: "its stack file says trading-bot:config:environment: production", valid: true },
  { what: "no namespace", lines: "  environment: production\n", reason: "its stack file says environment: production", valid: true },
  { what: "!!binary", lines: "  trading-bot:environment: !!binary cHJvZHVjdGlvbg==\n", reason: "its stack file says trading-bot:environment: production", valid: true },
  { what: "an alias", prefix: "names: [&live production]\n", lines: "  trading-bot:environment: *live\n", reason: "its stack file says trading-bot:environment: production", valid: true },
  {
    what: "a secure value",
    lines: "  trading-bot:environment:\n    secure: v1:cHJvZHVjdGlvbg==\n",
    reason: `its trading-bot:environment is a secret (secure:), which nothing here can read; ${readable}`,
    valid: true,
  },
  { what: "no environment at all", lines: "", reason: `its stack file has no trading-bot:environment; ${readable}`, valid: false },
  { what: "another case", lines: "  trading-bot:environment: Production\n", reason: `its trading-bot:environment is "Production"; ${readable}`, valid: false },
  { what: "a number", lines: "  trading-bot:environment: 1\n", reason: `its trading-bot:environment is 1 (a number); ${readable}`, valid: false },
];

/** A project folder: the committed files, and live (prod's file with its environment spelt `lines`). */
function projectWith(spelling: (typeof spellings)[number]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "production-everywhere-"));
  for (const name of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(repoRoot, name), path.join(folder, name));
  // Staging's image pinned by digest, as promote requires of a source.
  const staging = fs.readFileSync(path.join(repoRoot, "Pulumi.staging.yaml"), "utf8").replace(/^( {4}image: ).*$/m, `$1${"123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot"}@sha256:${"a".repeat(64)}`);
  fs.writeFileSync(path.join(folder, "Pulumi.staging.yaml"), staging);
  fs.writeFileSync(path.join(folder, "Pulumi.live.yaml"), `${spelling.prefix ?? ""}${prod.replace(environmentLine, spelling.lines)}`);
  return folder;
}

const context = { projectRoot: repoRoot };
const sqliteUrl = (folder: string, name: string) => `sqlite:///${path.join(folder, name)}`;
/** A source URL nothing listens on: the guard must refuse before any connection. */
const unreachableSource = "postgresql://nobody@127.0.0.1:9/none";

describe("npm run plan of a stack that is production by its file alone (its environment a merge key)", () => {
  it("plans it as production: the production rules judge it, the non-production ones do not (exit 0 for a copy of prod)", () => {
    const folder = projectWith(spellings[0]);
    const run = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "plan", "live", "-C", folder], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /planning live as production: its stack file says trading-bot:environment: production\n/);
    assert.doesNotMatch(run.stdout, /non-production-/, "no non-production rule judged it (prod's copy trades live on Bybit)");
  });
});

for (const spelling of spellings) {
  describe(`Pulumi.live.yaml with trading-bot:environment written as ${spelling.what}: production for every tool`, () => {
    let folder: string;
    let original: string;
    before(() => {
      folder = projectWith(spelling);
      original = fs.readFileSync(path.join(folder, "Pulumi.live.yaml"), "utf8");
    });
    after(() => assert.equal(fs.readFileSync(path.join(folder, "Pulumi.live.yaml"), "utf8"), original, "no tool wrote the production file"));

    it("env-sync refuses it as a target and reads it as a source only with --yes", async () => {
      const into = await inProcess(() => envSync(["--from", "staging", "--to", "live", "-C", folder], context));
      assert.deepEqual(into, { status: 2, stdout: "", stderr: `env-sync: refusing to write to live, a production stack: ${spelling.reason}; config flows from production down, never into it\n` });
      const from = await inProcess(() => envSync(["--from", "live", "--to", "dev", "-C", folder], context));
      assert.deepEqual(from, { status: 2, stdout: "", stderr: `env-sync: live is a production stack: ${spelling.reason}; check what would change with --dry-run, then pass --yes to copy from it\n` });
    });

    it("promote refuses it as a target without --yes", async () => {
      const run = await inProcess(() => promote(["--from", "staging", "--to", "live", "-C", folder], context));
      assert.deepEqual(run, {
        status: 2,
        stdout: "",
        stderr: `promote: refusing to promote into live without --yes: it is a production stack: ${spelling.reason}; check the change with --dry-run, then pass --yes\n`,
      });
    });

    for (const command of ["schema", "subset", "seed", "import", "verify"]) {
      it(`db ${command} refuses it as a target before any connection`, async () => {
        const source = command === "seed" || command === "import" ? [] : ["--from-url", unreachableSource, "--from-stack", "staging"];
        const extra = command === "import" ? ["--in", folder] : command === "verify" ? ["--type", "schema"] : [];
        const run = await inProcess(() => db([command, ...source, "--to-url", sqliteUrl(folder, `${command}.db`), "--to-stack", "live", "-C", folder, ...extra], context));
        assert.deepEqual(run, { status: 2, stdout: "", stderr: `db: refusing to write to the stack live: it is production (${spelling.reason}); data flows from production down, never into it\n` });
        assert.equal(fs.existsSync(path.join(folder, `${command}.db`)), false);
      });
    }

    it("db reads it as a source only with --yes", async () => {
      const run = await inProcess(() => db(["schema", "--from-url", unreachableSource, "--from-stack", "live", "--to-url", sqliteUrl(folder, "copy.db"), "--to-stack", "dev", "-C", folder], context));
      assert.deepEqual(run, { status: 2, stdout: "", stderr: `db: the source stack live is production (${spelling.reason}): pass --yes to confirm you are authorised to copy from it\n` });
    });

    it(spelling.valid ? "the plan plans it as production" : "the plan refuses it (the stack config check), never planning it as non-production", async () => {
      let reason: string | undefined;
      // inProcess keeps the plan's progress lines out of the test report.
      const run = await inProcess(async () => {
        try {
          reason = loadStack("live", folder, repoRoot).productionReason;
          return 0;
        } catch (error) {
          if (error instanceof StackConfigError) return 2;
          throw error;
        }
      });
      assert.deepEqual([run.status, reason], spelling.valid ? [0, spelling.reason] : [2, undefined]);
    });

    it(spelling.valid ? "stacks lists it as production, deployed from main" : "stacks refuses it, never listing it as non-production", async () => {
      const run = await inProcess(() => stacks(["--json", "-C", folder], context));
      if (!spelling.valid) {
        assert.equal(run.status, 2);
        assert.match(run.stderr, /^stacks: Pulumi\.live\.yaml: trading-bot:environment is .*; allowed: development, staging, production\n$/);
        return;
      }
      const listed = JSON.parse(run.stdout) as { name: string; dataSync: unknown; account: unknown }[];
      const live = listed.find((stack) => stack.name === "live");
      const { dataSync, account } = listed.find((stack) => stack.name === "prod")!;
      assert.deepEqual(live, { name: "live", environment: "production", production: true, productionReason: spelling.reason, branch: "main", dataSync, account });
    });
  });
}
