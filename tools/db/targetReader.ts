// Reading a target back for `verify`: its tables, row counts, references that point at no
// row, every value it holds, and how its schema differs from the source's. The sync
// record's table (syncRecord.ts) is read on its own, never compared or scanned.
import * as fs from "node:fs";
import type { Client } from "pg";
import Cursor from "pg-cursor";
import { DatabaseSync } from "node:sqlite";
import { readSchema } from "./catalog";
import { Refusal } from "./errors";
import { translateSchema } from "./ddlSqlite";
import { connectPostgres, textTypes } from "./postgresSource";
import { compareSchemas, compareSqliteShapes, type SqliteActualTable } from "./schemaDiff";
import type { SchemaModel } from "./schemaModel";
import { quoteIdent } from "./schemaModel";
import { syncRecordTableName, withoutSyncRecordTable } from "./syncRecord";
import type { Endpoint } from "./urls";

export interface ForeignKeyRef {
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}

export interface TargetReader {
  tables(): Promise<string[]>;
  count(table: string): Promise<number>;
  /** Rows whose reference (all of its columns set) matches no row of the referenced table. */
  dangling(key: ForeignKeyRef): Promise<number>;
  /** Every non-null value of every table as text, with `table.column`. */
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
    return (await this.targetSchema()).tables.map((table) => table.name);
  }

  async count(table: string): Promise<number> {
    return Number((await this.client.query(`SELECT count(*) AS n FROM public.${quoteIdent(table)}`)).rows[0].n);
  }

  async dangling(key: ForeignKeyRef): Promise<number> {
    return Number((await this.client.query(danglingQuery(key, (name) => `public.${quoteIdent(name)}`))).rows[0].n);
  }

  async scanValues(onValue: (value: string, where: string) => void): Promise<void> {
    for (const table of (await this.targetSchema()).tables) {
      const columns = table.columns.map((column) => `${quoteIdent(column.name)}::text`).join(", ");
      const cursor = this.client.query(new Cursor<(string | null)[]>(`SELECT ${columns} FROM public.${quoteIdent(table.name)}`, [], { rowMode: "array", types: textTypes }));
      try {
        for (let rows = await cursor.read(5000); rows.length > 0; rows = await cursor.read(5000)) {
          for (const row of rows) row.forEach((value, i) => value !== null && emitValue(value, `${table.name}.${table.columns[i].name}`, onValue));
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
    const relation = `public.${quoteIdent(table)}`;
    if ((await this.client.query("SELECT to_regclass($1) AS found", [relation])).rows[0].found === null) return undefined;
    return (await this.client.query(`SELECT * FROM ${relation}`)).rows;
  }

  async close(): Promise<void> {
    await this.client.query("ROLLBACK").catch(() => undefined);
    await this.client.end();
  }
}

class SqliteTargetReader implements TargetReader {
  constructor(private readonly db: DatabaseSync) {}

  async tables(): Promise<string[]> {
    const rows = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name").all(syncRecordTableName) as { name: string }[];
    return rows.map((row) => row.name);
  }

  async count(table: string): Promise<number> {
    return Number((this.db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table)}`).get() as { n: number }).n);
  }

  async dangling(key: ForeignKeyRef): Promise<number> {
    return Number((this.db.prepare(danglingQuery(key, quoteIdent)).get() as { n: number }).n);
  }

  async scanValues(onValue: (value: string, where: string) => void): Promise<void> {
    for (const table of await this.tables()) {
      for (const row of this.db.prepare(`SELECT * FROM ${quoteIdent(table)}`).iterate() as Iterable<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || value instanceof Uint8Array) continue;
          emitValue(String(value), `${table}.${column}`, onValue);
        }
      }
    }
  }

  async schemaProblems(source: SchemaModel): Promise<string[]> {
    const actual: SqliteActualTable[] = (await this.tables()).map((name) => ({
      name,
      columns: this.db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as SqliteActualTable["columns"],
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

export async function openTargetReader(target: Endpoint): Promise<TargetReader> {
  if (target.kind === "sqlite") {
    if (!fs.existsSync(target.file)) throw new Refusal(`the target ${target.file} does not exist`);
    return new SqliteTargetReader(new DatabaseSync(target.file, { readOnly: true }));
  }
  const client = await connectPostgres(target, "trading-bot db (verify)");
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  return new PostgresTargetReader(client);
}
