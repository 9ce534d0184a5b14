// `npm run stacks`: the stacks the workflows act on, from the stack files: what it lists and
// refuses through its main in-process, the table and the exit statuses in child processes.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { environments } from "../stacks/config";
import { isProductionStack } from "../packages/stack-files/src/production";
import { StackEntry, branchMatches, deployBranchByEnvironment, listStacks, main as stacksMain } from "../tools/stacks/index";
import { dataSyncStackText, inProcess, repoRoot, stackFilesFolder, stackText, stackTextsFolder, stacksTool } from "./helpers";

const article = { dev: "development", staging: "staging", prod: "production" };
const byName = "its name is a production name (prod, production)";
const dev = { name: "dev", environment: "development", production: false, productionReason: null, branch: "feature/**", dataSync: null, account: null };
const staging = { name: "staging", environment: "staging", production: false, productionReason: null, branch: "develop", dataSync: null, account: null };
const prod = { name: "prod", environment: "production", production: true, productionReason: byName, branch: "main", dataSync: null, account: null };

/** The tool's main in this process, as `npm run stacks --` starts it from this checkout. */
const stacksHere = (...args: string[]) => inProcess(() => stacksMain(args, { projectRoot: repoRoot }));

async function listed(...args: string[]): Promise<unknown> {
  const run = await stacksHere(...args, "--json");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.split("\n").length, 2, "one line of JSON");
  return JSON.parse(run.stdout);
}

async function refused(folder: string, message: string, ...args: string[]): Promise<void> {
  const run = await stacksHere("-C", folder, ...args);
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.equal(run.stderr, `stacks: ${message}\n`);
  assert.equal(run.stdout, "");
}

