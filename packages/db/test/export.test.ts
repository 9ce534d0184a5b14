// export then import, on disk: the files and what they hold (and do not hold), the rows an
// import loads equal to what `subset` writes from the same source with the same key, the
// schema type, and a tampered export refused with nothing loaded.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import * as zlib from "node:zlib";
import { anonymisedColumns, fillSource, testKey, writeRules } from "./fixture";
import { type TestDatabase, connectionRecorder, createDatabase, repoRoot, runDb, tempFolder } from "./support";

type Row = Record<string, unknown>;

// The subset's record (packages/db/src/syncRecord.ts) travels last, so the imported target holds it too.
const tableFiles = ["001-accounts.ndjson.gz", "002-fills.ndjson.gz", "003-orders.ndjson.gz", "004-trading_strategies.ndjson.gz", "005-users.ndjson.gz", "006-trading_bot_data_sync.ndjson.gz"];
const sha256 = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");
const gunzipLines = (file: string) => zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").split("\n").filter((line) => line !== "");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/** Every row of every table of a SQLite file, as JSON text sorted, with the file's DDL. */
function sqliteContent(file: string): { ddl: string[]; rows: Record<string, string[]> } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const ddl = (db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all() as { sql: string }[]).map((row) => row.sql);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    const json = (row: unknown) => JSON.stringify(row, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value));
    const rows = Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}"`).all().map(json).sort()]));
    // The subset's record differs by when (and from which stack name) each run copied; what it counted must not.
    rows.trading_bot_data_sync = rows.trading_bot_data_sync?.map((row) => String(JSON.parse(row).row_counts));
    return { ddl, rows };
  } finally {
    db.close();
  }
}

