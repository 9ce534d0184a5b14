// The data sync's part of `npm run bench`: a source of 1,000,000 orders and 100,000 users, and
// one of 10,000 orders (PGlite served over the wire protocol, or fresh databases on
// TEST_DATABASE_URL); then the tool in fresh processes (the latest 10,000 orders with their
// closure into SQLite; the whole orders table, both sizes, into SQLite and into PostgreSQL) and,
// beside it, the same rows loaded by the databases' own tools (benchReferences.ts). Runs go
// round by round, every kind once a round, so a busy moment of the machine falls on all alike.
// Medians of wall time, rows per second and peak memory of the measured process tree.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import Table from "cli-table3";
import { Client } from "pg";
import { type Sample, measure, median } from "../../tool-common/src/processSample";
import { type PostgresSide, type Scenario, countRows, findPostgresTools, findSqlite3, postgresReferences, referenceLabels, sqliteReferences } from "./benchReferences";
import { loaderKindFor } from "./postgresLoad";
import { appTables } from "./seed";
import { syncRecordTableName } from "./syncRecord";

export interface DataBenchOptions {
  root: string;
  orders: number;
  users: number;
  smallOrders: number;
  runs: number;
}

interface BenchDatabase extends PostgresSide {
  /** version() of its server. */
  version: string;
  close(): Promise<void>;
}

const benchTables = ["users", "trading_strategies", "orders"];

async function pgliteDatabase(): Promise<BenchDatabase> {
  // devDependencies, loaded only by the bench.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    version: (await db.query<{ version: string }>("SELECT version()")).rows[0].version,
    exec: async (sql) => void (await db.exec(sql)),
    count: async (table) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n),
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function serverDatabase(serverUrl: string, name: string): Promise<BenchDatabase> {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    version: (await client.query<{ version: string }>("SELECT version()")).rows[0].version,
    exec: async (sql) => void (await client.query(sql)),
    count: async (table) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
    close: async () => {
      await client.end();
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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

/** The stack files the tool's production guard reads: a source and a target, neither production. */
function writeStackFiles(folder: string): void {
  for (const stack of ["dev", "bench"]) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), "config:\n  trading-bot:environment: development\n");
}

/** What a scenario of the tool needs besides its label: where from, with which rules, into what. */
interface ToolRun {
  options: DataBenchOptions;
  folder: string;
  source: BenchDatabase;
  rules: string;
}

function toolRun({ options, folder, source, rules }: ToolRun, toUrl: string): () => Promise<Sample> {
  const launch = path.join(options.root, "tools", "launch.js");
  const sides = ["--from-url", source.url, "--from-stack", "dev", "--to-url", toUrl, "--to-stack", "bench", "-C", folder];
  const env = { ...process.env, DATA_SYNC_KEY: "bench-key-bench-key-bench-key-bench-key" };
  return () => measure([launch, "db", "subset", "--replace", "--rules", rules, ...sides], options.root, env);
}

function sqliteScenario(label: string, run: ToolRun): Scenario {
  const file = path.join(run.folder, `${label.replace(/\W+/g, "-")}.db`);
  return { label, reset: async () => fs.rmSync(file, { force: true }), run: toolRun(run, `sqlite:///${file}`), rows: async () => sqliteRows(file) };
}

function postgresScenario(label: string, run: ToolRun, target: BenchDatabase): Scenario {
  return {
    label,
    reset: () => target.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"),
    run: toolRun(run, target.url),
    rows: () => countRows(target, benchTables),
  };
}

export interface BenchResult {
  label: string;
  rows: number;
  wallS: number;
  rowsPerS: number;
  peakMb: number;
}

/** Every scenario `runs` times, round by round; medians. */
async function runRounds(scenarios: Scenario[], runs: number): Promise<BenchResult[]> {
  const samples = scenarios.map(() => [] as Sample[]);
  const rows = scenarios.map(() => 0);
  for (let round = 1; round <= runs; round++) {
    for (const [index, scenario] of scenarios.entries()) {
      process.stderr.write(`bench: round ${round}/${runs}: ${scenario.label}\n`);
      await scenario.reset();
      samples[index].push(await scenario.run());
      rows[index] = await scenario.rows();
    }
  }
  return scenarios.map(({ label }, index) => {
    const wallS = median(samples[index].map((s) => s.wallMs)) / 1000;
    return { label, rows: rows[index], wallS, rowsPerS: rows[index] / wallS, peakMb: median(samples[index].map((s) => s.peakRssMb)) };
  });
}

