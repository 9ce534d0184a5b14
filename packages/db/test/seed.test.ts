import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type TestDatabase, createDatabase, runDb, tempFolder } from "./support";

const firstRun = "users: 2 added, 0 already there\ntrading_strategies: 1 added, 0 already there\n";
const secondRun = "users: 0 added, 2 already there\ntrading_strategies: 0 added, 1 already there\n";

describe("npm run db -- seed", function () {
  let folder: string;
  let postgres: TestDatabase;
  before(async () => {
    folder = tempFolder("seed");
    postgres = await createDatabase();
  });
  after(async () => postgres?.drop());

  it("creates the app's tables in PostgreSQL and inserts the article's test data; twice changes nothing", async () => {
    const args = ["seed", "--to-url", postgres.url, "--to-stack", "dev"];
    assert.deepEqual(await runDb(args), { code: 0, stdout: firstRun, stderr: "" });
    const dump = async () => ({
      users: await postgres.query("SELECT id::int, username, email, phone, is_active, trading_balance::text, created_at FROM users ORDER BY id"),
      strategies: await postgres.query("SELECT id::int, name, description, config FROM trading_strategies ORDER BY id"),
      orders: await postgres.query("SELECT count(*)::int AS n FROM orders"),
    });
    const before = await dump();
    assert.deepEqual(
      before.users.map(({ created_at, ...user }) => user),
      [
        { id: 1, username: "test_trader_1", email: "trader1@test.com", phone: null, is_active: true, trading_balance: "10000.00000000" },
        { id: 2, username: "test_trader_2", email: "trader2@test.com", phone: null, is_active: true, trading_balance: "5000.00000000" },
      ],
    );
    assert.deepEqual(before.strategies, [
      { id: 1, name: "Arbitrage Strategy Test", description: "Test arbitrage strategy", config: { symbol: "BTCUSDT", min_profit_rate: 0.001, max_position_size: 1000 } },
    ]);
    assert.deepEqual(before.orders, [{ n: 0 }]);
    assert.deepEqual(await runDb(args), { code: 0, stdout: secondRun, stderr: "" });
    assert.deepEqual(await dump(), before);
  });

  it("creates the app's tables in SQLite and inserts the article's test data; twice changes nothing", async () => {
    const file = path.join(folder, "seed.db");
    const args = ["seed", "--to-url", `sqlite:///${file}`, "--to-stack", "dev"];
    assert.deepEqual(await runDb(args), { code: 0, stdout: firstRun, stderr: "" });
    const dump = () => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return {
          users: db.prepare("SELECT id, username, email, is_active, trading_balance FROM users ORDER BY id").all().map((row) => ({ ...row })),
          strategies: db.prepare("SELECT id, name, description, config FROM trading_strategies ORDER BY id").all().map((row) => ({ ...row })),
          tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((row) => row.name),
        };
      } finally {
        db.close();
      }
    };
    const before = dump();
    assert.deepEqual(before, {
      users: [
        { id: 1, username: "test_trader_1", email: "trader1@test.com", is_active: 1, trading_balance: 10000 },
        { id: 2, username: "test_trader_2", email: "trader2@test.com", is_active: 1, trading_balance: 5000 },
      ],
      strategies: [{ id: 1, name: "Arbitrage Strategy Test", description: "Test arbitrage strategy", config: '{"symbol":"BTCUSDT","min_profit_rate":0.001,"max_position_size":1000}' }],
      tables: ["orders", "trading_strategies", "users"],
    });
    const bytes = fs.readFileSync(file);
    assert.deepEqual(await runDb(args), { code: 0, stdout: secondRun, stderr: "" });
    assert.deepEqual(dump(), before);
    assert.deepEqual(fs.readFileSync(file), bytes, "the second run did not write");
  });

  it("adds only the rows that are missing, into tables the app already has", async () => {
    const file = path.join(folder, "existing.db");
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL, phone TEXT, is_active INTEGER, trading_balance NUMERIC, created_at TEXT);
             INSERT INTO users (username, email) VALUES ('test_trader_1', 'kept@example.test');`);
    db.close();
    const result = await runDb(["seed", "--to-url", `sqlite:///${file}`, "--to-stack", "dev"]);
    assert.deepEqual(result, { code: 0, stdout: "users: 1 added, 1 already there\ntrading_strategies: 1 added, 0 already there\n", stderr: "" });
    const after = new DatabaseSync(file, { readOnly: true });
    assert.deepEqual(after.prepare("SELECT username, email FROM users ORDER BY id").all().map((row) => ({ ...row })), [
      { username: "test_trader_1", email: "kept@example.test" },
      { username: "test_trader_2", email: "trader2@test.com" },
    ]);
    after.close();
  });

  it("refuses a fixture file that does not match its schema, naming the field", async () => {
    const fixture = path.join(folder, "bad.yaml");
    fs.writeFileSync(fixture, "users:\n  - { username: a, email: a@test.com, is_active: true, trading_balance: lots }\ntrading_strategies: []\n");
    const result = await runDb(["seed", "--data", fixture, "--to-url", `sqlite:///${path.join(folder, "never.db")}`, "--to-stack", "dev"]);
    assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: ${fixture}: users.0.trading_balance: Invalid input: expected number, received string\n` });
    assert.ok(!fs.existsSync(path.join(folder, "never.db")));
  });
});