/** Every row of every table of a PostgreSQL database (as row_to_json text, sorted) and its sequences' positions. */
async function postgresContent(database: TestDatabase): Promise<{ rows: Record<string, string[]>; sequences: Row[] }> {
  const tables = await database.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const rows: Record<string, string[]> = {};
  for (const { name } of tables) rows[name] = (await database.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM "${name}" t`)).map((row) => row.r).sort();
  // The subset's record differs by when (and from which stack name) each run copied; what it counted must not.
  rows.trading_bot_data_sync = rows.trading_bot_data_sync?.map((row) => JSON.stringify(JSON.parse(row).row_counts));
  const sequences = await database.query("SELECT sequencename, last_value::text FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1");
  return { rows, sequences };
}

/**
 * The tool's temporary folders go to this file's own TMPDIR while its tests run: other runs on
 * the machine (another checkout's tests) make db-import-* folders in the system's at any time.
 */
function useOwnTemporaryFolder(): void {
  const systemTemporary = process.env.TMPDIR;
  before(() => (process.env.TMPDIR = fs.mkdtempSync(path.join(os.tmpdir(), "export-test-"))));
  after(() => (systemTemporary === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = systemTemporary)));
}

/** Temporary folders an import leaves in the temporary folder (none, when it is done). */
const importFolders = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("db-import-"));

describe("npm run db -- export and import (on disk)", function () {
  useOwnTemporaryFolder();
  let source: TestDatabase;
  let folder: string;
  let rules: string;
  let subsetExport: string;
  /** The source's URL with a password (PGlite takes any), to show it reaches no file. */
  let sourceUrl: URL;
  const fromSource = () => ["--from-env", "SOURCE_DATABASE_URL", "--from-stack", "dev"];
  const env = () => ({ DATA_SYNC_KEY: testKey, SOURCE_DATABASE_URL: sourceUrl.toString() });
  const exportTo = (out: string, ...extra: string[]) => runDb(["export", "--rules", rules, ...fromSource(), "--out", out, ...extra], env());
  const importInto = (from: string, url: string, ...extra: string[]) => runDb(["import", "--in", from, "--to-env", "TARGET_URL", "--to-stack", "staging", ...extra], { TARGET_URL: url });

  before(async () => {
    source = await createDatabase();
    await fillSource(source);
    sourceUrl = new URL(source.url);
    if (!sourceUrl.password) sourceUrl.password = `pw-${crypto.randomBytes(8).toString("hex")}`;
    folder = tempFolder("export");
    rules = writeRules(folder);
    subsetExport = path.join(folder, "subset");
  });
  after(async () => source?.drop());

  it("writes a subset as schema.json, one gzip NDJSON file per table and manifest.json, with sizes, SHA-256 and row counts", async () => {
    const started = new Date();
    const result = await exportTo(subsetExport, "--yes");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Copied 85 anonymised rows of 5 tables into ${subsetExport}:\n(  .*\n){5}Wrote the subset export ${subsetExport} \\(manifest.json last\\).\n$`));
    assert.deepEqual(fs.readdirSync(subsetExport).sort(), [...tableFiles, "manifest.json", "schema.json"]);
    const manifest = readJson(path.join(subsetExport, "manifest.json"));
    const version = readJson(path.join(repoRoot, "package.json")).version;
    assert.deepEqual({ ...manifest, createdAt: "", tables: [], schema: {} }, {
      format: "trading-bot-db-export",
      formatVersion: 2,
      type: "subset",
      createdAt: "",
      tool: { name: "trading-bot-infra db", version },
      source: { stack: "dev" },
      rulesSha256: sha256(fs.readFileSync(rules)),
      schema: {},
      tables: [],
    });
    assert.ok(new Date(manifest.createdAt) >= new Date(started.getTime() - 1000) && manifest.createdAt.endsWith("Z"), manifest.createdAt);
    const counts = { accounts: 20, fills: 5, orders: 25, trading_strategies: 9, users: 26, trading_bot_data_sync: 1 };
    assert.deepEqual(manifest.tables.map((t: Row) => [t.name, t.file, t.rows]), Object.entries(counts).map(([name, rows], i) => [name, tableFiles[i], rows]));
    for (const entry of [manifest.schema, ...manifest.tables]) {
      const bytes = fs.readFileSync(path.join(subsetExport, entry.file));
      assert.deepEqual([entry.bytes, entry.sha256], [bytes.length, sha256(bytes)], entry.file);
    }
    for (const entry of manifest.tables) assert.equal(gunzipLines(path.join(subsetExport, entry.file)).length, entry.rows, entry.file);
    const schema = readJson(path.join(subsetExport, "schema.json"));
    assert.deepEqual(schema.tables.map((t: Row) => t.name), Object.keys(counts));
    // Private: the folder 0700, its files 0600.
    assert.equal(fs.statSync(subsetExport).mode & 0o777, 0o700);
    for (const name of fs.readdirSync(subsetExport)) assert.equal(fs.statSync(path.join(subsetExport, name)).mode & 0o777, 0o600, name);
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), [], "no build folder left beside it");
  });

  it("writes each row as PostgreSQL prints it, then the forms SQLite reads (arrays as JSON, booleans as 0/1), anonymised", () => {
    const fills = gunzipLines(path.join(subsetExport, "002-fills.ndjson.gz")).map((line) => JSON.parse(line));
    const last = fills.find((row) => row[0] === "300");
    // id, order_id, parent_fill_id, price, tags, raw (bytea), then tags as JSON; not price_cents (generated: the import computes it).
    assert.deepEqual(last, ["300", "101", null, "175.00000000", '{t0,"x, \\"quoted\\""}', `\\x${crypto.createHash("md5").update("300").digest("hex")}`, '["t0","x, \\"quoted\\""]']);
    const users = gunzipLines(path.join(subsetExport, "005-users.ndjson.gz")).map((line) => JSON.parse(line));
    const seventh = users.find((row) => row[0] === "7");
    const hmac = (value: string) => crypto.createHmac("sha256", testKey).update(value).digest("hex").slice(0, 32);
    // id, username, email, phone, referrer_id, favourite_strategy_id, is_active, trading_balance, created_at, then is_active as 0/1.
    assert.deepEqual(seventh, ["7", `test_user_${hmac("trader_7")}`, `user_${hmac("trader_7@mail.example")}@example.test`, null, null, null, "f", "703.50000000", "2026-01-01 07:00:00+00", "0"]);
  });

  it("holds no key, no password, no host and no value of an anonymised source column in any file", async () => {
    const secretSource = sourceUrl;
    const text = fs
      .readdirSync(subsetExport)
      .map((name) => {
        const bytes = fs.readFileSync(path.join(subsetExport, name));
        return `${bytes.toString("latin1")}\n${name.endsWith(".gz") ? zlib.gunzipSync(bytes).toString("utf8") : ""}`;
      })
      .join("\n");
    const forbidden = [testKey, source.url, secretSource.toString(), `${secretSource.hostname}:${secretSource.port}`, secretSource.hostname];
    if (secretSource.password.length >= 6) forbidden.push(secretSource.password);
    assert.deepEqual(forbidden.filter((value) => text.includes(value)), []);
    const values: string[] = [];
    for (const column of anonymisedColumns) {
      const [table, name] = column.split(".");
      values.push(...(await source.query<{ v: string }>(`SELECT DISTINCT ${name}::text AS v FROM ${table} WHERE ${name} IS NOT NULL`)).map((row) => row.v));
    }
    assert.ok(values.length > 100);
    assert.deepEqual(values.filter((value) => text.includes(value)), []);
  });

  it("imports into SQLite exactly what subset writes from the same source with the same key, and verifies it", async () => {
    const direct = path.join(folder, "direct.db");
    const copied = await runDb(["subset", "--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${direct}`, "--to-stack", "staging"], env());
    assert.equal(copied.code, 0, copied.stderr);
    const imported = path.join(folder, "imported.db");
    const before = importFolders();
    const result = await importInto(subsetExport, `sqlite:///${imported}`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `Imported the subset export ${subsetExport} into sqlite:///${imported}: 5 tables, 85 rows; verified against the export (schema, row counts, references).\n`,
    );
    assert.match(result.stderr, new RegExp(`^db: ${subsetExport}: manifest.json and its 7 files check out \\(subset, 86 rows, from dev at .*Z\\)\n`));
    assert.deepEqual(sqliteContent(imported), sqliteContent(direct));
    assert.deepEqual(importFolders(), before, "the verified copies are removed");
  });

  it("imports into PostgreSQL exactly what subset writes (rows, schema, sequences), and verifies it", async () => {
    const direct = await createDatabase();
    const imported = await createDatabase();
    try {
      const copied = await runDb(["subset", "--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--to-url", direct.url, "--to-stack", "staging"], env());
      assert.equal(copied.code, 0, copied.stderr);
      const result = await importInto(subsetExport, imported.url);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `Imported the subset export ${subsetExport} into ${imported.shown}: 5 tables, 85 rows; verified against the export (schema, row counts, references).\n`);
      assert.deepEqual(await postgresContent(imported), await postgresContent(direct));
      const sameSchema = await runDb(["verify", "--type", "schema", "--from-url", direct.url, "--from-stack", "dev", "--to-url", imported.url, "--to-stack", "staging"]);
      assert.deepEqual(sameSchema, { code: 0, stdout: `verify --type schema: ${imported.shown} agrees with the source\n`, stderr: "" });
      // A second import into the same database: refused without --replace, done anew with it.
      const refused = await importInto(subsetExport, imported.url);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /\ndb: the target .* is not empty .*: pass --replace to drop them and copy anew\n$/);
      const replaced = await importInto(subsetExport, imported.url, "--replace");
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.deepEqual(await postgresContent(imported), await postgresContent(direct));
    } finally {
      await direct.drop();
      await imported.drop();
    }
  });

  it("exports the schema type (no table files, no rules' hash) and imports it into PostgreSQL and SQLite as `schema` would", async () => {
    const out = path.join(folder, "schema-only");
    const result = await runDb(["export", "--type", "schema", ...fromSource(), "--out", out], env());
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ["manifest.json", "schema.json"]);
    const manifest = readJson(path.join(out, "manifest.json"));
    assert.deepEqual([manifest.type, manifest.rulesSha256, manifest.tables], ["schema", null, []]);
    assert.equal(readJson(path.join(out, "schema.json")).tables.length, 6, "every table of the source, audit_log included");
    const postgres = await createDatabase();
    try {
      const loaded = await importInto(out, postgres.url);
      assert.equal(loaded.code, 0, loaded.stderr);
      const verified = await runDb(["verify", "--type", "schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", postgres.url, "--to-stack", "staging"]);
      assert.deepEqual(verified, { code: 0, stdout: `verify --type schema: ${postgres.shown} agrees with the source\n`, stderr: "" });
    } finally {
      await postgres.drop();
    }
    const sqlite = path.join(folder, "schema-only.db");
    const loaded = await importInto(out, `sqlite:///${sqlite}`);
    assert.equal(loaded.code, 0, loaded.stderr);
    const verified = await runDb(["verify", "--type", "schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${sqlite}`, "--to-stack", "staging"]);
    assert.equal(verified.code, 0, verified.stdout);
    const direct = path.join(folder, "schema-direct.db");
    assert.equal((await runDb(["schema", "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${direct}`, "--to-stack", "staging"])).code, 0);
    assert.deepEqual(sqliteContent(sqlite), sqliteContent(direct));
  });
});

describe("npm run db -- import refuses a tampered export, with nothing loaded", function () {
  useOwnTemporaryFolder();
  let source: TestDatabase;
  let folder: string;
  let pristine: string;
  let counter = 0;

  before(async () => {
    source = await createDatabase();
    await fillSource(source);
    folder = tempFolder("tampered");
    pristine = path.join(folder, "pristine");
    const result = await runDb(["export", "--rules", writeRules(folder), "--from-url", source.url, "--from-stack", "dev", "--out", pristine], { DATA_SYNC_KEY: testKey });
    assert.equal(result.code, 0, result.stderr);
  });
  after(async () => source?.drop());

  const copyOf = (tamper: (dir: string) => void) => {
    const dir = path.join(folder, `copy-${counter++}`);
    fs.cpSync(pristine, dir, { recursive: true });
    tamper(dir);
    return dir;
  };
  const editManifest = (edit: (manifest: Record<string, any>) => void) => (dir: string) => {
    const file = path.join(dir, "manifest.json");
    const manifest = readJson(file);
    edit(manifest);
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  };
  /** Rewrites a table file's lines and puts its new size and hash (not its row count) in the manifest. */
  const rewriteTable = (index: number, edit: (lines: string[]) => string[]) => (dir: string) => {
    const file = path.join(dir, tableFiles[index]);
    const bytes = zlib.gzipSync(`${edit(gunzipLines(file)).join("\n")}\n`);
    fs.writeFileSync(file, bytes);
    editManifest((manifest) => Object.assign(manifest.tables[index], { bytes: bytes.length, sha256: sha256(bytes) }))(dir);
  };
  const notPlain = "not a plain file name inside the export (no folder, no .., no backslash)";

  const cases: [string, (dir: string) => void, (dir: string) => string][] = [
    ["a row count changed in manifest.json", editManifest((m) => (m.tables[2].rows = 24)), () => "003-orders.ndjson.gz: 25 rows, manifest.json says 24"],
    ["a SHA-256 changed in manifest.json", editManifest((m) => (m.tables[4].sha256 = "0".repeat(64))), () => "005-users.ndjson.gz: its SHA-256 is not the one in manifest.json (the file was altered or damaged)"],
    [
      "a file altered in place (same size)",
      (dir) => {
        const file = path.join(dir, tableFiles[2]);
        const bytes = fs.readFileSync(file);
        bytes[bytes.length >> 1] ^= 0xff;
        fs.writeFileSync(file, bytes);
      },
      () => "003-orders.ndjson.gz: its SHA-256 is not the one in manifest.json (the file was altered or damaged)",
    ],
    [
      "a file cut short",
      (dir) => fs.truncateSync(path.join(dir, tableFiles[1]), fs.statSync(path.join(dir, tableFiles[1])).size - 10),
      (dir) => `002-fills.ndjson.gz: ${fs.statSync(path.join(dir, tableFiles[1])).size} bytes, manifest.json says ${fs.statSync(path.join(dir, tableFiles[1])).size + 10}`,
    ],
    ["a file added", (dir) => fs.writeFileSync(path.join(dir, "notes.txt"), "hello"), (dir) => `notes.txt: in ${dir} but not listed in manifest.json`],
    ["a file removed", (dir) => fs.rmSync(path.join(dir, tableFiles[3])), (dir) => `004-trading_strategies.ndjson.gz: listed in manifest.json but missing from ${dir}`],
    ["no manifest.json (an export interrupted before its end)", (dir) => fs.rmSync(path.join(dir, "manifest.json")), (dir) => `${dir}: no manifest.json: the export is incomplete (an export writes it last) or this is no export`],
    ["a path with ../ in manifest.json", editManifest((m) => (m.tables[0].file = `../${tableFiles[0]}`)), () => `manifest.json: tables.0.file: ${notPlain}`],
    ["an absolute path in manifest.json", editManifest((m) => (m.schema.file = "/etc/passwd")), () => `manifest.json: schema.file: ${notPlain}`],
    ["a backslash path in manifest.json", editManifest((m) => (m.tables[1].file = `..\\${tableFiles[1]}`)), () => `manifest.json: tables.1.file: ${notPlain}`],
    ["a file listed twice", editManifest((m) => (m.tables[1].file = m.tables[0].file)), () => `manifest.json: ${tableFiles[0]} is listed twice`],
    ["a newer format version", editManifest((m) => (m.formatVersion = 3)), () => "manifest.json: format version 3; this tool reads version 2"],
    ["the format version before generated columns were left out", editManifest((m) => (m.formatVersion = 1)), () => "manifest.json: format version 1; this tool reads version 2"],
    ["a key manifest.json does not have", editManifest((m) => (m.url = "postgres://elsewhere")), () => 'manifest.json: Unrecognized key: "url"'],
    ["a manifest that is not JSON", (dir) => fs.writeFileSync(path.join(dir, "manifest.json"), "{ not json"), () => "manifest.json: not valid JSON"],
    ["tables renamed in manifest.json", editManifest((m) => (m.tables[0].name = "wallets")), () => "manifest.json: its tables (wallets, fills, orders, trading_strategies, users, trading_bot_data_sync) are not those of schema.json (accounts, fills, orders, trading_strategies, users, trading_bot_data_sync)"],
    ["a folder inside the export", (dir) => fs.mkdirSync(path.join(dir, "more")), () => "more: not a regular file (a folder or link in the export)"],
    [
      "a file replaced by a symbolic link to the same content",
      (dir) => {
        fs.rmSync(path.join(dir, tableFiles[4]));
        fs.symlinkSync(path.join(pristine, tableFiles[4]), path.join(dir, tableFiles[4]));
      },
      () => `${tableFiles[4]}: not a regular file (a folder or link in the export)`,
    ],
    ["a file rewritten with a row less (its size and hash updated, not its count)", rewriteTable(2, (lines) => lines.slice(1)), () => "003-orders.ndjson.gz: 24 rows, manifest.json says 25"],
    ["a line that is not a row of its table (size and hash updated)", rewriteTable(0, (lines) => ['["1","bybit"]', ...lines.slice(1)]), () => "001-accounts.ndjson.gz: line 1: not a row of 3 strings or nulls"],
  ];
  for (const [title, tamper, message] of cases) {
    it(`refuses ${title} (exit 2, one line), leaving no target and no temporary folder`, async () => {
      const dir = copyOf(tamper);
      const target = path.join(folder, `target-${counter}.db`);
      const before = importFolders();
      const result = await runDb(["import", "--in", dir, "--to-url", `sqlite:///${target}`, "--to-stack", "dev"]);
      assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: ${message(dir)}\n` });
      assert.ok(!fs.existsSync(target), "no target file");
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), [], "no SQLite build file");
      assert.deepEqual(importFolders(), before, "no temporary folder left");
    });
  }

  it("leaves a PostgreSQL target as it was, even with --replace", async () => {
    const target = await createDatabase();
    try {
      await target.query("CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('before')");
      const dir = copyOf(editManifest((m) => (m.tables[2].rows = 26)));
      const result = await runDb(["import", "--in", dir, "--to-url", target.url, "--to-stack", "dev", "--replace"]);
      assert.deepEqual(result, { code: 2, stdout: "", stderr: "db: 003-orders.ndjson.gz: 25 rows, manifest.json says 26\n" });
      assert.deepEqual(await target.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"), [{ tablename: "keep_me" }]);
      assert.deepEqual(await target.query("SELECT note FROM keep_me"), [{ note: "before" }]);
    } finally {
      await target.drop();
    }
  });
});

describe("npm run db -- export and import: guards", function () {
  let recorder: Awaited<ReturnType<typeof connectionRecorder>>;
  let folder: string;
  let rules: string;
  before(async () => {
    recorder = await connectionRecorder();
    folder = tempFolder("export-guards");
    rules = writeRules(folder);
  });
  after(async () => recorder?.close());

  const refusedProd = "db: refusing to write to the stack prod: it is production (its name is a production name (prod, production)); data flows from production down, never into it\n";
  it("import refuses a production target before reading the export and before any connection", async () => {
    for (const target of [["--to-url", recorder.url, "--to-stack", "prod"], ["--to-env", "DATABASE_URL", "--to-stack", "prod"]]) {
      const result = await runDb(["import", "--in", path.join(folder, "no-such-export"), ...target], { DATABASE_URL: undefined });
      assert.deepEqual(result, { code: 2, stdout: "", stderr: refusedProd });
    }
    assert.equal(recorder.connections(), 0);
  });

  const refusals: [string, () => string[], Record<string, string | undefined>, () => string][] = [
    ["--to-env naming an unset variable", () => ["import", "--in", folder, "--to-env", "DATABASE_URL", "--to-stack", "dev"], { DATABASE_URL: undefined },
      () => "db: --to-env DATABASE_URL: the environment variable DATABASE_URL is not set or empty\n"],
    ["--to-env naming an empty variable", () => ["import", "--in", folder, "--to-env", "DATABASE_URL", "--to-stack", "dev"], { DATABASE_URL: "" },
      () => "db: --to-env DATABASE_URL: the environment variable DATABASE_URL is not set or empty\n"],
    ["--from-env naming an unset variable", () => ["export", "--from-env", "DATABASE_URL", "--from-stack", "dev", "--out", path.join(folder, "out"), "--rules", rules], { DATABASE_URL: undefined, DATA_SYNC_KEY: testKey },
      () => "db: --from-env DATABASE_URL: the environment variable DATABASE_URL is not set or empty\n"],
    ["--from-env holding something that is not a URL, without quoting it", () => ["export", "--type", "schema", "--from-env", "DATABASE_URL", "--from-stack", "dev", "--out", path.join(folder, "out")], { DATABASE_URL: "hunter2-secret" },
      () => "db: --from-env DATABASE_URL: the value is not a database URL: use postgres://, postgresql:// or sqlite:////absolute/path.db\n"],
    ["--to-env without --to-stack", () => ["import", "--in", folder, "--to-env", "DATABASE_URL"], { DATABASE_URL: "sqlite:///x.db" },
      () => "db: --to-env needs --to-stack <stack>: the stack the target database belongs to, so the production guard applies\n"],
    ["--to-url and --to-env together", () => ["import", "--in", folder, "--to-url", "sqlite:///x.db", "--to-env", "DATABASE_URL", "--to-stack", "dev"], {},
      () => "db: give the target's URL either with --to-url or with --to-env, not both\n"],
    ["--from-env without --from-stack or --yes (it may be production)", () => ["export", "--type", "schema", "--from-env", "DATABASE_URL", "--out", path.join(folder, "out")], { DATABASE_URL: "RECORDER" },
      () => "db: --from-env names no stack, so it may be production: name it with --from-stack <stack>, or pass --yes to confirm you are authorised to read it\n"],
    ["--from-env of a production stack without --yes", () => ["export", "--type", "schema", "--from-env", "DATABASE_URL", "--from-stack", "prod", "--out", path.join(folder, "out")], { DATABASE_URL: "RECORDER" },
      () => "db: the source stack prod is production (its name is a production name (prod, production)): pass --yes to confirm you are authorised to copy from it\n"],
    ["an --out folder that is not empty", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", path.join(folder, "full")], {},
      () => `db: --out ${path.join(folder, "full")} is not empty: give a new folder\n`],
    ["an --out that is a file", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", rules], {}, () => `db: --out ${rules} exists and is not a folder\n`],
    ["an --out that is a symbolic link to an empty folder", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", path.join(folder, "link")], {},
      () => `db: --out ${path.join(folder, "link")} is a symbolic link: give a new folder\n`],
    ["an --out in a folder that does not exist", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", path.join(folder, "no", "out")], {},
      () => `db: --out ${path.join(folder, "no", "out")}: the folder ${path.join(folder, "no")} does not exist\n`],
    ["an --out that is neither a folder nor s3://", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", "https://example.test/x/"], {},
      () => "db: --out: use a folder or s3://<bucket>/<prefix>/, not https://\n"],
    ["an S3 --out that names no prefix", () => ["export", "--type", "schema", "--from-url", "RECORDER", "--from-stack", "dev", "--out", "s3://exports-bucket"], {},
      () => "db: --out: s3://exports-bucket/ names no folder: give s3://exports-bucket/<prefix>/\n"],
    ["an --in folder that does not exist", () => ["import", "--in", path.join(folder, "missing"), "--to-url", "RECORDER", "--to-stack", "dev"], {},
      () => `db: --in ${path.join(folder, "missing")}: cannot read the folder (ENOENT)\n`],
  ];
  for (const [title, args, env, message] of refusals) {
    it(`refuses ${title} (exit 2), before any connection`, async () => {
      fs.mkdirSync(path.join(folder, "full"), { recursive: true });
      fs.writeFileSync(path.join(folder, "full", "old.txt"), "");
      fs.mkdirSync(path.join(folder, "empty"), { recursive: true });
      if (!fs.existsSync(path.join(folder, "link"))) fs.symlinkSync(path.join(folder, "empty"), path.join(folder, "link"));
      const substitute = (text: string | undefined) => (text === "RECORDER" ? recorder.url : text);
      const result = await runDb(args().map((arg) => substitute(arg)!), Object.fromEntries(Object.entries(env).map(([key, value]) => [key, substitute(value)])));
      assert.deepEqual(result, { code: 2, stdout: "", stderr: message() });
      assert.ok(!result.stderr.includes("hunter2"));
      assert.equal(recorder.connections(), 0);
      assert.ok(!fs.existsSync(path.join(folder, "out")));
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), []);
    });
  }

  it("needs --out (commander's own line, exit 2)", async () => {
    const result = await runDb(["export", "--from-url", recorder.url, "--from-stack", "dev"]);
    assert.deepEqual(result, { code: 2, stdout: "", stderr: "error: required option '--out <location>' not specified\n" });
  });
});
