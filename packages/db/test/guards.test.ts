import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { PostgresEndpoint } from "../src/guards";
import { connectPostgres, serverIdentity } from "../src/postgresSource";
import { parseDatabaseUrl } from "../src/urls";
import { fillSource, testKey, writeRules } from "./fixture";
import { type TestDatabase, connectionRecorder, createDatabase, fakePulumi, repoRoot, runDb, tempFolder } from "./support";

const refusedProd = "db: refusing to write to the stack prod: it is production (its name is a production name (prod, production)); data flows from production down, never into it\n";

describe("npm run db -- guards", function () {
  let recorder: Awaited<ReturnType<typeof connectionRecorder>>;
  let folder: string;
  let rules: string;
  let pulumi: ReturnType<typeof fakePulumi>;
  const withPulumi = (env: Record<string, string> = {}) => ({ PATH: `${pulumi.bin}${path.delimiter}${process.env.PATH}`, ...env });

  before(async () => {
    recorder = await connectionRecorder();
    folder = tempFolder("guards");
    rules = writeRules(folder);
    pulumi = fakePulumi({ dev: recorder.url, staging: "sqlite:////tmp/never.db", prod: recorder.url });
    // A stack whose name says nothing but whose file says production.
    fs.writeFileSync(path.join(folder, "Pulumi.live.yaml"), "config:\n  trading-bot:environment: production\n");
    fs.writeFileSync(path.join(folder, "Pulumi.qa.yaml"), "config:\n  trading-bot:environment: staging\n");
    fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), "config:\n  trading-bot:environment: development\n");
    fs.symlinkSync(path.join(folder, "Pulumi.live.yaml"), path.join(folder, "Pulumi.sandbox.yaml"));
    // A production name whose file says otherwise: a config error, refused too.
    fs.writeFileSync(path.join(folder, "Pulumi.prod.yaml"), "config:\n  trading-bot:environment: development\n");
  });
  after(async () => recorder?.close());

  describe("a production target is refused before any connection and before the Pulumi CLI runs", () => {
    const commands: [string, () => string[]][] = [
      ["schema", () => ["schema"]],
      ["subset", () => ["subset", "--rules", rules]],
      ["seed", () => ["seed"]],
      ["verify", () => ["verify", "--type", "subset"]],
    ];
    for (const [name, command] of commands) {
      it(`${name}: --to-url with --to-stack prod`, async () => {
        const source = name === "seed" ? [] : ["--from-url", recorder.url, "--from-stack", "dev"];
        const result = await runDb([...command(), ...source, "--to-url", recorder.url, "--to-stack", "prod"], withPulumi({ DATA_SYNC_KEY: testKey }));
        assert.deepEqual(result, { code: 2, stdout: "", stderr: refusedProd });
        assert.equal(recorder.connections(), 0);
        assert.deepEqual(pulumi.calls(), []);
      });
      it(`${name}: --to prod, through stack outputs`, async () => {
        const source = name === "seed" ? [] : ["--from", "dev"];
        const result = await runDb([...command(), ...source, "--to", "prod"], withPulumi({ DATA_SYNC_KEY: testKey }));
        assert.deepEqual(result, { code: 2, stdout: "", stderr: refusedProd });
        assert.equal(recorder.connections(), 0);
        assert.deepEqual(pulumi.calls(), [], "the fake pulumi was never called");
      });
    }

    const others: [string, string, string][] = [
      ["production by any case", "production", "db: refusing to write to the stack production: it is production (its name is a production name (prod, production)); data flows from production down, never into it\n"],
      ["a name the project cannot build (upper case)", "Prod", 'db: "Prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen\n'],
      ["production by its stack file", "live", "db: refusing to write to the stack live: it is production (its stack file says trading-bot:environment: production); data flows from production down, never into it\n"],
      ["a production name whose stack file says otherwise", "prod", 'db: the stack prod has a production name (prod, production) but trading-bot:environment is "development"; allowed: production\n'],
      ["a stack file that is a symbolic link to a production one", "sandbox", "db: refusing to write to the stack sandbox: it is production (its stack file says trading-bot:environment: production); data flows from production down, never into it\n"],
    ];
    it("refuses a target without its stack file in the -C folder (live from an empty folder, a typo prd)", async () => {
      const empty = tempFolder("no-stack-files");
      const live = await runDb(["schema", "--from-url", recorder.url, "--from-stack", "dev", "--to-url", recorder.url, "--to-stack", "live", "-C", empty], withPulumi());
      assert.deepEqual(live, {
        code: 2,
        stdout: "",
        stderr: `db: live: no Pulumi.live.yaml in ${empty}; the target's stack file says whether it is production (-C names the folder of the stack files)\n`,
      });
      const typo = await runDb(["seed", "--to", "prd"], withPulumi());
      assert.deepEqual(typo, {
        code: 2,
        stdout: "",
        stderr: `db: prd: no Pulumi.prd.yaml in ${repoRoot}; the target's stack file says whether it is production (-C names the folder of the stack files)\n`,
      });
      assert.equal(recorder.connections(), 0);
      assert.deepEqual(pulumi.calls(), []);
    });

    it("inside a data-sync task (no stack files) reads the served stack's environment from DATA_SYNC_STACK and DATA_SYNC_ENVIRONMENT", async () => {
      const empty = tempFolder("task-image");
      const seedInto = (stack: string, env: Record<string, string>) =>
        runDb(["seed", "--to-env", "TARGET_URL", "--to-stack", stack, "-C", empty], { TARGET_URL: `sqlite:///${path.join(empty, `${stack}.db`)}`, ...env });
      const live = await seedInto("live", { DATA_SYNC_STACK: "live", DATA_SYNC_ENVIRONMENT: "production" });
      assert.deepEqual(live, {
        code: 2,
        stdout: "",
        stderr: "db: refusing to write to the stack live: it is production (its stack file says trading-bot:environment: production); data flows from production down, never into it\n",
      });
      // The variables speak for the stack they name only.
      const other = await seedInto("qa", { DATA_SYNC_STACK: "dev", DATA_SYNC_ENVIRONMENT: "development" });
      assert.equal(other.code, 2);
      assert.equal(other.stderr, `db: qa: no Pulumi.qa.yaml in ${empty}; the target's stack file says whether it is production (-C names the folder of the stack files)\n`);
      assert.deepEqual(fs.readdirSync(empty), []);
      const dev = await seedInto("dev", { DATA_SYNC_STACK: "dev", DATA_SYNC_ENVIRONMENT: "development" });
      assert.equal(dev.code, 0, dev.stderr);
      assert.ok(fs.existsSync(path.join(empty, "dev.db")));
    });

    it("refuses --to <stack> whose databaseUrl output is a SQLite file inside its task (/data/trading.db on EFS)", async () => {
      const stacks = fakePulumi({ dev: "sqlite:////data/trading.db", staging: recorder.url });
      const message = "db: dev's database is a SQLite file inside its task (/data/trading.db on EFS); run the tool there (the env-sync workflow's data sync) or give --to-url\n";
      const path_ = `${stacks.bin}${path.delimiter}${process.env.PATH}`;
      assert.deepEqual(await runDb(["seed", "--to", "dev"], { PATH: path_ }), { code: 2, stdout: "", stderr: message });
      assert.deepEqual(await runDb(["schema", "--from", "staging", "--to", "dev"], { PATH: path_ }), { code: 2, stdout: "", stderr: message });
      assert.equal(recorder.connections(), 0);
      assert.equal(fs.existsSync("/data/trading.db"), false);
    });

    for (const [title, stack, message] of others) {
      it(`refuses ${title}`, async () => {
        const result = await runDb(["schema", "--from-url", recorder.url, "--from-stack", "dev", "--to-url", recorder.url, "--to-stack", stack, "-C", folder], withPulumi());
        assert.deepEqual(result, { code: 2, stdout: "", stderr: message });
        assert.equal(recorder.connections(), 0);
        assert.deepEqual(pulumi.calls(), []);
      });
    }
  });

  describe("refusals before any connection", () => {
    const refusals: [string, string[], Record<string, string | undefined>, string][] = [
      ["a missing key", ["subset", "--rules", "RULES", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], { DATA_SYNC_KEY: undefined },
        "db: DATA_SYNC_KEY is not set: anonymisation needs a secret key of at least 32 bytes (e.g. openssl rand -hex 32)\n"],
      ["a key shorter than 32 bytes", ["subset", "--rules", "RULES", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], { DATA_SYNC_KEY: "k".repeat(31) },
        "db: DATA_SYNC_KEY is 31 bytes long: it must be at least 32 bytes\n"],
      ["a production source without --yes", ["schema", "--from-url", "SOURCE", "--from-stack", "prod", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: the source stack prod is production (its name is a production name (prod, production)): pass --yes to confirm you are authorised to copy from it\n"],
      ["a source URL that names no stack, without --yes", ["schema", "--from-url", "SOURCE", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: --from-url names no stack, so it may be production: name it with --from-stack <stack>, or pass --yes to confirm you are authorised to read it\n"],
      ["a target URL that names no stack", ["schema", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "sqlite:///x.db"], {},
        "db: --to-url needs --to-stack <stack>: the stack the target database belongs to, so the production guard applies\n"],
      ["a target given twice", ["schema", "--from", "dev", "--to", "qa", "--to-url", "sqlite:///x.db"], {},
        "db: give the target either as --to <stack> or as --to-url <url> (or --to-env <variable>) with --to-stack <stack>, not both\n"],
      ["no target", ["seed"], {}, "db: no target: give --to <stack>, or --to-url <url> (or --to-env <variable>) with --to-stack <stack>\n"],
      ["a source given twice", ["schema", "--from", "dev", "--from-url", "SOURCE", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: give the source either as --from <stack> or as --from-url <url> / --from-env <variable> (with --from-stack <stack>), not both\n"],
      ["no source", ["verify", "--type", "schema", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {}, "db: no source: give --from <stack>, --from-url <url> or --from-env <variable>\n"],
      ["a target PostgreSQL URL that cannot be parsed", ["schema", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "postgresql://app:pw@[db/trading", "--to-stack", "staging"], {},
        "db: --to-url: the PostgreSQL URL cannot be parsed\n"],
      ["a source PostgreSQL URL that cannot be parsed", ["schema", "--from-url", "postgres://app@db:port/trading", "--from-stack", "dev", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: --from-url: the PostgreSQL URL cannot be parsed\n"],
      ["a rules file that cannot be read", ["subset", "--rules", "/nonexistent/rules.yaml", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], { DATA_SYNC_KEY: testKey },
        "db: /nonexistent/rules.yaml: cannot read the rules file (ENOENT)\n"],
      ["a fixture file that cannot be read", ["seed", "--data", "/nonexistent/test-data.yaml", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: /nonexistent/test-data.yaml: cannot read the fixture file (ENOENT)\n"],
      ["a URL that is not a database's", ["schema", "--from-url", "SOURCE", "--from-stack", "dev", "--to-url", "mysql://h/db", "--to-stack", "staging"], {},
        "db: --to-url: a mysql: URL is not a database URL: use postgres://, postgresql:// or sqlite:////absolute/path.db\n"],
      ["a SQLite source", ["schema", "--from-url", "sqlite:////tmp/source.db", "--from-stack", "dev", "--to-url", "sqlite:///x.db", "--to-stack", "staging"], {},
        "db: the source must be PostgreSQL; sqlite:////tmp/source.db is SQLite\n"],
      ["the source as target, spelt another way (scheme, case, default port, trailing slash, other user)", ["schema", "--from-url", "postgres://app:pw@DB.Example.internal/trading", "--from-stack", "dev", "--to-url", "postgresql://other:x@db.example.internal:5432/trading/", "--to-stack", "staging"], {},
        "db: the target is the source (postgresql://other:***@db.example.internal:5432/trading/): refusing to write a database onto itself\n"],
      ["the source as target through localhost and 127.0.0.1", ["schema", "--from-url", "RECORDER", "--from-stack", "dev", "--to-url", "LOCALHOST", "--to-stack", "staging"], {},
        "db: the target is the source (LOCALHOST_SHOWN): refusing to write a database onto itself\n"],
    ];
    for (const [title, args, env, message] of refusals) {
      it(`refuses ${title} (exit 2)`, async () => {
        const localhost = recorder.url.replace("127.0.0.1", "localhost");
        const substitute = (text: string) =>
          text.replace("RULES", rules).replace("SOURCE", recorder.url).replace("RECORDER", recorder.url).replace("LOCALHOST_SHOWN", localhost.replace(":secret@", ":***@")).replace("LOCALHOST", localhost);
        const result = await runDb(args.map(substitute), withPulumi(env as Record<string, string>));
        assert.deepEqual(result, { code: 2, stdout: "", stderr: substitute(message) });
        assert.equal(recorder.connections(), 0);
        assert.deepEqual(pulumi.calls(), []);
      });
    }
  });

  it("fails with exit 3 and one line when the source's server cannot be reached (a failure while working, not a refusal)", async () => {
    const target = path.join(folder, "unreachable.db");
    const result = await runDb(["schema", "--from-url", "postgres://bot:secret@127.0.0.1:1/trading", "--from-stack", "dev", "--to-url", `sqlite:///${target}`, "--to-stack", "qa", "-C", folder]);
    assert.deepEqual(result, { code: 3, stdout: "", stderr: "db: connect ECONNREFUSED 127.0.0.1:1\n" });
    assert.equal(fs.existsSync(target), false);
  });

  describe("with databases", () => {
    let source: TestDatabase;
    before(async () => {
      source = await createDatabase();
      await fillSource(source);
    });
    after(async () => source?.drop());

    it("reads stack URLs through `pulumi stack output databaseUrl --show-secrets --stack <stack>`, without a shell", async () => {
      const target = path.join(folder, "from-stacks.db");
      const stacks = fakePulumi({ dev: source.url, qa: `sqlite:///${target}` });
      const result = await runDb(["schema", "--from", "dev", "--to", "qa", "-C", folder], { PATH: `${stacks.bin}${path.delimiter}${process.env.PATH}` });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(stacks.calls(), [
        ["stack", "output", "databaseUrl", "--show-secrets", "--stack", "qa"],
        ["stack", "output", "databaseUrl", "--show-secrets", "--stack", "dev"],
      ]);
      assert.ok(fs.existsSync(target));
    });

    it("says so when the Pulumi CLI is not on PATH, or prints no databaseUrl", async () => {
      const noPulumi = await runDb(["seed", "--to", "staging"], { PATH: tempFolder("empty-path") });
      assert.deepEqual(noPulumi, { code: 2, stdout: "", stderr: "db: the Pulumi CLI (pulumi) is not on PATH: install it, or give the database with a URL option\n" });
      const empty = fakePulumi({ staging: "" });
      const noOutput = await runDb(["seed", "--to", "staging"], { PATH: `${empty.bin}${path.delimiter}${process.env.PATH}` });
      assert.deepEqual(noOutput, { code: 2, stdout: "", stderr: "db: the stack staging has no databaseUrl output\n" });
      assert.deepEqual(empty.calls(), [["stack", "output", "databaseUrl", "--show-secrets", "--stack", "staging"]]);
    });

    it("says which stack has no output when the Pulumi CLI fails", async () => {
      const stacks = fakePulumi({ dev: source.url });
      const result = await runDb(["schema", "--from", "dev", "--to", "qa", "-C", folder], { PATH: `${stacks.bin}${path.delimiter}${process.env.PATH}` });
      assert.deepEqual(result, { code: 2, stdout: "", stderr: "db: pulumi stack output databaseUrl --stack qa failed: error: no stack named 'qa' found\n" });
    });

    it("refuses the source as target under another name of its server (an IPv4-mapped IPv6 address) once it asks the servers, and leaves it as it was (exit 2)", async () => {
      const aliased = source.url.replace("127.0.0.1", "[::ffff:127.0.0.1]");
      assert.notEqual(parseDatabaseUrl(aliased, "--to-url").identity, parseDatabaseUrl(source.url, "--from-url").identity, "the URLs alone do not tell");
      const shown = parseDatabaseUrl(aliased, "--to-url").shown;
      const [before] = await source.query("SELECT count(*)::text AS users FROM users");
      for (const command of [["schema", "--replace"], ["subset", "--replace", "--rules", rules], ["verify", "--type", "schema"]]) {
        const result = await runDb([...command, "--from-url", source.url, "--from-stack", "dev", "--to-url", aliased, "--to-stack", "qa", "-C", folder], { DATA_SYNC_KEY: testKey });
        assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: the target ${shown} is the source's database under another name: refusing to write a database onto itself\n` }, command[0]);
      }
      assert.deepEqual(await source.query("SELECT count(*)::text AS users FROM users"), [before]);
    });

    it("tells two databases apart by their server identity, and one database through two names as one", async () => {
      const other = await createDatabase();
      try {
        const identities = await Promise.all(
          [source.url, source.url.replace("127.0.0.1", "[::ffff:127.0.0.1]"), other.url].map(async (url) => {
            const client = await connectPostgres(parseDatabaseUrl(url, "--to-url") as PostgresEndpoint, "test");
            try {
              return await serverIdentity(client);
            } finally {
              await client.end();
            }
          }),
        );
        assert.equal(identities[0], identities[1]);
        assert.notEqual(identities[0], identities[2]);
      } finally {
        await other.drop();
      }
    });

    it("treats a source stack without its stack file as production: refused without --yes, read with it", async () => {
      const target = path.join(folder, "from-unknown.db");
      const args = ["schema", "--from-url", source.url, "--from-stack", "dvv", "--to-url", `sqlite:///${target}`, "--to-stack", "qa", "-C", folder];
      assert.deepEqual(await runDb(args), {
        code: 2,
        stdout: "",
        stderr: `db: the source stack dvv may be production (no Pulumi.dvv.yaml in ${folder} says otherwise; -C names the folder of the stack files): pass --yes to confirm you are authorised to copy from it\n`,
      });
      assert.equal(fs.existsSync(target), false);
      const confirmed = await runDb([...args, "--yes"]);
      assert.equal(confirmed.code, 0, confirmed.stderr);
      assert.match(confirmed.stderr, /^db: reading from the stack dvv, which may be production \(--yes given\)\n/);
    });

    for (const command of [["schema"], ["subset", "--rules", "RULES"]]) {
      it(`${command[0]}: copies from a production source with --yes, and says so once`, async () => {
        const target = path.join(folder, `from-prod-${command[0]}.db`);
        const args = [...command.map((arg) => arg.replace("RULES", rules)), "--from-url", source.url, "--from-stack", "prod", "--yes", "--to-url", `sqlite:///${target}`, "--to-stack", "staging"];
        const result = await runDb(args, { DATA_SYNC_KEY: testKey });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr.split("\n").filter((line) => line.startsWith("db: reading from")).join("\n"), "db: reading from the production stack prod (--yes given)");
      });
    }

    it("refuses a SQLite target that a program holds open (a non-empty -wal beside it)", async () => {
      const target = path.join(folder, "busy.db");
      const app = new DatabaseSync(target);
      app.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1)");
      try {
        const result = await runDb(["schema", "--replace", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${target}`, "--to-stack", "staging"]);
        assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: ${target}-wal exists: a program has the target open or did not close it; stop it first\n` });
      } finally {
        app.close();
      }
    });

    it("refuses a SQLite target with a non-empty -journal beside it (a crashed writer's rollback journal)", async () => {
      const target = path.join(folder, "journal.db");
      const app = new DatabaseSync(target);
      app.exec("CREATE TABLE t (x)");
      app.close();
      fs.writeFileSync(`${target}-journal`, "half a transaction");
      const result = await runDb(["schema", "--replace", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${target}`, "--to-stack", "staging"]);
      assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: ${target}-journal exists: a program has the target open or did not close it; stop it first\n` });
    });

    it("takes a hard link or a symbolic link to a SQLite file for that file (so source equal to target is caught)", async () => {
      const target = path.join(folder, "linked.db");
      fs.writeFileSync(target, "");
      fs.linkSync(target, path.join(folder, "linked-too.db"));
      fs.symlinkSync(target, path.join(folder, "linked-sym.db"));
      const { parseDatabaseUrl } = await import("../src/urls");
      const identities = ["linked.db", "linked-too.db", "linked-sym.db"].map((name) => parseDatabaseUrl(`sqlite:///${path.join(folder, name)}`, "--to-url").identity);
      assert.equal(new Set(identities).size, 1);
    });

    it("refuses a SQLite target in a folder that does not exist, and verify of a file that does not exist", async () => {
      const missing = path.join(folder, "no-such-folder", "x.db");
      const schema = await runDb(["schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${missing}`, "--to-stack", "staging"]);
      assert.deepEqual(schema, { code: 2, stdout: "", stderr: `db: the folder of the target ${missing} does not exist\n` });
      const absent = path.join(folder, "absent.db");
      const verified = await runDb(["verify", "--type", "schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${absent}`, "--to-stack", "staging"]);
      assert.deepEqual(verified, { code: 2, stdout: "", stderr: `db: the target ${absent} does not exist\n` });
    });

    it("never writes over a file that is not a SQLite database, even with --replace (a copy of Pulumi.prod.yaml)", async () => {
      const copy = path.join(folder, "prod-copy.yaml");
      fs.copyFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), copy);
      const before = fs.readFileSync(copy);
      const refused = `db: the target ${copy} is not a SQLite database (it does not start with "SQLite format 3"): refusing to write over it\n`;
      for (const command of [["schema", "--replace"], ["subset", "--replace", "--rules", rules], ["seed"]]) {
        const from = command[0] === "seed" ? [] : ["--from-url", source.url, "--from-stack", "dev"];
        const result = await runDb([...command, ...from, "--to-url", `sqlite:///${copy}`, "--to-stack", "dev"], { DATA_SYNC_KEY: testKey });
        assert.deepEqual(result, { code: 2, stdout: "", stderr: refused }, command[0]);
      }
      assert.deepEqual(fs.readFileSync(copy), before);
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), []);
    });

    it("refuses a target named like a stack file, in any case, or a link to one, even with --replace", async () => {
      fs.symlinkSync(path.join(folder, "Pulumi.qa.yaml"), path.join(folder, "qa-link.db"));
      const before = fs.readFileSync(path.join(folder, "Pulumi.qa.yaml"));
      const cases: [string, string][] = [
        ["pulumi.STAGING.yml", "pulumi.STAGING.yml"],
        ["Pulumi.qa.yaml", "Pulumi.qa.yaml"],
        ["qa-link.db", "Pulumi.qa.yaml"],
      ];
      for (const [name, shown] of cases) {
        const result = await runDb(["schema", "--replace", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${path.join(folder, name)}`, "--to-stack", "qa", "-C", folder]);
        assert.deepEqual(result, {
          code: 2,
          stdout: "",
          stderr: `db: --to-url: ${shown} is named like a file the Pulumi CLI reads (Pulumi.yaml, Pulumi.json, Pulumi.<stack>.yaml, PulumiPolicy.yaml, any case): such a file is never used as a database\n`,
        }, name);
      }
      assert.deepEqual(fs.readFileSync(path.join(folder, "Pulumi.qa.yaml")), before);
      assert.equal(fs.existsSync(path.join(folder, "pulumi.STAGING.yml")), false);
    });

    it("refuses a SQLite target that is not a regular file (a folder), or not a database though it starts like one", async () => {
      const dir = path.join(folder, "a-folder.db");
      fs.mkdirSync(dir);
      const notFile = await runDb(["schema", "--replace", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${dir}`, "--to-stack", "qa", "-C", folder]);
      assert.deepEqual(notFile, { code: 2, stdout: "", stderr: `db: the target ${dir} is not a regular file\n` });
      const broken = path.join(folder, "broken.db");
      fs.writeFileSync(broken, Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(200, 7)]));
      const notDatabase = await runDb(["schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${broken}`, "--to-stack", "qa", "-C", folder]);
      assert.deepEqual(notDatabase, { code: 2, stdout: "", stderr: `db: the target ${broken} is not a SQLite database (file is not a database)\n` });
    });

    it("seed checks its SQLite target as the copies do: a missing folder, a file held open, a file that is not a database", async () => {
      const missing = path.join(folder, "no-folder", "seed.db");
      assert.deepEqual(await runDb(["seed", "--to-url", `sqlite:///${missing}`, "--to-stack", "qa", "-C", folder]), {
        code: 2,
        stdout: "",
        stderr: `db: the folder of the target ${missing} does not exist\n`,
      });
      const busy = path.join(folder, "seed-busy.db");
      fs.writeFileSync(busy, "");
      fs.writeFileSync(`${busy}-journal`, "x");
      assert.deepEqual(await runDb(["seed", "--to-url", `sqlite:///${busy}`, "--to-stack", "qa", "-C", folder]), {
        code: 2,
        stdout: "",
        stderr: `db: ${busy}-journal exists: a program has the target open or did not close it; stop it first\n`,
      });
      const text = path.join(folder, "notes.txt");
      fs.writeFileSync(text, "not a database\n");
      assert.deepEqual(await runDb(["seed", "--to-url", `sqlite:///${text}`, "--to-stack", "qa", "-C", folder]), {
        code: 2,
        stdout: "",
        stderr: `db: the target ${text} is not a SQLite database (it does not start with "SQLite format 3"): refusing to write over it\n`,
      });
      assert.equal(fs.readFileSync(text, "utf8"), "not a database\n");
    });

    it("never prints or stores the key", async () => {
      const target = path.join(folder, "keyless.db");
      const result = await runDb(["subset", "--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${target}`, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(testKey));
      assert.ok(!fs.readFileSync(target).includes(Buffer.from(testKey)));
    });
  });
});
