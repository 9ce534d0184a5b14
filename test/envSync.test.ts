// `npm run env-sync` on real stack files in a temporary folder.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { sharedConfigPaths } from "../stacks/config";
import { repoRoot } from "./helpers";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function envSync(folder: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "envSync", "-C", folder, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const committed = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

/** A folder with the given stack files (the committed ones unless replaced). */
function folderWith(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "env-sync-test-"));
  for (const [stack, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
  return folder;
}

const read = (folder: string, stack: string) => fs.readFileSync(path.join(folder, `Pulumi.${stack}.yaml`), "utf8");
const configOf = (text: string) => (YAML.parse(text) as { config: Record<string, any> }).config;
const backupsIn = (folder: string) => (fs.existsSync(path.join(folder, ".pulumi-backups")) ? fs.readdirSync(path.join(folder, ".pulumi-backups")) : []);

/** A staging stack whose shared settings and environment-specific ones both differ from dev's. */
const staging = committed("dev")
  .replace("logFormat: json", "logFormat: text")
  .replace("apiPrefix: /api/v1", "apiPrefix: /api/v2")
  .replace("symbol: BTCUSDT", "symbol: ETHUSDT")
  .replace("minProfitRate: 0.001", "minProfitRate: 0.002")
  .replace("logLevel: DEBUG", "logLevel: INFO")
  .replace("cpu: 256\n    memoryMiB: 512", "cpu: 512\n    memoryMiB: 1024")
  .replace("monthlyUsd: 15", "monthlyUsd: 40");

describe("npm run env-sync", () => {
  it("reads which keys are shared from the schema", () => {
    assert.deepEqual(sharedConfigPaths(), [["trading-bot:app", "logFormat"], ["trading-bot:app", "apiPrefix"], ["trading-bot:tradingConfig"]]);
  });

  it("copies the shared keys, never the environment-specific ones, and keeps comments and key order", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 0, run.stderr);
    const after = read(folder, "dev");
    const config = configOf(after);
    assert.equal(config["trading-bot:app"].logFormat, "text");
    assert.equal(config["trading-bot:app"].apiPrefix, "/api/v2");
    assert.deepEqual(config["trading-bot:tradingConfig"].strategies[0], { name: "arbitrage-test", symbol: "ETHUSDT", minProfitRate: 0.002, maxPositionSize: 1000 });
    // environment-specific: untouched although they differ
    assert.equal(config["trading-bot:app"].logLevel, "DEBUG");
    assert.equal(config["trading-bot:service"].cpu, 256);
    assert.equal(config["trading-bot:budget"].monthlyUsd, 15);
    // only the four changed lines differ; every comment and key stays where it was
    const before = committed("dev").split("\n");
    const changed = after.split("\n").filter((line, index) => line !== before[index]);
    assert.deepEqual(changed, ["    logFormat: text", "    apiPrefix: /api/v2", "        symbol: ETHUSDT", "        minProfitRate: 0.002"]);
    assert.match(run.stdout, /^Shared keys copied from Pulumi\.staging\.yaml: trading-bot:app\.logFormat, trading-bot:app\.apiPrefix, trading-bot:tradingConfig$/m);
    assert.match(run.stdout, /^-    logFormat: json$/m);
    assert.match(run.stdout, /^\+    logFormat: text$/m);
    assert.match(run.stdout, /^Apply it \(the services restart with the new config\): pulumi up --stack dev$/m);
    const [backup] = backupsIn(folder);
    assert.match(backup, /^Pulumi\.dev\.yaml\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    assert.equal(fs.readFileSync(path.join(folder, ".pulumi-backups", backup), "utf8"), committed("dev"));
    assert.match(run.stdout, new RegExp(`^Backed up the old Pulumi\\.dev\\.yaml to \\.pulumi-backups/${backup.replace(/\./g, "\\.")}\\.$`, "m"));
  });

  it("says so when there is nothing to copy", () => {
    const folder = folderWith({ dev: committed("dev"), staging: committed("dev") });
    const run = envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "Pulumi.dev.yaml already agrees with Pulumi.staging.yaml on every shared key.\n");
    assert.deepEqual(backupsIn(folder), []);
  });

  for (const target of ["prod", "production"]) {
    it(`refuses ${target} as the target before touching anything (exit 2)`, () => {
      const folder = folderWith({ dev: committed("dev"), [target]: committed("prod") });
      const run = envSync(folder, "--from", "dev", "--to", target, "--yes");
      assert.equal(run.status, 2);
      assert.equal(run.stderr, `env-sync: refusing to write to ${target}: it is a production stack (prod, production); config flows from production down, never into it\n`);
      assert.equal(read(folder, target), committed("prod"));
      assert.deepEqual(backupsIn(folder), []);
    });
  }

  it("asks for --yes to copy from production, and warns when given it", () => {
    const prod = committed("prod").replace("symbol: BTCUSDT", "symbol: SOLUSDT");
    const folder = folderWith({ dev: committed("dev"), prod });
    const refused = envSync(folder, "--from", "prod", "--to", "dev");
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, "env-sync: prod is a production stack: check what would change with --dry-run, then pass --yes to copy from it\n");
    assert.equal(read(folder, "dev"), committed("dev"));
    const run = envSync(folder, "--from", "prod", "--to", "dev", "--yes");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "env-sync: warning: copying from the production stack prod\n");
    assert.equal(configOf(read(folder, "dev"))["trading-bot:tradingConfig"].strategies[0].symbol, "SOLUSDT");
  });

  it("skips secure values and prints the pulumi config cp commands that re-encrypt them", () => {
    const secureStaging = staging
      .replace("    logFormat: text\n", "    logFormat:\n      secure: v1:bG9nLWZvcm1hdA==\n")
      .replace(/  trading-bot:tradingConfig:\n(    .*\n|      .*\n|        .*\n)+/, "  trading-bot:tradingConfig:\n    secure: v1:dHJhZGluZy1jb25maWc=\n");
    const folder = folderWith({ dev: committed("dev"), staging: secureStaging });
    const run = envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Shared keys copied from Pulumi\.staging\.yaml: trading-bot:app\.apiPrefix$/m);
    assert.ok(run.stdout.includes(
      [
        "Secret values are encrypted per stack and were not copied; copy them with:",
        "  pulumi config cp --stack staging --dest dev --path 'trading-bot:app.logFormat'",
        "  pulumi config cp --stack staging --dest dev 'trading-bot:tradingConfig'",
      ].join("\n"),
    ), run.stdout);
    const config = configOf(read(folder, "dev"));
    assert.equal(config["trading-bot:app"].logFormat, "json");
    assert.equal(config["trading-bot:tradingConfig"].strategies[0].symbol, "BTCUSDT");
    assert.doesNotMatch(run.stdout, /bG9nLWZvcm1hdA|dHJhZGluZy1jb25maWc/);
  });

  it("restores the backup when the result fails the schema (exit 1)", () => {
    const folder = folderWith({ dev: committed("dev"), staging: staging.replace("symbol: ETHUSDT", "symbol: eth-usdt") });
    const run = envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 1);
    assert.equal(read(folder, "dev"), committed("dev"), "byte-identical to before");
    const [backup] = backupsIn(folder);
    assert.equal(
      run.stderr,
      `env-sync: the synced Pulumi.dev.yaml fails the stack config schema; restored it from .pulumi-backups/${backup}:\n` +
        '  Pulumi.dev.yaml: trading-bot:tradingConfig.strategies[0].symbol is "eth-usdt"; allowed: a Bybit symbol such as BTCUSDT\n',
    );
  });

  it("writes nothing with --dry-run, but prints the diff", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = envSync(folder, "--from", "staging", "--to", "dev", "--dry-run");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\+        symbol: ETHUSDT$/m);
    assert.match(run.stdout, /^Dry run: nothing written\.$/m);
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.deepEqual(backupsIn(folder), []);
  });

  const refusals: [string, string[], string][] = [
    ["a missing target file", ["--from", "dev", "--to", "qa"], "env-sync: Pulumi.qa.yaml does not exist in FOLDER\n"],
    ["the same stack twice", ["--from", "dev", "--to", "dev"], "env-sync: --from and --to name the same stack\n"],
    ["a missing --to", ["--from", "dev"], "error: required option '--to <stack>' not specified\n"],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} (exit 2)`, () => {
      const folder = folderWith({ dev: committed("dev") });
      const run = envSync(folder, ...args);
      assert.equal(run.status, 2);
      assert.equal(run.stderr, message.replace("FOLDER", folder));
    });
  }
});
