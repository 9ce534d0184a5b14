// An interrupted run leaves the target as it was: killed with SIGKILL mid-copy (nothing of the
// tool runs after it), stopped with SIGTERM, or failing part way.
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { testKey, writeRules } from "./fixture";
import { type TestDatabase, createDatabase, repoRoot, runDb, tempFolder } from "./support";

/** a_users is copied first, then orders: long enough to be stopped half way. */
const bigSourceSql = `
CREATE TABLE a_users (id integer PRIMARY KEY, username text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer NOT NULL REFERENCES a_users (id), api_key text NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO a_users SELECT i, 'user_' || i FROM generate_series(1, 2000) i;
INSERT INTO orders SELECT n, (n % 2000) + 1, 'live_key_' || n, timestamptz '2026-01-01' + n * interval '1 second' FROM generate_series(1, 60000) n;
`;

const bigRules = `roots:
  - table: orders
columns:
  a_users.username: { transform: pseudonym, prefix: u_ }
  orders.api_key: { transform: constant, value: test_api_key }
  a_users.*: keep
  orders.*: keep
`;

interface Stopped {
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the tool in its own process; sends `signal` once it has copied a_users and is copying orders. */
function runAndStop(args: string[], signal: NodeJS.Signals): Promise<Stopped> {
  const child: ChildProcess = spawn(path.join(repoRoot, "node_modules", ".bin", "node"), [path.join(repoRoot, "tools", "launch.js"), "db", ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATA_SYNC_KEY: testKey },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let sent = false;
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && stderr.includes("db: a_users:")) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, exitSignal) => resolve({ code, signal: exitSignal, stderr }));
  });
}

describe("npm run db -- an interrupted run leaves the target as it was", function () {
  let source: TestDatabase;
  let target: TestDatabase;
  let folder: string;
  let rules: string;
  const sides = (to: string) => ["--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--to-url", to, "--to-stack", "staging"];

  before(async () => {
    source = await createDatabase();
    await source.query(bigSourceSql);
    target = await createDatabase();
    folder = tempFolder("interrupt");
    rules = writeRules(folder, bigRules);
  });
  after(async () => {
    await source?.drop();
    await target?.drop();
  });

  const postgresUnchanged = async () => {
    assert.deepEqual(await target.query("SELECT note FROM keep_me"), [{ note: "before" }]);
    assert.deepEqual(await target.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"), [{ table_name: "keep_me" }]);
  };

  it("PostgreSQL: killed with SIGKILL mid-copy, the transaction never commits", async () => {
    await target.query("CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('before')");
    const stopped = await runAndStop(["subset", "--replace", ...sides(target.url)], "SIGKILL");
    assert.equal(stopped.signal, "SIGKILL", `the run ended before it was killed: ${stopped.stderr}`);
    assert.ok(!stopped.stderr.includes("db: orders:"), "killed while copying orders");
    await postgresUnchanged();
  });

  it("PostgreSQL: a run that fails part way rolls everything back", async () => {
    const failing = writeRules(folder, bigRules.replace("value: test_api_key", "value: test_api_key }\n  orders.created_at: { transform: constant, value: not a time"), "failing.yaml");
    const result = await runDb(["subset", "--replace", ...sides(target.url).map((arg) => (arg === rules ? failing : arg))], { DATA_SYNC_KEY: testKey });
    assert.equal(result.code, 3, "failed while working");
    assert.match(result.stderr, /db: a_users: 2,000 rows/);
    assert.match(result.stderr, /db: orders: the target refused a batch of rows: invalid input syntax for type timestamp with time zone: "not a time"\n$/);
    await postgresUnchanged();
  });

  const sqliteTarget = () => {
    const file = path.join(folder, "target.db");
    fs.rmSync(file, { force: true });
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE keep_me (note TEXT); INSERT INTO keep_me VALUES ('before')");
    db.close();
    return { file, bytes: fs.readFileSync(file) };
  };
  const buildFiles = () => fs.readdirSync(folder).filter((name) => name.endsWith(".tmp"));

  it("SQLite: killed with SIGKILL mid-copy, the target file is untouched; the next run removes the dead run's build file", async () => {
    const { file, bytes } = sqliteTarget();
    const stopped = await runAndStop(["subset", "--replace", ...sides(`sqlite:///${file}`)], "SIGKILL");
    assert.equal(stopped.signal, "SIGKILL", `the run ended before it was killed: ${stopped.stderr}`);
    assert.deepEqual(fs.readFileSync(file), bytes);
    assert.equal(buildFiles().length, 1, "the killed run's half-built file lies beside the target, not in its place");
    const next = await runDb(["schema", "--replace", ...sides(`sqlite:///${file}`).slice(2)]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(buildFiles(), []);
  });

  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`SQLite: stopped with ${signal} mid-copy, it says so (exit ${code}), removes its build file and leaves the target`, async () => {
      const { file, bytes } = sqliteTarget();
      const stopped = await runAndStop(["subset", "--replace", ...sides(`sqlite:///${file}`)], signal);
      assert.equal(stopped.code, code, stopped.stderr);
      assert.match(stopped.stderr, /\ndb: interrupted; the target was left as it was\n$/);
      assert.deepEqual(fs.readFileSync(file), bytes);
      assert.deepEqual(buildFiles(), []);
    });
  }

  const exportBuilds = () => fs.readdirSync(folder).filter((name) => name.startsWith(".export-out.export-"));
  const exportArgs = (out: string) => ["export", "--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--out", out];

  it("export: stopped with SIGTERM mid-copy, it says so (exit 143) and leaves neither --out nor its build folder", async () => {
    const out = path.join(folder, "export-out");
    const stopped = await runAndStop(exportArgs(out), "SIGTERM");
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stderr, /\ndb: interrupted; the target was left as it was\n$/);
    assert.ok(!fs.existsSync(out));
    assert.deepEqual(exportBuilds(), []);
  });

  it("export: killed with SIGKILL mid-copy, no --out appears; the next export removes the dead run's build folder", async () => {
    const out = path.join(folder, "export-out");
    const stopped = await runAndStop(exportArgs(out), "SIGKILL");
    assert.equal(stopped.signal, "SIGKILL", `the run ended before it was killed: ${stopped.stderr}`);
    assert.ok(!fs.existsSync(out), "an export without its end is never in place");
    assert.equal(exportBuilds().length, 1, "the killed run's folder lies beside --out, not in its place");
    const next = await runDb(["export", "--type", "schema", ...exportArgs(out).slice(3)]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(exportBuilds(), []);
    assert.deepEqual(fs.readdirSync(out).sort(), ["manifest.json", "schema.json"]);
  });

  it("SQLite: a complete run replaces the file in one rename", async () => {
    const { file } = sqliteTarget();
    const result = await runDb(["subset", "--replace", ...sides(`sqlite:///${file}`)], { DATA_SYNC_KEY: testKey });
    assert.equal(result.code, 0, result.stderr);
    const db = new DatabaseSync(file, { readOnly: true });
    const counts = db.prepare("SELECT (SELECT count(*) FROM a_users) AS users, (SELECT count(*) FROM orders) AS orders").get();
    db.close();
    assert.deepEqual({ ...counts }, { users: 2000, orders: 60000 });
    assert.deepEqual(buildFiles(), []);
  });
});
