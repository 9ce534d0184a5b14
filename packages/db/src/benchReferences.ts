// What the data bench puts beside the tool: the same rows loaded by the databases' own tools.
// PostgreSQL: `pg_dump --data-only | psql` into the source's tables made empty beforehand (the
// `pre-data` section, untimed), then with the keys and indexes too (`--section=post-data`).
// SQLite: `sqlite3` `.import` of CSV files of the rows as the tool's SQLite sink reads them, into
// the tables as the tool translates them, then with the same indexes and foreign key check as
// the tool's. A missing program is named
// with the package that installs it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { DatabaseSync } from "node:sqlite";
import { Client } from "pg";
import { to as copyTo } from "pg-copy-streams";
import { type Sample, measureCommand } from "../../tool-common/src/processSample";
import { readSchema } from "./catalog";
import { translateSchema } from "./ddlSqlite";
import { quoteIdent, schemaName, schemaOfTables } from "./schemaModel";
import { sqliteSelectExpression } from "./sqliteSink";

export const referenceLabels = {
  postgresRows: "reference: pg_dump --data-only | psql (rows only)",
  postgresKeys: "reference: pg_dump --section=data --section=post-data | psql (rows, keys, indexes)",
  sqliteRows: "reference: sqlite3 .import of CSV (rows only)",
  sqliteIndexes: "reference: sqlite3 .import of CSV, then indexes, foreign_key_check",
};

/** One kind of run of the bench: a fresh process, timed, after an untimed reset of its target. */
export interface Scenario {
  label: string;
  /** Untimed, before each run: the target made empty. */
  reset(): Promise<void>;
  run(): Promise<Sample>;
  /** Rows the target holds after a run. */
  rows(): Promise<number>;
}

/** Where the bench looks for programs: PATH, then Debian's folder of PostgreSQL versions. */
export interface ProgramSearch {
  searchPath?: string;
  postgresRoot?: string;
}

/** A program on PATH (or, for PostgreSQL's, in Debian's newest /usr/lib/postgresql/<major>/bin). */
function findProgram(name: string, { searchPath = process.env.PATH ?? "", postgresRoot = "/usr/lib/postgresql" }: ProgramSearch): string | undefined {
  const onPath = searchPath.split(path.delimiter).filter(Boolean).map((folder) => path.join(folder, name));
  const majors = fs.existsSync(postgresRoot) ? fs.readdirSync(postgresRoot).sort((a, b) => Number(b) - Number(a)) : [];
  return [...onPath, ...majors.map((major) => path.join(postgresRoot, major, "bin", name))].find((file) => fs.existsSync(file));
}

function majorVersion(program: string): number {
  return Number(/(\d+)(?:\.\d+)?/.exec(spawnSync(program, ["--version"], { encoding: "utf8" }).stdout ?? "")?.[1] ?? 0);
}

/** pg_dump and psql for a server of `serverMajor`, or why there are none. */
export function findPostgresTools(serverMajor: number, search: ProgramSearch = {}): { pgDump: string; psql: string } | { missing: string } {
  const [pgDump, psql] = [findProgram("pg_dump", search), findProgram("psql", search)];
  if (!pgDump || !psql) return { missing: "pg_dump and psql are not installed: apt-get install postgresql-client" };
  const major = majorVersion(pgDump);
  if (major < serverMajor) return { missing: `pg_dump ${major} cannot dump a PostgreSQL ${serverMajor} server: apt-get install postgresql-client-${serverMajor}` };
  return { pgDump, psql };
}

export function findSqlite3(search: ProgramSearch = {}): string | { missing: string } {
  return findProgram("sqlite3", search) ?? { missing: "sqlite3 is not installed: apt-get install sqlite3" };
}

/** Runs a shell pipeline with the URLs in its environment (never on a command line a process list shows). */
function shell(script: string, env: Record<string, string>, cwd: string): Promise<Sample> {
  return measureCommand("bash", ["-o", "pipefail", "-c", script], cwd, { ...process.env, ...env });
}

export interface PostgresSide {
  url: string;
  exec(sql: string): Promise<void>;
  count(table: string): Promise<number>;
}

/** Rows in `tables`, one query at a time (a pg client runs one query at a time). */
export async function countRows(side: PostgresSide, tables: string[]): Promise<number> {
  let total = 0;
  for (const table of tables) total += await side.count(table);
  return total;
}

/** `pg_dump --data-only | psql`, and with the keys and indexes after the rows, from `source` into `reference`. */
export function postgresReferences(tools: { pgDump: string; psql: string }, source: PostgresSide, reference: PostgresSide, tables: string[], folder: string): Scenario[] {
  const env = { PG_DUMP: tools.pgDump, PSQL: tools.psql, SOURCE_URL: source.url, REFERENCE_URL: reference.url, TABLES: tables.map((table) => `--table=${schemaName}.${table}`).join(" ") };
  const dump = (sections: string) => `"$PG_DUMP" --no-owner --no-privileges ${sections} $TABLES --dbname "$SOURCE_URL" | "$PSQL" -X -q -v ON_ERROR_STOP=1 --dbname "$REFERENCE_URL" >/dev/null`;
  const reset = async () => {
    await reference.exec(`DROP SCHEMA ${quoteIdent(schemaName)} CASCADE; CREATE SCHEMA ${quoteIdent(schemaName)}`);
    await shell(dump("--section=pre-data"), env, folder);
  };
  const rows = () => countRows(reference, tables);
  return [
    { label: referenceLabels.postgresRows, reset, run: () => shell(dump("--data-only"), env, folder), rows },
    { label: referenceLabels.postgresKeys, reset, run: () => shell(dump("--section=data --section=post-data"), env, folder), rows },
  ];
}

/**
 * `sqlite3 .import` of CSV files written once (untimed) from the source: each table's rows as the
 * SQLite sink selects them, into the tables as the tool translates them; then with its indexes
 * and its foreign key check.
 */
export async function sqliteReferences(sqlite3: string, sourceUrl: string, tables: string[], folder: string, countRows: (file: string) => number): Promise<Scenario[]> {
  const client = new Client({ connectionString: sourceUrl });
  await client.connect();
  try {
    const schema = schemaOfTables(await readSchema(client), new Set(tables));
    const translated = translateSchema(schema);
    for (const table of schema.tables) {
      const select = `SELECT ${table.columns.map(sqliteSelectExpression).join(", ")} FROM ${quoteIdent(schemaName)}.${quoteIdent(table.name)}`;
      await pipeline(client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT csv)`)), fs.createWriteStream(path.join(folder, `${table.name}.csv`)));
    }
    const file = path.join(folder, "reference.db");
    const reset = async () => {
      fs.rmSync(file, { force: true });
      const db = new DatabaseSync(file);
      for (const statement of translated.tables) db.exec(statement);
      db.close();
    };
    const imports = schema.tables.map((table) => `.import --csv ${table.name}.csv ${table.name}`);
    const run = (after: string[]) => () => measureCommand(sqlite3, [file, ...imports, ...after], folder);
    const rows = async () => countRows(file);
    return [
      { label: referenceLabels.sqliteRows, reset, run: run([]), rows },
      { label: referenceLabels.sqliteIndexes, reset, run: run([...translated.indexes, "PRAGMA foreign_key_check"]), rows },
    ];
  } finally {
    await client.end();
  }
}
