// Reading a target back for `verify`: its tables, row counts, references that point at no
// row, every value it holds, and how its schema differs from the source's. Tables are named
// by their keys (`users`, `trading.venues`); a SQLite target's names are mapped back through
// the schema it should hold. The sync record's table (syncRecord.ts) is read on its own,
// never compared or scanned.
import * as fs from "node:fs";
import type { Client } from "pg";
import Cursor from "pg-cursor";
import { DatabaseSync } from "node:sqlite";
import { readSchema } from "./catalog";
import { Refusal } from "./errors";
import { sqliteTableName, translateSchema } from "./ddlSqlite";
import { tableKey } from "./names";
import { connectPostgres, textTypes } from "./postgresSource";
import { compareSchemas, compareSqliteShapes, type SqliteActualTable } from "./schemaDiff";
import type { SchemaModel, TableModel } from "./schemaModel";
import { columnLabel, keyOf, quoteIdent, sqlName, sqlNameOfKey, storedTables } from "./schemaModel";
import { syncRecordTableName, withoutSyncRecordTable } from "./syncRecord";
import type { Endpoint } from "./urls";

/** Tables by key. */
export interface ForeignKeyRef {
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}

export interface TargetReader {
  /** The keys of the tables rows are stored in (partitions' rows are their parent's). */
  tables(): Promise<string[]>;
  count(table: string): Promise<number>;
  /** Rows whose reference (all of its columns set) matches no row of the referenced table. */
  dangling(key: ForeignKeyRef): Promise<number>;
  /** Every non-null value of every table as text, with its column's label (`users.email`). */
  scanValues(onValue: (value: string, where: string) => void): Promise<void>;
  schemaProblems(source: SchemaModel): Promise<string[]>;
  /** Every row of a small table (the sync record's), or undefined when the target has no such table. */
  tableRows(table: string): Promise<Record<string, unknown>[] | undefined>;
  close(): Promise<void>;
}

function danglingQuery(key: ForeignKeyRef, tableName: (name: string) => string): string {
  const set = key.columns.map((column) => `c.${quoteIdent(column)} IS NOT NULL`).join(" AND ");
  const join = key.columns.map((column, i) => `p.${quoteIdent(key.referencedColumns[i])} = c.${quoteIdent(column)}`).join(" AND ");
  return `SELECT count(*) AS n FROM ${tableName(key.table)} c WHERE ${set} AND NOT EXISTS (SELECT 1 FROM ${tableName(key.referencedTable)} p WHERE ${join})`;
}

