import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fillSource } from "./fixture";
import { type TestDatabase, createDatabase, findPgDump, runDb, schemaDump, schemaOf, serverUrl, tempFolder } from "./support";

const sides = (source: string, target: string) => ["--from-url", source, "--from-stack", "dev", "--to-url", target, "--to-stack", "staging"];

// pg_dump must be the server's major version or newer: PGlite is PostgreSQL 18, Debian's pg_dump 17.
const pgDump = serverUrl ? findPgDump() : undefined;

describe("npm run db -- schema", function () {
  let source: TestDatabase;
  let target: TestDatabase;
  let folder: string;

  before(async () => {
    source = await createDatabase();
    await fillSource(source);
    target = await createDatabase();
    folder = tempFolder("schema");
  });
  after(async () => {
    await source?.drop();
    await target?.drop();
  });

  const title = pgDump
    ? "copies every table, type, default, identity, sequence, constraint and index into PostgreSQL; pg_dump --schema-only of both agree"
    : "copies every table, type, default, identity, sequence, constraint and index into PostgreSQL (pg_dump comparison only with TEST_DATABASE_URL: PGlite's server is newer than pg_dump)";
  it(title, async () => {
    const result = await runDb(["schema", ...sides(source.url, target.url)]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `Copied the schema (6 tables, 1 type, 0 functions, 3 sequences, 0 views) into ${target.shown}.\n`);
    const [from, to] = [await schemaOf(source), await schemaOf(target)];
    assert.deepEqual(to, from);
    assert.deepEqual(
      to.tables.map((t) => t.name),
      ["accounts", "audit_log", "fills", "orders", "trading_strategies", "users"],
    );
    assert.deepEqual(await target.query("SELECT count(*)::int AS n FROM orders"), [{ n: 0 }]);
    if (serverUrl) {
      assert.ok(pgDump, "TEST_DATABASE_URL is set but this machine has no pg_dump: install postgresql-client");
      const dump = schemaDump(pgDump, target.url);
      assert.match(dump, /CREATE TABLE public\.orders \(/);
      assert.equal(dump, schemaDump(pgDump, source.url));
    }
  });

  it("verify --type schema finds the copy equal, then names each difference", async () => {
    const same = await runDb(["verify", "--type", "schema", ...sides(source.url, target.url)]);
    assert.deepEqual(same, { code: 0, stdout: `verify --type schema: ${target.shown} agrees with the source\n`, stderr: "" });
    await target.query("ALTER TABLE orders ALTER COLUMN symbol DROP DEFAULT; DROP INDEX orders_open_idx; ALTER TABLE users DROP CONSTRAINT users_trading_balance_check");
    const changed = await runDb(["verify", "--type", "schema", ...sides(source.url, target.url)]);
    assert.equal(changed.code, 1);
    assert.equal(
      changed.stdout,
      [
        `orders: column symbol: {"type":"text","notNull":true,"default":"'BTCUSDT'::text"} in the source, {"type":"text","notNull":true} in the target`,
        "orders: index orders_open_idx: missing in the target",
        "users: constraint users_trading_balance_check: missing in the target",
        "",
      ].join("\n"),
    );
    assert.equal(changed.stderr, "db: 3 problems found\n");
  });

  it("refuses a non-empty PostgreSQL target without --replace, and rebuilds it with --replace", async () => {
    const refused = await runDb(["schema", ...sides(source.url, target.url)]);
    assert.deepEqual(refused, {
      code: 2,
      stdout: "",
      stderr: `db: the target ${target.shown} is not empty (it holds tables, views, sequences or types): pass --replace to drop them and copy anew\n`,
    });
    await target.query("CREATE TABLE leftover (id int)");
    const replaced = await runDb(["schema", "--replace", ...sides(source.url, target.url)]);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual(await schemaOf(target), await schemaOf(source));
  });

  it("translates the schema for SQLite and says what SQLite cannot hold", async () => {
    const file = path.join(folder, "schema.db");
    const result = await runDb(["schema", ...sides(source.url, `sqlite:///${file}`)]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Copied the schema (6 tables, 1 type, 0 functions, 3 sequences, 0 views) into sqlite:///${file}.\n`);
    assert.equal(
      result.stderr,
      [
        "fills.price: numeric(20,8) becomes NUMERIC (an integer or an 8-byte float): beyond 15 significant digits precision is lost",
        "orders.quantity: numeric(20,8) becomes NUMERIC (an integer or an 8-byte float): beyond 15 significant digits precision is lost",
        "users.trading_balance: numeric(20,8) becomes NUMERIC (an integer or an 8-byte float): beyond 15 significant digits precision is lost",
        "users.users_email_lower: expression index dropped",
        "enum order_side: TEXT columns with a CHECK of its labels",
        "sequence audit_log_id_seq: dropped (an INTEGER PRIMARY KEY numbers its own rows)",
        "sequence fills_id_seq: dropped (an INTEGER PRIMARY KEY numbers its own rows)",
        "sequence trading_strategies_id_seq: dropped (an INTEGER PRIMARY KEY numbers its own rows)",
      ]
        .map((note) => `db: SQLite cannot hold it as is: ${note}\n`)
        .join(""),
    );
    const db = new DatabaseSync(file);
    try {
      const columns = db.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('orders')").all();
      assert.deepEqual(
        columns.map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${c.pk ? " PK" : ""}`),
        ["id INTEGER NOT NULL PK", "user_id INTEGER NOT NULL", "trader_name TEXT", "strategy_id INTEGER", "exchange TEXT NOT NULL", "side TEXT NOT NULL", "symbol TEXT NOT NULL", "quantity NUMERIC NOT NULL", "api_key TEXT NOT NULL", "metadata TEXT", "created_at TEXT NOT NULL"],
      );
      const keys = db.prepare("SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('orders') ORDER BY id, seq").all();
      assert.deepEqual(
        keys.map((k) => `${k.from} -> ${k.table}.${k.to} ${k.on_delete}`).sort(),
        ["exchange -> accounts.exchange NO ACTION", "strategy_id -> trading_strategies.id NO ACTION", "trader_name -> users.username NO ACTION", "user_id -> accounts.user_id NO ACTION", "user_id -> users.id NO ACTION"],
      );
      const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
      assert.deepEqual(
        indexes.map((index) => index.sql),
        [
          'CREATE INDEX "orders_created_at_idx" ON "orders" ("created_at" DESC)',
          'CREATE INDEX "orders_open_idx" ON "orders" ("user_id") WHERE (quantity > (1))',
          'CREATE UNIQUE INDEX "trading_strategies_owner_id_name_key" ON "trading_strategies" ("owner_id", "name")',
          'CREATE UNIQUE INDEX "users_username_key" ON "users" ("username")',
        ],
      );
      // The enum's labels, the check and unique constraints and the defaults hold in SQLite too.
      db.exec("INSERT INTO users (id, username, email, created_at) VALUES (1, 'a', 'a@x', '2026-01-01')");
      assert.deepEqual({ ...db.prepare("SELECT is_active, trading_balance FROM users").get() }, { is_active: 1, trading_balance: 0 });
      assert.throws(() => db.exec("INSERT INTO users (id, username, email, trading_balance) VALUES (2, 'b', 'b@x', -1)"), /CHECK constraint failed: users_trading_balance_check/);
      assert.throws(() => db.exec("INSERT INTO users (id, username, email) VALUES (3, 'a', 'c@x')"), /UNIQUE constraint failed: users.username/);
      db.exec("INSERT INTO accounts VALUES (1, 'bybit', 'k')");
      // The generated column is SQLite's own, computed as PostgreSQL computes it ((price * 100)::bigint rounds).
      db.exec("INSERT INTO orders (id, user_id, exchange, side, quantity, api_key, created_at) VALUES (1, 1, 'bybit', 'buy', 1, 'k', 'now')");
      db.exec("INSERT INTO fills (id, order_id, price) VALUES (1, 1, 100.255)");
      assert.deepEqual({ ...db.prepare("SELECT price_cents FROM fills").get() }, { price_cents: 10026 });
      assert.throws(
        () => db.exec("INSERT INTO orders (user_id, exchange, side, quantity, api_key, created_at) VALUES (1, 'bybit', 'hold', 1, 'k', 'now')"),
        /CHECK constraint failed: side/,
      );
    } finally {
      db.close();
    }
    const verified = await runDb(["verify", "--type", "schema", ...sides(source.url, `sqlite:///${file}`)]);
    assert.deepEqual(verified, { code: 0, stdout: `verify --type schema: sqlite:///${file} agrees with the source\n`, stderr: "" });
  });

  it("refuses a SQLite target that holds tables without --replace; --replace swaps in a new file", async () => {
    const file = path.join(folder, "full.db");
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    db.close();
    const before = fs.readFileSync(file);
    const refused = await runDb(["schema", ...sides(source.url, `sqlite:///${file}`)]);
    assert.deepEqual(refused, { code: 2, stdout: "", stderr: `db: the target ${file} is not empty (it holds 1 table): pass --replace to build it anew\n` });
    assert.deepEqual(fs.readFileSync(file), before);
    const replaced = await runDb(["schema", "--replace", ...sides(source.url, `sqlite:///${file}`)]);
    assert.equal(replaced.code, 0, replaced.stderr);
    const after = new DatabaseSync(file, { readOnly: true });
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((row) => row.name);
    after.close();
    assert.deepEqual(tables, ["accounts", "audit_log", "fills", "orders", "trading_strategies", "users"]);
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), []);
  });

  it("verify --type schema leaves out the table where subset keeps its record (trading_bot_data_sync)", async () => {
    const file = path.join(folder, "with-record.db");
    assert.equal((await runDb(["schema", ...sides(source.url, `sqlite:///${file}`)])).code, 0);
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE trading_bot_data_sync (format_version INTEGER NOT NULL, row_counts TEXT NOT NULL)");
    db.close();
    const result = await runDb(["verify", "--type", "schema", ...sides(source.url, `sqlite:///${file}`)]);
    assert.deepEqual(result, { code: 0, stdout: `verify --type schema: sqlite:///${file} agrees with the source\n`, stderr: "" });
  });

  it("verify --type schema names a SQLite column that differs", async () => {
    const file = path.join(folder, "schema.db");
    const db = new DatabaseSync(file);
    db.exec("ALTER TABLE audit_log ADD COLUMN extra TEXT; DROP INDEX orders_open_idx");
    db.close();
    const result = await runDb(["verify", "--type", "schema", ...sides(source.url, `sqlite:///${file}`)]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "audit_log: column extra: in the target only\norders: index orders_open_idx: missing in the target\n");
  });
});
