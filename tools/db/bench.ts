// The data sync's part of `npm run bench`: a source of 1,000,000 orders and 100,000 users
// (PGlite served over the wire protocol, or a fresh database on TEST_DATABASE_URL), then the
// tool in fresh processes: the subset of the latest 10,000 orders with their closure into
// SQLite, and a full anonymised copy of the orders table into SQLite and into PostgreSQL.
// Medians of wall time, rows per second and peak memory of the tool's process.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import Table from "cli-table3";
import { Client } from "pg";
import { type Sample, measure, median } from "../common/processSample";
import { appTables } from "./seed";
import { syncRecordTableName } from "./syncRecord";

export interface DataBenchOptions {
  root: string;
  orders: number;
  users: number;
  runs: number;
}

interface BenchDatabase {
  url: string;
  exec(sql: string): Promise<void>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

async function pgliteDatabase(): Promise<BenchDatabase> {
  // devDependencies, loaded only by the bench.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    exec: async (sql) => void (await db.exec(sql)),
    count: async (table) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n),
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function serverDatabase(serverUrl: string, name: string): Promise<BenchDatabase> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    exec: async (sql) => void (await client.query(sql)),
    count: async (table) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
    close: async () => {
      await client.end();
      const drop = new Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

let databases = 0;
const newDatabase = () => (process.env.TEST_DATABASE_URL ? serverDatabase(process.env.TEST_DATABASE_URL, `tbdb_bench_${process.pid}_${databases++}`) : pgliteDatabase());

/** The app's tables (as seed creates them) filled with generated users, strategies and orders. */
async function generateSource(users: number, orders: number): Promise<BenchDatabase> {
  const source = await newDatabase();
  for (const statement of appTables.postgres) await source.exec(statement);
  await source.exec(`
    INSERT INTO users (username, email, phone, trading_balance, created_at)
    SELECT 'trader_' || i, 'trader_' || i || '@mail.example', '+1-555-' || lpad(i::text, 7, '0'), i, timestamptz '2025-01-01' + i * interval '1 minute'
    FROM generate_series(1, ${users}) i;
    INSERT INTO trading_strategies (name, description, config)
    SELECT 'strategy_' || k, 'generated', jsonb_build_object('symbol', 'BTCUSDT', 'risk', k) FROM generate_series(1, 10) k;
    INSERT INTO orders (user_id, strategy_id, symbol, side, quantity, price, status, api_key, created_at)
    SELECT (n % ${users}) + 1, CASE WHEN n % 4 = 0 THEN NULL ELSE (n % 10) + 1 END, 'BTCUSDT', CASE WHEN n % 2 = 0 THEN 'buy' ELSE 'sell' END,
           (n % 7) + 0.5, 60000 + n % 1000, 'filled', 'live_key_' || n, timestamptz '2026-01-01' + n * interval '1 second'
    FROM generate_series(1, ${orders}) n;
    CREATE INDEX orders_created_at_idx ON orders (created_at);
    ANALYZE;`);
  return source;
}

const rulesColumns = `columns:
  users.email: { transform: email }
  users.username: { transform: pseudonym, prefix: test_user_ }
  users.phone: { transform: "null" }
  orders.api_key: { transform: constant, value: test_api_key }
  trading_strategies.name: { transform: keep }
  users.*: keep
  trading_strategies.*: keep
  orders.*: keep
`;

/** Rows copied into a SQLite target (the sync record's row is not one). */
function sqliteRows(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> ?").all(syncRecordTableName) as { name: string }[];
    return tables.reduce((sum, { name }) => sum + Number((db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n), 0);
  } finally {
    db.close();
  }
}

interface Scenario {
  label: string;
  source: BenchDatabase;
  rules: string;
  target: { url: string; rows: () => Promise<number> };
}

interface ScenarioResult {
  label: string;
  rows: number;
  wallS: number;
  rowsPerS: number;
  peakMb: number;
}

/** The stack files the tool's production guard reads: a source and a target, neither production. */
function writeStackFiles(folder: string): void {
  for (const stack of ["dev", "bench"]) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), "config:\n  trading-bot:environment: development\n");
}

