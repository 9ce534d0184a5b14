import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type ExpectedSubset, expectedSubset } from "./closure";
import { anonymisedColumns, fillSource, testKey, testRulesYaml, writeRules } from "./fixture";
import { type TestDatabase, createDatabase, runDb, tempFolder } from "./support";

type Row = Record<string, unknown>;

/** A target as the tests read it, PostgreSQL or SQLite, with the SQL both understand. */
interface Target {
  kind: string;
  url: string;
  shown: string;
  rows(sql: string): Promise<Row[]>;
  exec(sql: string): Promise<void>;
}

function postgresTarget(database: TestDatabase): Target {
  return { kind: "PostgreSQL", url: database.url, shown: database.shown, rows: (sql) => database.query(sql), exec: async (sql) => void (await database.query(sql)) };
}

function sqliteTarget(file: string): Target {
  const open = <T>(use: (db: DatabaseSync) => T) => {
    // node:sqlite turns foreign keys on by default; the tests plant dangling rows on purpose.
    const db = new DatabaseSync(file, { enableForeignKeyConstraints: false });
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  return {
    kind: "SQLite",
    url: `sqlite:///${file}`,
    shown: `sqlite:///${file}`,
    rows: async (sql) => open((db) => db.prepare(sql).all().map((row) => ({ ...row }))),
    exec: async (sql) => open((db) => db.exec(sql)),
  };
}

const hmac = (key: string, value: string) => crypto.createHmac("sha256", key).update(value).digest("hex").slice(0, 32);
const copiedTables = ["accounts", "fills", "orders", "trading_strategies", "users"];

async function keysOf(target: Target): Promise<Record<keyof ExpectedSubset, Set<unknown>>> {
  const ids = async (table: string) => new Set((await target.rows(`SELECT CAST(id AS integer) AS id FROM ${table}`)).map((row) => Number(row.id)));
  const accounts = await target.rows("SELECT user_id || '/' || exchange AS key FROM accounts");
  return {
    users: await ids("users"),
    trading_strategies: await ids("trading_strategies"),
    accounts: new Set(accounts.map((row) => row.key)),
    orders: await ids("orders"),
    fills: await ids("fills"),
  };
}

/** Every value of every copied table, as one text (JSON columns included as their text). */
async function targetText(target: Target): Promise<string> {
  const parts: string[] = [];
  for (const table of copiedTables) parts.push(JSON.stringify(await target.rows(`SELECT * FROM ${table}`)));
  return parts.join("\n");
}

describe("npm run db -- subset", function () {
  let source: TestDatabase;
  let postgres: TestDatabase;
  let folder: string;
  let rules: string;
  let expected: ExpectedSubset;
  let sourceValues: string[];
  const sides = (target: Target) => ["--from-url", source.url, "--from-stack", "dev", "--to-url", target.url, "--to-stack", "staging"];
  const subset = (target: Target, ...extra: string[]) => runDb(["subset", "--rules", rules, ...extra, ...sides(target)], { DATA_SYNC_KEY: testKey });
  const verify = (target: Target) => runDb(["verify", "--type", "subset", "--rules", rules, ...sides(target)]);

  before(async () => {
    source = await createDatabase();
    await fillSource(source);
    postgres = await createDatabase();
    folder = tempFolder("subset");
    rules = writeRules(folder);
    expected = await expectedSubset(source);
    sourceValues = [];
    for (const column of anonymisedColumns) {
      const [table, name] = column.split(".");
      const rows = await source.query<{ value: string }>(`SELECT DISTINCT ${name}::text AS value FROM ${table} WHERE ${name} IS NOT NULL`);
      sourceValues.push(...rows.map((row) => row.value));
    }
  });
  after(async () => {
    await source?.drop();
    await postgres?.drop();
  });

  const targets = () => [postgresTarget(postgres), sqliteTarget(path.join(folder, "subset.db"))];

  for (const index of [0, 1]) {
    const kind = ["PostgreSQL", "SQLite"][index];
    describe(`into ${kind}`, () => {
      let target: Target;
      before(() => (target = targets()[index]));

      it("copies the root rows and every row they reference, transitively: the subset is referentially complete", async () => {
        const result = await subset(target);
        assert.equal(result.code, 0, result.stderr);
        const counts = Object.fromEntries(Object.entries(expected).map(([table, keys]) => [table, keys.size]));
        assert.deepEqual(counts, { users: 26, trading_strategies: 9, accounts: 20, orders: 25, fills: 5 });
        assert.equal(
          result.stdout,
          `Copied 85 anonymised rows of 5 tables into ${target.shown}:\n  accounts: 20\n  fills: 5\n  orders: 25\n  trading_strategies: 9\n  users: 26\n`,
        );
        assert.deepEqual(await keysOf(target), expected);
        // Progress: one line per table on a non-terminal stderr.
        assert.deepEqual(
          result.stderr.split("\n").filter((line) => line.includes("rows/s")).map((line) => line.replace(/ in .*$/, "")),
          ["db: accounts: 20 rows", "db: fills: 5 rows", "db: orders: 25 rows", "db: trading_strategies: 9 rows", "db: users: 26 rows"],
        );
      });

      it("leaves no reference pointing at a missing row (self references, composite keys, the cycle)", async () => {
        const dangling = await target.rows(`
          SELECT 'orders.user_id' AS ref, count(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id)
          UNION ALL SELECT 'orders.account', count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.user_id = o.user_id AND a.exchange = o.exchange)
          UNION ALL SELECT 'orders.trader_name', count(*) FROM orders o WHERE o.trader_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.username = o.trader_name)
          UNION ALL SELECT 'orders.strategy_id', count(*) FROM orders o WHERE o.strategy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trading_strategies s WHERE s.id = o.strategy_id)
          UNION ALL SELECT 'fills.parent', count(*) FROM fills f WHERE f.parent_fill_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fills p WHERE p.id = f.parent_fill_id)
          UNION ALL SELECT 'users.referrer', count(*) FROM users u WHERE u.referrer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users r WHERE r.id = u.referrer_id)
          UNION ALL SELECT 'users.favourite', count(*) FROM users u WHERE u.favourite_strategy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trading_strategies s WHERE s.id = u.favourite_strategy_id)
          UNION ALL SELECT 'strategies.owner', count(*) FROM trading_strategies s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.owner_id)`);
        assert.deepEqual(dangling.map((row) => `${row.ref} ${Number(row.n)}`), [
          "orders.user_id 0", "orders.account 0", "orders.trader_name 0", "orders.strategy_id 0", "fills.parent 0", "users.referrer 0", "users.favourite 0", "strategies.owner 0",
        ]);
        // The fixture's hard shapes are really exercised: chains of parents, nulls, the cycle.
        const shapes = await target.rows(`SELECT
          (SELECT count(*) FROM fills WHERE parent_fill_id IS NOT NULL) AS parents,
          (SELECT count(*) FROM orders WHERE strategy_id IS NULL) AS null_strategies,
          (SELECT count(*) FROM users WHERE favourite_strategy_id IS NOT NULL) AS favourites,
          (SELECT count(*) FROM users WHERE referrer_id IS NOT NULL) AS referrers`);
        assert.deepEqual(Object.values(shapes[0]).map(Number), [3, 5, 6, 10]);
      });

      it("anonymises on the way: keyed pseudonyms that still join, emails, constants, nulls", async () => {
        const sourceUsers = await source.query<{ id: number; username: string; email: string }>("SELECT id, username, email FROM users ORDER BY id");
        const users = await target.rows("SELECT id, username, email, phone FROM users ORDER BY id");
        const byId = new Map(sourceUsers.map((user) => [user.id, user]));
        for (const user of users) {
          const original = byId.get(Number(user.id))!;
          assert.equal(user.username, `test_user_${hmac(testKey, original.username)}`);
          assert.equal(user.email, `user_${hmac(testKey, original.email)}@example.test`);
          assert.equal(user.phone, null);
        }
        assert.equal(new Set(users.map((user) => user.username)).size, users.length);
        assert.deepEqual(await target.rows("SELECT DISTINCT api_key FROM orders UNION SELECT DISTINCT api_key FROM accounts"), [{ api_key: "test_api_key" }]);
        // orders.trader_name references users.username: the pseudonym follows the key, so the join still joins.
        const joined = await target.rows("SELECT count(*) AS n, count(u.id) AS matched FROM orders o LEFT JOIN users u ON u.username = o.trader_name WHERE o.trader_name IS NOT NULL");
        assert.ok(Number(joined[0].n) > 0);
        assert.equal(Number(joined[0].matched), Number(joined[0].n));
      });

      it("copies every value it does not anonymise exactly (numeric, timestamptz, enum, jsonb, arrays, bytea, generated)", async () => {
        const values = async (rows: (sql: string) => Promise<Row[]>, sql: string) => (await rows(sql)).map((row) => ({ ...row }));
        if (kind === "PostgreSQL") {
          const selects: Record<string, string> = {
            users: "SELECT id, referrer_id, favourite_strategy_id, is_active, trading_balance::text AS b, created_at::text AS t FROM users",
            orders: "SELECT id::int, user_id, strategy_id, exchange, side::text AS side, symbol, quantity::text AS q, metadata::text AS m, created_at::text AS t FROM orders",
            fills: "SELECT id::int, order_id::int, parent_fill_id::int, price::text AS p, price_cents::int, tags::text AS tags, encode(raw, 'hex') AS raw FROM fills",
            trading_strategies: "SELECT id, owner_id, name, config::text AS c FROM trading_strategies",
          };
          for (const [table, sql] of Object.entries(selects)) {
            const ids = [...(expected as unknown as Record<string, Set<number>>)[table]].join(", ");
            assert.deepEqual(await values(target.rows, `${sql} ORDER BY id`), await values((q) => source.query(q), `${sql} WHERE id IN (${ids}) ORDER BY id`), table);
          }
        } else {
          const [fill] = await target.rows("SELECT tags, raw, price, price_cents FROM fills ORDER BY id DESC LIMIT 1");
          const [sourceFill] = await source.query<Row>("SELECT raw, price_cents::int FROM fills ORDER BY id DESC LIMIT 1");
          assert.equal(fill.tags, '["t0","x, \\"quoted\\""]');
          assert.deepEqual(Buffer.from(fill.raw as Uint8Array), sourceFill.raw);
          assert.deepEqual([fill.price, fill.price_cents], [175, sourceFill.price_cents]);
          const [order] = await target.rows("SELECT side, metadata, created_at, quantity FROM orders WHERE id = 200");
          assert.deepEqual({ ...order }, { side: "buy", metadata: '{"note": "order 200"}', created_at: "2026-02-01 03:20:00+00", quantity: 2.5 });
          const [user] = await target.rows("SELECT is_active, trading_balance FROM users WHERE id = 7");
          assert.deepEqual({ ...user }, { is_active: 0, trading_balance: 703.5 });
        }
      });

      it("lets no anonymised source value, and not the key, reach the target", async () => {
        const text = await targetText(target);
        assert.ok(sourceValues.length > 100);
        assert.deepEqual(sourceValues.filter((value) => text.includes(value)), []);
        assert.ok(!text.includes(testKey));
      });

      it("verify --type subset agrees, then catches a planted leak and a dangling reference", async () => {
        assert.deepEqual(await verify(target), { code: 0, stdout: `verify --type subset: ${target.shown} agrees with the source\n`, stderr: "" });
        const [victim] = await source.query<{ phone: string; email: string }>("SELECT phone, email FROM users WHERE id = 4");
        if (kind === "PostgreSQL") await target.exec("ALTER TABLE orders DROP CONSTRAINT orders_strategy_id_fkey");
        await target.exec(`UPDATE orders SET metadata = '{"contact": {"phone": "${victim.phone}"}}' WHERE id = (SELECT min(id) FROM orders)`);
        await target.exec(`UPDATE users SET email = '${victim.email}' WHERE id = 4`);
        await target.exec("UPDATE orders SET strategy_id = 999 WHERE id = (SELECT max(id) FROM orders)");
        const result = await verify(target);
        assert.equal(result.code, 1);
        assert.equal(
          result.stdout,
          [
            "orders.strategy_id: 1 row references a missing trading_strategies row (orders_strategy_id_fkey)",
            // The e-mail holds the username (trader_4@...): that source value is in the target too.
            "users.username: 1 source value found in the target (users.email)",
            "users.email: 1 source value found in the target (users.email)",
            "users.phone: 1 source value found in the target (orders.metadata)",
            "orders.trader_name: 1 source value found in the target (users.email)",
            "",
          ].join("\n"),
        );
        assert.equal(result.stderr, "db: 5 problems found\n");
        assert.ok(!result.stdout.includes(victim.email) && !result.stdout.includes(victim.phone), "verify never prints a source value");
      });

      it("refuses a target that is not empty without --replace, and copies anew with it", async () => {
        const refused = await subset(target);
        assert.equal(refused.code, 2);
        assert.match(refused.stderr, /(^|\n)db: the target .* is not empty .*: pass --replace to [^\n]*\n$/);
        const replaced = await subset(target, "--replace");
        assert.equal(replaced.code, 0, replaced.stderr);
        assert.deepEqual(await verify(target), { code: 0, stdout: `verify --type subset: ${target.shown} agrees with the source\n`, stderr: "" });
      });

      it("verify finds a source value inside a longer text and inside a JSON string, and never prints it", async () => {
        const [victim] = await source.query<{ email: string }>("SELECT email FROM users WHERE id = 4");
        await target.exec(`UPDATE orders SET symbol = 'x ${victim.email}' WHERE id = (SELECT min(id) FROM orders)`);
        await target.exec(`UPDATE orders SET metadata = '{"note": "contact ${victim.email} asap"}' WHERE id = (SELECT max(id) FROM orders)`);
        const result = await verify(target);
        assert.equal(result.code, 1);
        const places = ["orders.metadata", "orders.symbol"];
        assert.equal(
          result.stdout,
          ["users.username", "users.email", "orders.trader_name"].flatMap((column) => places.map((where) => `${column}: 1 source value found in the target (${where})\n`)).join(""),
        );
        assert.equal(result.stderr, "db: 6 problems found\n");
        assert.ok(!result.stdout.includes(victim.email), "verify never prints a source value");
      });
    });
  }

  describe("rules and keys", () => {
    it("gives the same pseudonyms in every run with the same key, other ones with another key", async () => {
      const usernames = async (file: string, key: string) => {
        const target = sqliteTarget(path.join(folder, file));
        const result = await runDb(["subset", "--rules", rules, ...sides(target)], { DATA_SYNC_KEY: key });
        assert.equal(result.code, 0, result.stderr);
        return (await target.rows("SELECT username FROM users ORDER BY id")).map((row) => row.username);
      };
      const first = await usernames("again-1.db", testKey);
      assert.deepEqual(await usernames("again-2.db", testKey), first);
      const other = await usernames("other-key.db", "another key of at least 32 bytes!");
      assert.equal(other.length, first.length);
      assert.deepEqual(other.filter((name) => first.includes(name)), []);
      assert.deepEqual(
        (await postgresTarget(postgres).rows("SELECT username FROM users ORDER BY id")).map((row) => row.username),
        first,
        "PostgreSQL and SQLite targets hold the same pseudonyms",
      );
    });

    it("refuses, before copying anything, every copied column without a rule, whatever its name, with the line to add", async () => {
      // users.* and accounts.* no longer kept table-wide; e-mail, phone and api_key rules gone.
      const partial = writeRules(folder, testRulesYaml.split("\n").filter((line) => !/email|phone|api_key|users\.\*|accounts\.\*/.test(line)).join("\n"), "partial.yaml");
      const target = sqliteTarget(path.join(folder, "never.db"));
      const result = await runDb(["subset", "--rules", partial, ...sides(target)], { DATA_SYNC_KEY: testKey });
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: [
          `db: refusing to copy: 11 copied columns have no rule (every copied column needs one; npm run db -- rules --init writes a complete file); add under columns: in ${partial}:`,
          "  accounts.api_key: { transform: pseudonym, prefix: api_key_ }  # the name looks personal",
          "  accounts.exchange: { transform: keep }",
          "  accounts.user_id: { transform: keep }",
          "  users.created_at: { transform: keep }",
          "  users.email: { transform: email }  # the name looks personal",
          "  users.favourite_strategy_id: { transform: keep }",
          "  users.id: { transform: keep }",
          "  users.is_active: { transform: keep }",
          "  users.phone: { transform: pseudonym, prefix: phone_ }  # the name looks personal",
          "  users.referrer_id: { transform: keep }",
          "  users.trading_balance: { transform: keep }",
          "",
        ].join("\n"),
      });
      assert.deepEqual(await target.rows("SELECT name FROM sqlite_master"), [], "nothing was written");
    });

    it("a table-wide keep covers a table's columns without a rule of their own; the column's own rule and its key's win", async () => {
      // orders.api_key's own constant, orders.user_id following users.id (kept), orders.trader_name following users.username (pseudonym).
      const target = sqliteTarget(path.join(folder, "table-wide.db"));
      assert.equal((await runDb(["subset", "--rules", rules, ...sides(target)], { DATA_SYNC_KEY: testKey })).code, 0);
      const rows = await target.rows("SELECT DISTINCT api_key, trader_name LIKE 'test_user_%' AS pseudonym FROM orders WHERE trader_name IS NOT NULL");
      assert.deepEqual(rows.map((row) => ({ ...row })), [{ api_key: "test_api_key", pseudonym: 1 }]);
      const [order] = await target.rows("SELECT symbol, exchange FROM orders WHERE id = 200");
      assert.deepEqual({ ...order }, { symbol: "BTCUSDT", exchange: "binance" });
    });
  });

  describe("the sync record: verify compares the target with what the run copied", () => {
    const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    const freshSqlite = (name: string) => {
      fs.rmSync(path.join(folder, name), { force: true });
      return sqliteTarget(path.join(folder, name));
    };

    it("records the counts, the rules' SHA-256, the source stack and the time in trading_bot_data_sync, in the target", async () => {
      const target = freshSqlite("record.db");
      const before = Date.now();
      assert.equal((await subset(target)).code, 0);
      const [record] = await target.rows("SELECT * FROM trading_bot_data_sync");
      assert.deepEqual({ ...record, synced_at: "" }, {
        format_version: 1,
        source_stack: "dev",
        rules_sha256: sha256(rules),
        synced_at: "",
        row_counts: JSON.stringify({ accounts: 20, fills: 5, orders: 25, trading_strategies: 9, users: 26 }),
      });
      const syncedAt = Date.parse(String(record.synced_at));
      assert.ok(syncedAt >= before - 1000 && syncedAt <= Date.now(), String(record.synced_at));
      // The leak scan leaves it out (its SHA-256 and stack name are no source values anyway).
      assert.equal((await verify(target)).code, 0);
    });

    for (const kind of ["PostgreSQL", "SQLite"]) {
      it(`names the table and both counts when the target holds another number of rows than the run copied (${kind})`, async () => {
        const database = kind === "PostgreSQL" ? await createDatabase() : undefined;
        try {
          const target = database ? postgresTarget(database) : freshSqlite("counts.db");
          assert.equal((await subset(target)).code, 0);
          // The latest fill is nobody's parent: deleting it leaves no dangling reference.
          await target.exec("DELETE FROM fills WHERE id = (SELECT max(id) FROM fills)");
          assert.deepEqual(await verify(target), { code: 1, stdout: "fills: 4 rows in the target, the run copied 5\n", stderr: "db: 1 problem found\n" });
        } finally {
          await database?.drop();
        }
      });
    }

    it("names a copied table missing in the target, and a target without the record", async () => {
      const target = freshSqlite("missing.db");
      assert.equal((await subset(target)).code, 0);
      await target.exec("DROP TABLE fills");
      assert.deepEqual(await verify(target), { code: 1, stdout: "fills: missing in the target (the run copied 5 rows)\n", stderr: "db: 1 problem found\n" });
      await target.exec("DROP TABLE trading_bot_data_sync");
      assert.deepEqual(await verify(target), {
        code: 1,
        stdout: "trading_bot_data_sync: missing in the target: no subset run recorded what it copied there\n",
        stderr: "db: 1 problem found\n",
      });
    });

    it("names a record that is not one row, of another format version, or not valid", async () => {
      const target = freshSqlite("bad-record.db");
      assert.equal((await subset(target)).code, 0);
      const cases: [string, string][] = [
        ["INSERT INTO trading_bot_data_sync SELECT * FROM trading_bot_data_sync", "trading_bot_data_sync: 2 rows in the target; a subset writes exactly one"],
        ["DELETE FROM trading_bot_data_sync WHERE rowid = (SELECT max(rowid) FROM trading_bot_data_sync); UPDATE trading_bot_data_sync SET format_version = 2", "trading_bot_data_sync: format version 2; this tool reads 1"],
        ["UPDATE trading_bot_data_sync SET format_version = 1, row_counts = '{'", "trading_bot_data_sync: row_counts is not JSON"],
        [`UPDATE trading_bot_data_sync SET row_counts = '{"users": -1}'`, "trading_bot_data_sync: rowCounts.users: Too small: expected number to be >=0"],
      ];
      for (const [sql, problem] of cases) {
        await target.exec(sql);
        assert.deepEqual(await verify(target), { code: 1, stdout: `${problem}\n`, stderr: "db: 1 problem found\n" }, sql);
      }
    });

    it("names other rules and another source stack than the run's", async () => {
      const target = freshSqlite("other-rules.db");
      assert.equal((await subset(target)).code, 0);
      const other = writeRules(folder, `${testRulesYaml}# edited\n`, "edited.yaml");
      const result = await runDb(["verify", "--type", "subset", "--rules", other, ...sides(target).map((arg) => (arg === "dev" ? "staging" : arg))]);
      assert.deepEqual(result, {
        code: 1,
        stdout: [
          `trading_bot_data_sync: the run copied with other rules (SHA-256 ${sha256(rules).slice(0, 12)}...), not ${other} (${sha256(other).slice(0, 12)}...)`,
          "trading_bot_data_sync: the run copied from the stack dev, not staging",
          "",
        ].join("\n"),
        stderr: "db: 2 problems found\n",
      });
    });

    it("agrees with a source that kept writing after the copy (a new order changes what a plan would choose now)", async () => {
      const live = await createDatabase();
      try {
        await fillSource(live);
        const target = freshSqlite("live.db");
        const liveSides = ["--rules", rules, "--from-url", live.url, "--from-stack", "dev", "--to-url", target.url, "--to-stack", "staging"];
        assert.equal((await runDb(["subset", ...liveSides], { DATA_SYNC_KEY: testKey })).code, 0);
        await live.query("INSERT INTO orders (user_id, exchange, side, quantity, api_key, created_at) VALUES (1, 'bybit', 'buy', 1, 'live_order_key_new', '2030-01-01')");
        const usersNow = await expectedSubset(live);
        assert.equal(usersNow.users.size, 27, "a plan made now would choose another set of users");
        assert.deepEqual(await runDb(["verify", "--type", "subset", ...liveSides]), { code: 0, stdout: `verify --type subset: ${target.shown} agrees with the source\n`, stderr: "" });
      } finally {
        await live.drop();
      }
    });
  });
});
