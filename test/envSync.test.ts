// `npm run env-sync` on real stack files in a temporary folder: what it decides through its main
// in-process; a whole run and a FIFO target in child processes.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { sharedConfigPaths } from "../stacks/config";
import { parseStackText } from "../tools/common/stackFileWriter";
import { main as envSyncMain, planSync } from "../tools/envSync/index";
import { inProcess, repoRoot } from "./helpers";
import { type LinkedTarget, backupsIn, committed, fingerprint, folderWith, leftovers, prodLinkedTargets, read, runTool, stackPath, temporaryFolder } from "./stackFileTools";

/** `npm run env-sync -- -C <folder> ...args` in a child process, as a user runs it. */
const envSyncProcess = (folder: string, ...args: string[]) => runTool("envSync", folder, args);
/** The tool's main in this process, output captured. */
const envSync = (folder: string, ...args: string[]) => inProcess(() => envSyncMain(["-C", folder, ...args], { projectRoot: repoRoot }));
const configOf = (text: string) => (YAML.parse(text) as { config: Record<string, any> }).config;

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

  it("plans a sync as a pure function of the two files", () => {
    const source = parseStackText("staging", staging);
    const target = parseStackText("dev", committed("dev"));
    const plan = planSync(source, target);
    assert.deepEqual(plan.copied, ["trading-bot:app.logFormat", "trading-bot:app.apiPrefix", "trading-bot:tradingConfig"]);
    assert.deepEqual(plan.secureCommands, []);
    assert.equal(configOf(plan.updatedText ?? "")["trading-bot:app"].logFormat, "text");
    assert.equal(target.document.toString({ lineWidth: 0 }), committed("dev"), "the target's document is not modified");
    assert.equal(planSync(source, source).updatedText, undefined, "nothing to change");
  });

  it("copies the shared keys, never the environment-specific ones, and keeps comments and key order", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = envSyncProcess(folder, "--from", "staging", "--to", "dev");
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
    assert.match(run.stdout, /^Apply it: pulumi up --stack dev$/m);
    const [backup] = backupsIn(folder);
    assert.match(backup, /^Pulumi\.dev\.yaml\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.\d+$/);
    assert.equal(fs.readFileSync(path.join(folder, ".pulumi-backups", backup), "utf8"), committed("dev"));
    assert.match(run.stdout, new RegExp(`^Backed up the old Pulumi\\.dev\\.yaml to \\.pulumi-backups/${backup.replace(/\./g, "\\.")}\\.$`, "m"));
  });

  it("says so when there is nothing to copy", async () => {
    const folder = folderWith({ dev: committed("dev"), staging: committed("dev") });
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "Pulumi.dev.yaml already agrees with Pulumi.staging.yaml on every shared key.\n");
    assert.deepEqual(backupsIn(folder), []);
  });

  for (const target of ["prod", "production"]) {
    it(`refuses ${target} as the target before touching anything (exit 2)`, async () => {
      const folder = folderWith({ dev: committed("dev"), [target]: committed("prod") });
      const run = await envSync(folder, "--from", "dev", "--to", target, "--yes");
      assert.equal(run.status, 2);
      assert.equal(run.stderr, `env-sync: refusing to write to ${target}, a production stack: its name is a production name (prod, production); config flows from production down, never into it\n`);
      assert.equal(read(folder, target), committed("prod"));
      assert.deepEqual(leftovers(folder), []);
    });
  }

  it("asks for --yes to copy from production, and warns when given it", async () => {
    const prod = committed("prod").replace("symbol: BTCUSDT", "symbol: SOLUSDT");
    const folder = folderWith({ dev: committed("dev"), prod });
    const refused = await envSync(folder, "--from", "prod", "--to", "dev");
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, "env-sync: prod is a production stack: its name is a production name (prod, production); check what would change with --dry-run, then pass --yes to copy from it\n");
    assert.equal(read(folder, "dev"), committed("dev"));
    const run = await envSync(folder, "--from", "prod", "--to", "dev", "--yes");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "env-sync: warning: copying from the production stack prod\n");
    assert.equal(configOf(read(folder, "dev"))["trading-bot:tradingConfig"].strategies[0].symbol, "SOLUSDT");
  });

  it("skips secure values and prints the pulumi config cp commands that re-encrypt them", async () => {
    const secureStaging = staging
      .replace("    logFormat: text\n", "    logFormat:\n      secure: v1:bG9nLWZvcm1hdA==\n")
      .replace(/  trading-bot:tradingConfig:\n(    .*\n|      .*\n|        .*\n)+/, "  trading-bot:tradingConfig:\n    secure: v1:dHJhZGluZy1jb25maWc=\n");
    const folder = folderWith({ dev: committed("dev"), staging: secureStaging });
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
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

  it("refuses a result that fails the schema before writing anything (exit 1)", async () => {
    const folder = folderWith({ dev: committed("dev"), staging: staging.replace("symbol: ETHUSDT", "symbol: eth-usdt") });
    const before = fingerprint(stackPath(folder, "dev"));
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      "env-sync: the synced Pulumi.dev.yaml would fail the stack config schema; nothing written:\n" +
        '  Pulumi.dev.yaml: trading-bot:tradingConfig.strategies[0].symbol is "eth-usdt"; allowed: a Bybit symbol such as BTCUSDT\n',
    );
    assert.match(run.stdout, /^\+        symbol: eth-usdt$/m);
    assert.deepEqual(fingerprint(stackPath(folder, "dev")), before, "never opened for writing");
    assert.deepEqual(leftovers(folder), []);
  });

  it("says with --dry-run too that the result would fail the schema (exit 1)", async () => {
    const folder = folderWith({ dev: committed("dev"), staging: staging.replace("symbol: ETHUSDT", "symbol: eth-usdt") });
    const run = await envSync(folder, "--from", "staging", "--to", "dev", "--dry-run");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^env-sync: the synced Pulumi\.dev\.yaml would fail the stack config schema; nothing written:$/m);
    assert.equal(read(folder, "dev"), committed("dev"));
  });

  it("writes nothing with --dry-run, but prints the diff", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = await envSync(folder, "--from", "staging", "--to", "dev", "--dry-run");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\+        symbol: ETHUSDT$/m);
    assert.match(run.stdout, /^Dry run: nothing written\.$/m);
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.deepEqual(leftovers(folder), []);
  });

  it("refuses a target whose trading-bot:app is empty in one line (exit 2), writing nothing", async () => {
    const emptyApp = committed("dev").replace(/^  trading-bot:app:\n(?: {4}.*\n)+/m, "  trading-bot:app:\n");
    assert.notEqual(emptyApp, committed("dev"));
    const folder = folderWith({ dev: emptyApp, staging });
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.stderr, "env-sync: Pulumi.dev.yaml: trading-bot:app is not a plain mapping in the file; set trading-bot:app.logFormat there by hand\n");
    assert.equal(run.status, 2);
    assert.equal(read(folder, "dev"), emptyApp);
    assert.deepEqual(leftovers(folder), []);
  });

  it("refuses a source that writes a shared value with a YAML alias in one line (exit 2), writing nothing", async () => {
    const aliased = `x: &fmt text\n${staging.replace("logFormat: text", "logFormat: *fmt")}`;
    const folder = folderWith({ dev: committed("dev"), staging: aliased });
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.stderr, "env-sync: Pulumi.staging.yaml: trading-bot:app.logFormat is written with a YAML alias or merge key; write it out to copy it\n");
    assert.equal(run.status, 2);
    assert.equal(read(folder, "dev"), committed("dev"));
  });

  const refusals: [string, string[], string][] = [
    ["a missing target file", ["--from", "dev", "--to", "qa"], "env-sync: Pulumi.qa.yaml does not exist in FOLDER\n"],
    ["the same stack twice", ["--from", "dev", "--to", "dev"], "env-sync: --from and --to name the same stack\n"],
    ["a missing --to", ["--from", "dev"], "error: required option '--to <stack>' not specified\n"],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} (exit 2)`, async () => {
      const folder = folderWith({ dev: committed("dev") });
      const run = await envSync(folder, ...args);
      assert.equal(run.status, 2);
      assert.equal(run.stderr, message.replace("FOLDER", folder));
    });
  }
});

describe("npm run env-sync never writes production through another name", () => {
  /**
   * A folder with dev, staging and prod, a way in (`prepare`), and prod's fingerprint before the
   * run; `sync` runs the tool (in this process unless a test needs a process of its own).
   */
  async function attempt(prepare: (folder: string) => void, to: string, extra: string[] = [], sync: typeof envSyncProcess | typeof envSync = envSync) {
    const folder = folderWith({ dev: committed("dev"), staging, prod: committed("prod") });
    prepare(folder);
    const prodBefore = fingerprint(stackPath(folder, "prod"));
    const run = await sync(folder, "--from", "staging", "--to", to, ...extra);
    return { folder, run, prodUntouched: () => assert.deepEqual(fingerprint(stackPath(folder, "prod")), prodBefore, "prod's bytes and mtime") };
  }

  const bypasses: LinkedTarget[] = [
    [
      "ln -s Pulumi.prod.yaml Pulumi.Prod.yaml, then --to Prod (refused by the stack name rule)",
      (folder) => fs.symlinkSync("Pulumi.prod.yaml", stackPath(folder, "Prod")),
      "Prod",
      'env-sync: "Prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen\n',
    ],
    ...prodLinkedTargets("env-sync", {
      symbolic: "ln -s Pulumi.prod.yaml Pulumi.qa.yaml, then --to qa (refused as a link)",
      hard: "ln Pulumi.prod.yaml Pulumi.qa.yaml, then --to qa (refused as a hard link)",
    }),
    [
      "a stack live whose file says environment: production (refused by its content)",
      (folder) => fs.writeFileSync(stackPath(folder, "live"), committed("prod").replace("Stack: prod", "Stack: live")),
      "live",
      "env-sync: refusing to write to live, a production stack: its stack file says trading-bot:environment: production; config flows from production down, never into it\n",
    ],
    [
      "a link to prod's file from another folder's name (../x)",
      () => undefined,
      "../prod",
      'env-sync: "../prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen\n',
    ],
  ];
  for (const [what, prepare, to, message] of bypasses) {
    it(`refuses ${what}: exit 2, prod untouched, nothing left behind`, async () => {
      const { folder, run, prodUntouched } = await attempt(prepare, to, ["--yes"]);
      assert.equal(run.status, 2, run.stdout);
      assert.equal(run.stderr, message);
      assert.equal(run.stdout, "");
      prodUntouched();
      assert.deepEqual(leftovers(folder), []);
    });
  }

  it("refuses a target that is not a regular file (a FIFO would block a reader) without opening it for long", async () => {
    const { folder, run, prodUntouched } = await attempt((dir) => {
      const made = spawnSync("mkfifo", [stackPath(dir, "qa")]);
      assert.equal(made.status, 0, String(made.stderr));
      // A child process: were the FIFO opened, a process can be killed after its timeout, this one could not.
    }, "qa", [], envSyncProcess);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "env-sync: Pulumi.qa.yaml is not a regular file\n");
    prodUntouched();
    assert.deepEqual(leftovers(folder), []);
  });

  it("asks for --yes to copy from a stack that is production by its content (live)", async () => {
    const live = committed("prod").replace("Stack: prod", "Stack: live").replace("symbol: BTCUSDT", "symbol: SOLUSDT");
    const folder = folderWith({ dev: committed("dev"), live });
    const refused = await envSync(folder, "--from", "live", "--to", "dev");
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, "env-sync: live is a production stack: its stack file says trading-bot:environment: production; check what would change with --dry-run, then pass --yes to copy from it\n");
    assert.equal(read(folder, "dev"), committed("dev"));
    const run = await envSync(folder, "--from", "live", "--to", "dev", "--yes");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(configOf(read(folder, "dev"))["trading-bot:tradingConfig"].strategies[0].symbol, "SOLUSDT");
  });

  it("refuses a backup folder that is a symbolic link, writing nothing through it", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const elsewhere = temporaryFolder("elsewhere-");
    fs.symlinkSync(elsewhere, path.join(folder, ".pulumi-backups"));
    const run = await envSync(folder, "--from", "staging", "--to", "dev");
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "env-sync: refusing to back up into .pulumi-backups: it is a symbolic link; make it a plain folder\n");
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.deepEqual(fs.readdirSync(elsewhere), []);
    assert.deepEqual(fs.readdirSync(folder).sort(), [".pulumi-backups", "Pulumi.dev.yaml", "Pulumi.staging.yaml"], "no lock or temporary file left");
  });
});
