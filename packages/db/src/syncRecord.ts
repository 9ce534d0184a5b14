// What a run copied, kept IN THE TARGET beside the rows (table trading_bot_data_sync, one
// row, written in the run's own transaction or build file): the row counts the run planned
// and copied per table, the SHA-256 of its rules file, its source stack, its time and this
// record's format version. `verify --type subset` compares the target with this record, not
// with a fresh plan (the source keeps changing); an import reads it the same way.
import { z } from "zod";
import { Refusal } from "./errors";
import type { Row } from "./postgresSource";
import type { SchemaModel, TableModel } from "./schemaModel";
import type { RowSink } from "./sink";

export const syncRecordTableName = "trading_bot_data_sync";
export const syncRecordFormatVersion = 1;

export const syncRecordSchema = z
  .object({
    formatVersion: z.literal(syncRecordFormatVersion),
    /** The source's stack; null for a --from-url that named none (read with --yes). */
    sourceStack: z.string().min(1).nullable(),
    /** SHA-256 of the rules file's bytes, hex. */
    rulesSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** When the copy was made, ISO 8601 in UTC. */
    syncedAt: z.iso.datetime(),
    /** Rows copied per table: the counts the run planned. */
    rowCounts: z.record(z.string().min(1), z.number().int().nonnegative()),
  })
  .strict();

export type SyncRecord = z.infer<typeof syncRecordSchema>;

const column = (name: string, type: string, typeName: string, category: string, notNull: boolean) => ({ name, type, typeName, category, notNull });

/** The record's table: plain columns any target can hold (row_counts is JSON text in SQLite). */
export const syncRecordTable: TableModel = {
  schema: "public",
  name: syncRecordTableName,
  columns: [
    column("format_version", "integer", "int4", "N", true),
    column("source_stack", "text", "text", "S", false),
    column("rules_sha256", "text", "text", "S", true),
    column("synced_at", "text", "text", "S", true),
    column("row_counts", "jsonb", "jsonb", "U", true),
  ],
  constraints: [],
  indexes: [],
  requires: [],
};

/** The schema a subset creates: its tables and the record's. A source table of that name is refused. */
export function withSyncRecordTable(schema: SchemaModel): SchemaModel {
  if (schema.tables.some((table) => table.schema === "public" && table.name === syncRecordTableName)) {
    throw new Refusal(`the copied tables include ${syncRecordTableName}, the name of the table where subset keeps its record: leave it out of the copy`);
  }
  return { ...schema, tables: [...schema.tables, syncRecordTable] };
}

/** The schema without the record's table (what verify --type schema compares). */
export function withoutSyncRecordTable(schema: SchemaModel): SchemaModel {
  return { ...schema, tables: schema.tables.filter((table) => table.schema !== "public" || table.name !== syncRecordTableName) };
}

/** Writes the record through the sink, inside the run (the sink's table was created by prepare). */
export async function writeSyncRecord(sink: RowSink, record: SyncRecord): Promise<void> {
  const checked = syncRecordSchema.parse(record);
  const row: Row = [String(checked.formatVersion), checked.sourceStack, checked.rulesSha256, checked.syncedAt, JSON.stringify(checked.rowCounts)];
  await sink.writeRows(syncRecordTable, [row]);
}

/** What readSyncRecord needs of a target: a table's rows, or undefined when it has no such table. */
export interface SyncRecordReader {
  tableRows(table: string): Promise<Record<string, unknown>[] | undefined>;
}

/** The target's record, or the problem with it (missing, not one row, another format, invalid). */
export async function readSyncRecord(reader: SyncRecordReader): Promise<{ record: SyncRecord } | { problem: string }> {
  const rows = await reader.tableRows(syncRecordTableName);
  const where = `${syncRecordTableName}:`;
  if (rows === undefined) return { problem: `${where} missing in the target: no subset run recorded what it copied there` };
  if (rows.length !== 1) return { problem: `${where} ${rows.length} rows in the target; a subset writes exactly one` };
  const row = rows[0];
  if (row.format_version !== syncRecordFormatVersion) {
    return { problem: `${where} format version ${JSON.stringify(row.format_version)}; this tool reads ${syncRecordFormatVersion}` };
  }
  let rowCounts: unknown = row.row_counts;
  try {
    if (typeof rowCounts === "string") rowCounts = JSON.parse(rowCounts);
  } catch {
    return { problem: `${where} row_counts is not JSON` };
  }
  const parsed = syncRecordSchema.safeParse({
    formatVersion: row.format_version,
    sourceStack: row.source_stack,
    rulesSha256: row.rules_sha256,
    syncedAt: row.synced_at,
    rowCounts,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${where} ${issue.path.join(".") || "the record"}: ${issue.message}` };
  }
  return { record: parsed.data };
}