describe("npm run stacks", () => {
  it("maps each environment of the schema to the article's branch", () => {
    assert.deepEqual(Object.keys(deployBranchByEnvironment).sort(), [...environments].sort());
    assert.deepEqual(deployBranchByEnvironment, { development: "feature/**", staging: "develop", production: "main" });
  });

  it("matches branches as GitHub's filters do: feature/** takes any branch under feature/", () => {
    assert.ok(branchMatches("feature/**", "feature/login"));
    assert.ok(branchMatches("feature/**", "feature/a/b"));
    assert.ok(!branchMatches("feature/**", "feature"));
    assert.ok(!branchMatches("feature/**", "feature/"));
    assert.ok(!branchMatches("feature/**", "features/x"));
    assert.ok(!branchMatches("feature/**", "hotfix/feature/x"));
    assert.ok(branchMatches("main", "main"));
    assert.ok(!branchMatches("main", "Main"));
    assert.ok(!branchMatches("main", "main2"));
    assert.ok(!branchMatches("develop", "feature/develop"));
  });

  it("lists every stack file with its environment, production and branch, as JSON sorted by name", async () => {
    assert.deepEqual(await listed("-C", stackFilesFolder(article)), [dev, prod, staging]);
  });

  it("prints a table without --json", () => {
    const run = stacksTool("-C", stackFilesFolder(article));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /│ dev +│ development +│ no +│ feature\/\*\* +│/);
    assert.match(run.stdout, /│ prod +│ production +│ yes +│ main +│/);
    assert.match(run.stdout, /│ staging +│ staging +│ no +│ develop +│/);
    assert.doesNotMatch(run.stdout, /\x1b\[/, "no colour off a terminal");
  });

  it("filters production and non-production stacks", async () => {
    const folder = stackFilesFolder(article);
    assert.deepEqual(await listed("-C", folder, "--production"), [prod]);
    assert.deepEqual(await listed("-C", folder, "--non-production"), [dev, staging]);
  });

  it("gives the stacks a push to a branch deploys: feature/** dev, develop staging, main prod, others none", async () => {
    const folder = stackFilesFolder(article);
    assert.deepEqual(await listed("-C", folder, "--branch", "feature/login"), [dev]);
    assert.deepEqual(await listed("-C", folder, "--branch", "feature/team/login"), [dev]);
    assert.deepEqual(await listed("-C", folder, "--branch", "develop"), [staging]);
    assert.deepEqual(await listed("-C", folder, "--branch", "main"), [prod]);
    assert.deepEqual(await listed("-C", folder, "--branch", "main", "--non-production"), []);
    assert.deepEqual(await listed("-C", folder, "--branch", "develop", "--production"), []);
    assert.deepEqual(await listed("-C", folder, "--branch", "Main"), []);
    assert.deepEqual(await listed("-C", folder, "--branch", "hotfix/x"), []);
    assert.equal(stacksTool("-C", folder, "--branch", "hotfix/x").stdout, "no stack matches\n");
  });

  it("picks up a new stack file with no other change, by its environment, never its name", async () => {
    const folder = stackFilesFolder({ ...article, qa: "staging", "feature-x": "development" });
    assert.deepEqual(await listed("-C", folder, "--branch", "develop"), [{ ...staging, name: "qa" }, staging]);
    assert.deepEqual(await listed("-C", folder, "--branch", "feature/x"), [dev, { ...dev, name: "feature-x" }]);
  });

  it("calls a stack production when its file says so, whatever its name, and deploys it from main only", async () => {
    const folder = stackFilesFolder({ dev: "development", live: "production" });
    const live = { ...prod, name: "live", productionReason: "its stack file says trading-bot:environment: production" };
    assert.deepEqual(await listed("-C", folder, "--production"), [live]);
    assert.deepEqual(await listed("-C", folder, "--non-production"), [dev]);
    assert.deepEqual(await listed("-C", folder, "--branch", "feature/x"), [dev]);
  });

  it("calls a stack whose environment is a secret production (nothing here can read it), deployed from main only", async () => {
    const folder = stackFilesFolder({ dev: "development" });
    fs.writeFileSync(path.join(folder, "Pulumi.qa.yaml"), "config:\n  trading-bot:environment:\n    secure: AAAA\n");
    const reason = "its trading-bot:environment is a secret (secure:), which nothing here can read; only development or staging make a stack non-production";
    assert.deepEqual(await listed("-C", folder, "--production"), [{ ...prod, name: "qa", productionReason: reason }]);
  });

  it("lists the committed stack files as the one definition of production says", async () => {
    const files = fs.readdirSync(repoRoot).filter((file) => /^Pulumi\..+\.yaml$/.test(file));
    const stacks = (await listed()) as StackEntry[];
    assert.deepEqual(stacks.map((stack) => `Pulumi.${stack.name}.yaml`), files.sort());
    for (const stack of stacks) assert.equal(stack.production, isProductionStack(stack.name, stack.environment), stack.name);
    const [prodAccount, nonprodAccount] = ["111111111111", "222222222222"];
    assert.deepEqual(stacks.find((stack) => stack.name === "prod"), {
      ...prod,
      account: prodAccount,
      dataSync: { export: true, import: false, readers: ["dev", "staging"], sources: [], readerAccounts: { dev: nonprodAccount, staging: nonprodAccount }, sourceAccounts: {} },
    });
    assert.deepEqual(stacks.find((stack) => stack.name === "dev"), {
      ...dev,
      account: nonprodAccount,
      dataSync: { export: false, import: true, readers: [], sources: ["prod", "staging"], readerAccounts: {}, sourceAccounts: { prod: prodAccount, staging: nonprodAccount } },
    });
    assert.deepEqual(stacks.find((stack) => stack.name === "staging")?.dataSync, {
      export: true, import: true, readers: ["dev"], sources: ["prod"], readerAccounts: { dev: nonprodAccount }, sourceAccounts: { prod: prodAccount },
    });
  });

  it("gives what the data syncs may do with each stack (trading-bot:dataSync), null without it, in the JSON and the table", async () => {
    const folder = stackTextsFolder({
      prod: dataSyncStackText("production", { export: true, readers: ["dev"] }),
      dev: dataSyncStackText("development", { import: true, sources: ["prod", "staging"] }),
      staging: dataSyncStackText("staging", { export: true, import: true, readers: ["dev"], sources: ["prod"] }),
      qa: stackText("staging"),
    });
    // The files name no account: a bare name's account is unknown (null).
    assert.deepEqual(await listed("-C", folder), [
      { ...dev, dataSync: { export: false, import: true, readers: [], sources: ["prod", "staging"], readerAccounts: {}, sourceAccounts: { prod: null, staging: null } } },
      { ...prod, dataSync: { export: true, import: false, readers: ["dev"], sources: [], readerAccounts: { dev: null }, sourceAccounts: {} } },
      { ...staging, name: "qa" },
      { ...staging, dataSync: { export: true, import: true, readers: ["dev"], sources: ["prod"], readerAccounts: { dev: null }, sourceAccounts: { prod: null } } },
    ]);
    const table = stacksTool("-C", folder).stdout;
    assert.match(table, /│ dev +│ development +│ no +│ feature\/\*\* +│ imports from prod, staging +│/);
    assert.match(table, /│ prod +│ production +│ yes +│ main +│ exports to dev +│/);
    assert.match(table, /│ qa +│ staging +│ no +│ develop +│ none +│/);
    assert.match(table, /│ staging +│ staging +│ no +│ develop +│ exports to dev; imports from prod +│/);
  });

  describe("accounts: production never shares its AWS account with a non-production stack unless its file says so", () => {
    const withAccount = (environment: string, account: string, extra = "") => `${stackText(environment)}  aws:allowedAccountIds: ["${account}"]\n${extra}`;
    const shared = "  trading-bot:accounts:\n    sharedWithNonProduction: true\n";
    const folderOf = (prodExtra = "", stagingAccount = "111111111111") =>
      stackTextsFolder({ prod: withAccount("production", "111111111111", prodExtra), dev: withAccount("development", "222222222222"), staging: withAccount("staging", stagingAccount) });

    it("lists each stack's account; distinct accounts pass", () => {
      const stacks = listStacks(folderOf("", "222222222222"));
      assert.deepEqual(stacks.map((stack) => [stack.name, stack.account]), [["dev", "222222222222"], ["prod", "111111111111"], ["staging", "222222222222"]]);
    });

    it("refuses a production stack sharing its account (exit 2, one line naming both and the way out)", async () => {
      await refused(
        folderOf(),
        'Pulumi.prod.yaml: the production stack prod shares the AWS account 111111111111 (aws:allowedAccountIds) with staging; give production an account of its own, or set trading-bot:accounts.sharedWithNonProduction: true in Pulumi.prod.yaml (docs/ci-and-trust.md: "One account or two")',
      );
    });

    it("lets it pass when the production file says so", () => {
      assert.deepEqual(listStacks(folderOf(shared)).map((stack) => stack.account), ["222222222222", "111111111111", "111111111111"]);
    });

    it("refuses a data-sync reader or source named in an account its own file does not name", () => {
      const inAccount = (text: string, account: string) => text.replace("  trading-bot:environment:", `  aws:allowedAccountIds: ["${account}"]\n  trading-bot:environment:`);
      const folder = stackTextsFolder({
        prod: inAccount(dataSyncStackText("production", { export: true }), "111111111111").replace("readers: []", 'readers: [{ stack: dev, account: "333333333333" }]'),
        dev: inAccount(dataSyncStackText("development", { import: true, sources: ["staging"] }), "222222222222"),
      });
      assert.throws(() => listStacks(folder), {
        message: "Pulumi.prod.yaml: trading-bot:dataSync.readers names dev in the account 333333333333, but Pulumi.dev.yaml names 222222222222 (aws:allowedAccountIds)",
      });
    });

    it("refuses an account id that is not one quoted 12-digit id", () => {
      const folder = stackTextsFolder({ prod: `${stackText("production")}  aws:allowedAccountIds: [011111111111]\n` });
      assert.throws(() => listStacks(folder), { message: 'Pulumi.prod.yaml: aws:allowedAccountIds is [11111111111]; allowed: exactly one 12-digit account id, quoted, e.g. ["111111111111"]' });
    });
  });

  describe("refuses, exit 2 with one line", () => {
    it("a stack name the program cannot build, such as Prod", async () => {
      await refused(
        stackFilesFolder({ dev: "development", Prod: "production" }),
        'Pulumi.Prod.yaml: "Prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
      );
    });

    it("a stack file named other than Pulumi.<stack>.yaml (another case, .yml)", async () => {
      for (const file of ["pulumi.dev.yaml", "Pulumi.dev.YAML", "Pulumi.prod.yml", "PULUMI.prod.yaml"]) {
        const folder = stackFilesFolder({ dev: "development" });
        fs.writeFileSync(path.join(folder, file), stackText("production"));
        await refused(folder, `${file}: a stack file is named Pulumi.<stack>.yaml; rename it so every tool and the Pulumi CLI read the same file`);
      }
    });

    it("a stack file that is not valid YAML", async () => {
      const folder = stackFilesFolder({});
      fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), "config:\n  trading-bot:environment: [development\n");
      await refused(
        folder,
        "Pulumi.dev.yaml line 3: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:",
      );
    });

    it("a YAML alias bomb", async () => {
      const folder = stackFilesFolder({});
      const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
      for (const [name, previous] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"]]) levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
      fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), `${levels.join("\n")}\nconfig:\n  trading-bot:environment: development\n`);
      await refused(folder, "Pulumi.dev.yaml: its YAML aliases expand beyond 100 (an alias bomb, \"billion laughs\"): write the values out");
    });

    it("a missing or unknown environment", async () => {
      const folder = stackFilesFolder({ dev: "qa" });
      await refused(folder, 'Pulumi.dev.yaml: trading-bot:environment is "qa"; allowed: development, staging, production');
      fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n");
      await refused(folder, "Pulumi.dev.yaml: trading-bot:environment is missing; allowed: development, staging, production");
    });

    it("a trading-bot:dataSync the stack config schema refuses, in its words", async () => {
      const cases: [string, string][] = [
        [dataSyncStackText("development", { import: true, sources: ["prod"], readers: ["staging"] }), 'Pulumi.dev.yaml: trading-bot:dataSync.readers is ["staging"]; readers need export: true'],
        [dataSyncStackText("development", { import: true }), "Pulumi.dev.yaml: trading-bot:dataSync.sources is []; import: true needs at least one source stack"],
        [dataSyncStackText("development", {}), "Pulumi.dev.yaml: trading-bot:dataSync.export is false; set export or import to true, or leave dataSync out"],
        [
          dataSyncStackText("development", { import: true, sources: ["Prod"] }),
          'Pulumi.dev.yaml: trading-bot:dataSync.sources[0] is "Prod"; allowed: a stack name (1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen), or { stack: <name>, account: "<12-digit account id>" } for a stack in another AWS account',
        ],
        [dataSyncStackText("development", { import: true, sources: ["prod"] }).replace("    import:", "    imprt: true\n    import:"), "Pulumi.dev.yaml: trading-bot:dataSync.imprt is not a setting"],
        [`${stackText("development")}  trading-bot:dataSync: yes\n`, 'Pulumi.dev.yaml: trading-bot:dataSync is "yes"; Invalid input: expected object, received string'],
        [`${stackText("development")}  trading-bot:dataSync: "[export"\n`, 'Pulumi.dev.yaml: trading-bot:dataSync is "[export"; Invalid input: expected object, received string'],
        [`${stackText("development")}  trading-bot:dataSync:\n    secure: AAAA\n`, "Pulumi.dev.yaml: trading-bot:dataSync is a secret; it must be plain text"],
      ];
      for (const [text, message] of cases) await refused(stackTextsFolder({ dev: text }), message);
    });

    it("a production stack, by name or by content, that may import data", async () => {
      await refused(
        stackTextsFolder({ prod: dataSyncStackText("production", { export: true, import: true, sources: ["staging"] }) }),
        "Pulumi.prod.yaml: trading-bot:dataSync.import is true; allowed: false on a production stack (its name is a production name (prod, production)): data flows from production down, never into it",
      );
      await refused(
        stackTextsFolder({ live: dataSyncStackText("production", { import: true, sources: ["staging"] }) }),
        "Pulumi.live.yaml: trading-bot:dataSync.import is true; allowed: false on a production stack (its stack file says trading-bot:environment: production): data flows from production down, never into it",
      );
    });

    it("a production name whose file says another environment (it would deploy from a feature branch)", async () => {
      await refused(
        stackFilesFolder({ production: "development" }),
        'Pulumi.production.yaml: the stack production has a production name (prod, production) but trading-bot:environment is "development"; allowed: production',
      );
    });

    it("a stack file that is a symbolic link, a hard link, a FIFO or a folder", async () => {
      const linked = stackFilesFolder({ prod: "production" });
      fs.symlinkSync("Pulumi.prod.yaml", path.join(linked, "Pulumi.qa.yaml"));
      await refused(linked, "Pulumi.qa.yaml is a symbolic link; a stack file must be a regular file of its own");

      const hard = stackFilesFolder({ prod: "production" });
      fs.linkSync(path.join(hard, "Pulumi.prod.yaml"), path.join(hard, "Pulumi.qa.yaml"));
      await refused(hard, "Pulumi.prod.yaml has 2 hard links, so another name (maybe a production stack's file) opens the same file; a stack file must have exactly one");

      const fifo = stackFilesFolder({});
      assert.equal(spawnSync("mkfifo", [path.join(fifo, "Pulumi.dev.yaml")]).status, 0);
      await refused(fifo, "Pulumi.dev.yaml is not a regular file");

      const folder = stackFilesFolder({});
      fs.mkdirSync(path.join(folder, "Pulumi.dev.yaml"));
      await refused(folder, "Pulumi.dev.yaml is not a regular file");
    });

    it("a stack file over 1 MiB, before reading it", async () => {
      const folder = stackFilesFolder({});
      fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), `${stackText("development")}#${"x".repeat(1024 * 1024)}\n`);
      await refused(folder, "Pulumi.dev.yaml is 1.0 MiB; a stack file may hold at most 1 MiB");
    });

    it("a folder without stack files, or no folder", async () => {
      const folder = stackFilesFolder({});
      await refused(folder, `no stack file (Pulumi.<stack>.yaml) in ${folder}`);
      await refused(path.join(folder, "missing"), `cannot read the folder ${path.join(folder, "missing")}: ENOENT`);
    });

    it("a ref where a branch name belongs, and both filters at once", async () => {
      const folder = stackFilesFolder(article);
      await refused(folder, '--branch takes a branch name such as main (GITHUB_REF_NAME), not "refs/heads/main"', "--branch", "refs/heads/main");
      await refused(folder, '--branch takes a branch name such as main (GITHUB_REF_NAME), not ""', "--branch", "");
      const both = stacksTool("-C", folder, "--production", "--non-production");
      assert.equal(both.status, 2);
      assert.equal(both.stderr, "error: option '--production' cannot be used with option '--non-production'\n");
    });
  });
});