const count = (n: number) => n.toLocaleString("en-US");

function printTable(results: BenchResult[], runs: number): void {
  const table = new Table({
    head: ["data sync (db subset, anonymised) and references", "rows", "runs", "median wall s", "rows/s", "median peak MB"],
    colAligns: ["left", "right", "right", "right", "right", "right"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  for (const r of results) table.push([r.label, count(r.rows), runs, r.wallS.toFixed(1), count(Math.round(r.rowsPerS)), r.peakMb.toFixed(0)]);
  console.log(table.toString());
}

/** The tool's scenarios, named with the sizes of the run and how rows go into PostgreSQL. */
export interface BenchLabels {
  largeOrders: string;
  smallOrders: string;
  sqliteLarge: string;
  sqliteSmall: string;
  postgresLarge: string;
  postgresSmall: string;
}

export function benchLabels(options: Pick<DataBenchOptions, "orders" | "smallOrders">, postgresVersion: string): BenchLabels {
  const [largeOrders, smallOrders] = [count(options.orders), count(options.smallOrders)];
  const loader = loaderKindFor(postgresVersion) === "copy" ? "COPY" : "PGlite: INSERT";
  return {
    largeOrders,
    smallOrders,
    sqliteLarge: `whole orders table, ${largeOrders} orders -> SQLite`,
    sqliteSmall: `whole orders table, ${smallOrders} orders -> SQLite`,
    postgresLarge: `whole orders table, ${largeOrders} orders -> PostgreSQL (${loader})`,
    postgresSmall: `whole orders table, ${smallOrders} orders -> PostgreSQL (${loader})`,
  };
}

/** The goals of issue 21: rows per second and time beside the references, memory flat in table size. */
export function verdicts(results: BenchResult[], labels: BenchLabels, missing: string[]): string[] {
  const find = (label: string) => results.find((result) => result.label === label);
  const times = (tool: BenchResult, reference: BenchResult) => `${(tool.wallS / reference.wallS).toFixed(2)} times the wall time of ${reference.label.replace(/^reference: /, "")}`;
  const [pgLarge, pgSmall, pgReference] = [find(labels.postgresLarge), find(labels.postgresSmall), find(referenceLabels.postgresRows)];
  const [sqliteLarge, sqliteSmall, sqliteReference] = [find(labels.sqliteLarge), find(labels.sqliteSmall), find(referenceLabels.sqliteRows)];
  const lines: string[] = [];
  if (pgLarge) lines.push(`Into PostgreSQL: ${count(Math.round(pgLarge.rowsPerS))} rows/s (goal: at least 100,000).`);
  if (pgLarge && pgReference) lines.push(`Into PostgreSQL: ${times(pgLarge, pgReference)} (goal: at most 1.5).`);
  if (sqliteLarge && sqliteReference) lines.push(`Into SQLite: ${times(sqliteLarge, sqliteReference)} (goal: at most 2).`);
  for (const [kind, large, small] of [["SQLite", sqliteLarge, sqliteSmall], ["PostgreSQL", pgLarge, pgSmall]] as const) {
    if (large && small) lines.push(`Peak memory into ${kind}, ${labels.largeOrders} orders minus ${labels.smallOrders}: ${(large.peakMb - small.peakMb).toFixed(0)} MB (goal: within 50 MB).`);
  }
  for (const reason of missing) lines.push(`Not measured: ${reason}.`);
  return lines;
}

interface BenchDatabases {
  large: BenchDatabase;
  small: BenchDatabase;
  /** Targets of the tool: one per size. */
  targets: BenchDatabase[];
  /** The PostgreSQL reference's target (on a server only). */
  reference?: BenchDatabase;
}

/** The tool's scenarios, then the references this machine can run, and why any other is not run. */
async function buildScenarios(options: DataBenchOptions, folder: string, databases: BenchDatabases): Promise<{ scenarios: Scenario[]; labels: BenchLabels; missing: string[] }> {
  const writeRules = (name: string, roots: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, `roots:\n${roots}\n${rulesColumns}`);
    return file;
  };
  const latest = writeRules("latest.yaml", "  - table: orders\n    orderBy: created_at desc\n    limit: 10000");
  const whole = writeRules("whole.yaml", "  - table: orders");
  const { large, small, targets, reference } = databases;
  const labels = benchLabels(options, targets[0].version);
  const scenarios = [
    sqliteScenario("latest 10,000 orders + closure -> SQLite", { options, folder, source: large, rules: latest }),
    sqliteScenario(labels.sqliteSmall, { options, folder, source: small, rules: whole }),
    sqliteScenario(labels.sqliteLarge, { options, folder, source: large, rules: whole }),
    postgresScenario(labels.postgresSmall, { options, folder, source: small, rules: whole }, targets[0]),
    postgresScenario(labels.postgresLarge, { options, folder, source: large, rules: whole }, targets[1]),
  ];
  const missing: string[] = [];
  const sqlite3 = findSqlite3();
  if (typeof sqlite3 === "string") scenarios.push(...(await sqliteReferences(sqlite3, large.url, benchTables, folder, sqliteRows)));
  else missing.push(`the SQLite reference: ${sqlite3.missing}`);
  const tools = reference && findPostgresTools(Number(/PostgreSQL (\d+)/.exec(large.version)?.[1] ?? 0));
  if (!reference) missing.push("the PostgreSQL reference: it needs a PostgreSQL server (PGlite's socket server cannot take COPY FROM STDIN): set TEST_DATABASE_URL, e.g. to a throwaway cluster as .ci/run starts one (apt-get install postgresql)");
  else if (tools && "missing" in tools) missing.push(`the PostgreSQL reference: ${tools.missing}`);
  else if (tools) scenarios.push(...postgresReferences(tools, large, reference, benchTables, folder));
  return { scenarios, labels, missing };
}

function printSetting(version: string, loadBefore: number[]): void {
  const server = process.env.TEST_DATABASE_URL ? `the TEST_DATABASE_URL server (${version.split(" on ")[0]})` : "PGlite over pglite-socket, in the bench's own process";
  const load = (averages: number[]) => averages.map((n) => n.toFixed(1)).join(" ");
  console.log(`Sources and PostgreSQL targets: ${server}. Wall time is the measured process tree's: for the tool, start, snapshot, plan, copy, keys and indexes, commit or rename.`);
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores; load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(os.loadavg())} after.`);
}

export async function benchDataSync(options: DataBenchOptions): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "db-bench-"));
  writeStackFiles(folder);
  process.stderr.write(`bench: generating ${count(options.orders)} and ${count(options.smallOrders)} orders with ${count(options.users)} users\n`);
  const opened: BenchDatabase[] = [];
  const open = async (database: Promise<BenchDatabase>) => opened[opened.push(await database) - 1];
  try {
    const large = await open(generateSource(options.users, options.orders));
    const small = await open(generateSource(options.users, options.smallOrders));
    const targets = [await open(newDatabase()), await open(newDatabase())];
    const reference = process.env.TEST_DATABASE_URL ? await open(newDatabase()) : undefined;
    // One untimed run fills the caches (the JavaScript copy of the tools, Node's compile cache).
    await measure([path.join(options.root, "tools", "launch.js"), "db", "--help"], options.root);
    const loadBefore = os.loadavg();
    const { scenarios, labels, missing } = await buildScenarios(options, folder, { large, small, targets, reference });
    const results = await runRounds(scenarios, options.runs);
    printTable(results, options.runs);
    for (const line of verdicts(results, labels, missing)) console.log(line);
    printSetting(large.version, loadBefore);
  } finally {
    await Promise.all(opened.map((database) => database.close()));
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