/** A value, and the strings inside it when it is JSON (a source value hidden in a JSON column is still a leak). */
function emitValue(value: string, where: string, onValue: (value: string, where: string) => void): void {
  onValue(value, where);
  if (!/^\s*[[{]/.test(value)) return;
  try {
    const visit = (node: unknown): void => {
      if (typeof node === "string") onValue(node, where);
      else if (node && typeof node === "object") for (const child of Object.values(node)) visit(child);
    };
    visit(JSON.parse(value));
  } catch {
    // not JSON after all
  }
}

class PostgresTargetReader implements TargetReader {
  private schema: SchemaModel | undefined;
  constructor(private readonly client: Client) {}

  /** The target's schema without the sync record's table: neither compared nor scanned. */
  private async targetSchema(): Promise<SchemaModel> {
    this.schema ??= withoutSyncRecordTable(await readSchema(this.client));
    return this.schema;
  }

  async tables(): Promise<string[]> {
    return storedTables(await this.targetSchema()).map(keyOf);
  }

  async count(table: string): Promise<number> {
    return Number((await this.client.query(`SELECT count(*) AS n FROM ${sqlNameOfKey(table)}`)).rows[0].n);
  }

  async dangling(key: ForeignKeyRef): Promise<number> {
    return Number((await this.client.query(danglingQuery(key, sqlNameOfKey))).rows[0].n);
  }

  async scanValues(onValue: (value: string, where: string) => void): Promise<void> {
    for (const table of storedTables(await this.targetSchema())) {
      const columns = table.columns.map((column) => `${quoteIdent(column.name)}::text`).join(", ");
      const cursor = this.client.query(new Cursor<(string | null)[]>(`SELECT ${columns} FROM ${sqlName(table)}`, [], { rowMode: "array", types: textTypes }));
      const labels = table.columns.map((column) => columnLabel(table, column.name));
      try {
        for (let rows = await cursor.read(5000); rows.length > 0; rows = await cursor.read(5000)) {
          for (const row of rows) row.forEach((value, i) => value !== null && emitValue(value, labels[i], onValue));
        }
      } finally {
        await cursor.close();
      }
    }
  }

  async schemaProblems(source: SchemaModel): Promise<string[]> {
    return compareSchemas(withoutSyncRecordTable(source), await this.targetSchema());
  }

  async tableRows(table: string): Promise<Record<string, unknown>[] | undefined> {
    const relation = sqlNameOfKey(table);
    if ((await this.client.query("SELECT to_regclass($1) AS found", [relation])).rows[0].found === null) return undefined;
    return (await this.client.query(`SELECT * FROM ${relation}`)).rows;
  }

  async close(): Promise<void> {
    await this.client.query("ROLLBACK").catch(() => undefined);
    await this.client.end();
  }
}

class SqliteTargetReader implements TargetReader {
  /** SQLite names of the expected tables -> their models. */
  private readonly expected: Map<string, TableModel>;

  constructor(
    private readonly db: DatabaseSync,
    expected: SchemaModel,
  ) {
    this.expected = new Map(storedTables(expected).map((table) => [sqliteTableName(table), table]));
  }

  private names(): string[] {
    const rows = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name").all(syncRecordTableName) as { name: string }[];
    return rows.map((row) => row.name);
  }

  /** A SQLite table's key: the expected table's, or the name as a table of the schema public. */
  private keyOfName(name: string): string {
    const table = this.expected.get(name);
    return table ? keyOf(table) : tableKey("public", name);
  }

  /** The SQLite name of a table key. */
  private nameOfKey(key: string): string {
    return this.names().find((name) => this.keyOfName(name) === key) ?? key;
  }

  async tables(): Promise<string[]> {
    return this.names().map((name) => this.keyOfName(name));
  }

  async count(table: string): Promise<number> {
    return Number((this.db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(this.nameOfKey(table))}`).get() as { n: number }).n);
  }

  async dangling(key: ForeignKeyRef): Promise<number> {
    return Number((this.db.prepare(danglingQuery(key, (table) => quoteIdent(this.nameOfKey(table)))).get() as { n: number }).n);
  }

  async scanValues(onValue: (value: string, where: string) => void): Promise<void> {
    for (const name of this.names()) {
      const table = this.expected.get(name);
      const label = (column: string) => (table ? columnLabel(table, column) : `${this.keyOfName(name)}.${column}`);
      for (const row of this.db.prepare(`SELECT * FROM ${quoteIdent(name)}`).iterate() as Iterable<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || value instanceof Uint8Array) continue;
          emitValue(String(value), label(column), onValue);
        }
      }
    }
  }

  async schemaProblems(source: SchemaModel): Promise<string[]> {
    const actual: SqliteActualTable[] = this.names().map((name) => ({
      name,
      columns: this.db.prepare(`PRAGMA table_xinfo(${quoteIdent(name)})`).all() as SqliteActualTable["columns"],
      foreignKeys: this.db.prepare(`PRAGMA foreign_key_list(${quoteIdent(name)})`).all() as SqliteActualTable["foreignKeys"],
      indexes: this.db.prepare(`PRAGMA index_list(${quoteIdent(name)})`).all() as SqliteActualTable["indexes"],
    }));
    return compareSqliteShapes(translateSchema(withoutSyncRecordTable(source)).shapes, actual);
  }

  async tableRows(table: string): Promise<Record<string, unknown>[] | undefined> {
    if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) return undefined;
    return this.db.prepare(`SELECT * FROM ${quoteIdent(table)}`).all().map((row) => ({ ...row }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** `expected`: the schema the target should hold (a SQLite target's table names are mapped back through it). */
export async function openTargetReader(target: Endpoint, expected: SchemaModel): Promise<TargetReader> {
  if (target.kind === "sqlite") {
    if (!fs.existsSync(target.file)) throw new Refusal(`the target ${target.file} does not exist`);
    return new SqliteTargetReader(new DatabaseSync(target.file, { readOnly: true }), expected);
  }
  const client = await connectPostgres(target, "trading-bot db (verify)");
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  // The catalog's text relative to public, as the source's was read.
  await client.query("SET LOCAL search_path = public");
  return new PostgresTargetReader(client);
}