async function runScenario(options: DataBenchOptions, scenario: Scenario, stackFolder: string): Promise<ScenarioResult> {
  const launch = path.join(options.root, "tools", "launch.js");
  const sides = ["--from-url", scenario.source.url, "--from-stack", "dev", "--to-url", scenario.target.url, "--to-stack", "bench", "-C", stackFolder];
  const args = [launch, "db", "subset", "--replace", "--rules", scenario.rules, ...sides];
  const env = { ...process.env, DATA_SYNC_KEY: "bench-key-bench-key-bench-key-bench-key" };
  const samples: Sample[] = [];
  let rows = 0;
  for (let run = 1; run <= options.runs; run++) {
    process.stderr.write(`bench: ${scenario.label} ${run}/${options.runs}\n`);
    samples.push(await measure(args, options.root, env));
    rows = await scenario.target.rows();
  }
  const wallS = median(samples.map((s) => s.wallMs)) / 1000;
  return { label: scenario.label, rows, wallS, rowsPerS: rows / wallS, peakMb: median(samples.map((s) => s.peakRssMb)) };
}

function printResults(results: ScenarioResult[], options: DataBenchOptions): void {
  const table = new Table({
    head: ["data sync (db subset, anonymised)", "rows", "runs", "median wall s", "rows/s", "median peak MB"],
    colAligns: ["left", "right", "right", "right", "right", "right"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  for (const r of results) table.push([r.label, r.rows.toLocaleString("en-US"), options.runs, r.wallS.toFixed(1), Math.round(r.rowsPerS).toLocaleString("en-US"), r.peakMb.toFixed(0)]);
  console.log(table.toString());
  const [, small, large] = results;
  console.log(`Peak memory of the ${options.orders.toLocaleString("en-US")}-order copy minus the 10,000-order copy: ${(large.peakMb - small.peakMb).toFixed(0)} MB (target: within 50 MB).`);
  console.log(`Anonymised rows per second into SQLite, full copy: ${Math.round(large.rowsPerS).toLocaleString("en-US")} (target: at least 20,000).`);
  const server = process.env.TEST_DATABASE_URL ? "the TEST_DATABASE_URL server" : "PGlite over pglite-socket, in the bench's own process";
  console.log(`Source and PostgreSQL target: ${server}; wall time is the tool's whole process (start, snapshot, plan, copy, keys and indexes, commit or rename).`);
}

export async function benchDataSync(options: DataBenchOptions): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "db-bench-"));
  writeStackFiles(folder);
  const writeRules = (name: string, roots: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, `roots:\n${roots}\n${rulesColumns}`);
    return file;
  };
  process.stderr.write(`bench: generating ${options.orders.toLocaleString("en-US")} orders and ${options.users.toLocaleString("en-US")} users\n`);
  const large = await generateSource(options.users, options.orders);
  const small = await generateSource(options.users, 10_000);
  const target = await newDatabase();
  // One untimed run fills the caches (the JavaScript copy of the tools, Node's compile cache).
  await measure([path.join(options.root, "tools", "launch.js"), "db", "--help"], options.root);
  try {
    const sqlite = (name: string) => ({ url: `sqlite:///${path.join(folder, name)}`, rows: async () => sqliteRows(path.join(folder, name)) });
    const latest = writeRules("latest.yaml", "  - table: orders\n    orderBy: created_at desc\n    limit: 10000");
    const whole = writeRules("whole.yaml", "  - table: orders");
    const postgresRows = async () => (await Promise.all(["users", "trading_strategies", "orders"].map((t) => target.count(t)))).reduce((a, b) => a + b, 0);
    const results: ScenarioResult[] = [];
    for (const scenario of [
      { label: "latest 10,000 orders + closure -> SQLite", source: large, rules: latest, target: sqlite("latest.db") },
      { label: "whole orders table, 10,000 orders -> SQLite", source: small, rules: whole, target: sqlite("small.db") },
      { label: `whole orders table, ${options.orders.toLocaleString("en-US")} orders -> SQLite`, source: large, rules: whole, target: sqlite("whole.db") },
      { label: `whole orders table, ${options.orders.toLocaleString("en-US")} orders -> PostgreSQL`, source: large, rules: whole, target: { url: target.url, rows: postgresRows } },
    ]) {
      results.push(await runScenario(options, scenario, folder));
    }
    printResults(results, options);
  } finally {
    await Promise.all([large.close(), small.close(), target.close()]);
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
