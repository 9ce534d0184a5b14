// Copies the planned rows of each table from the source's snapshot into a sink, anonymising
// every batch on the way; one batch in memory at a time.
import type { KeyObject } from "node:crypto";
import { type Transform, rowTransformer, valueTransform } from "./anonymise";
import { DatabaseError } from "pg";
import { Interrupted } from "./errors";
import { type SubsetPlan, rowFilterSql, rowIdSql } from "./plan";
import { type PostgresSource, type Row, batchRows, textTypes } from "./postgresSource";
import type { Progress } from "./progress";
import type { SchemaModel, TableModel } from "./schemaModel";
import { columnLabel, findTable, keyOf, sqlName } from "./schemaModel";
import type { RowSink } from "./sink";

export interface CopyOptions {
  /** Transforms by column label (`users.email`). */
  rules: Map<string, Transform>;
  key: KeyObject;
  progress: Progress;
  /** Aborted by SIGINT / SIGTERM: the copy stops between two batches. */
  signal: AbortSignal;
}

function selectList(table: TableModel, sink: RowSink): string {
  return sink
    .columnsToWrite(table)
    .map((column) => sink.selectExpression(column))
    .join(", ");
}

/**
 * Is one pass over the whole table cheaper than fetching the chosen rows by id? When they are
 * a quarter of it or more (by the planner's estimate, its partitions' for a partitioned
 * table), or the table is partitioned: each batch by id costs a scan too.
 */
async function scanIsCheaper(source: PostgresSource, table: TableModel, chosen: number): Promise<boolean> {
  if (table.partitionKey) return true;
  const { rows } = await source.client.query<{ estimate: number }>("SELECT reltuples AS estimate FROM pg_class WHERE oid = $1::regclass", [sqlName(table)]);
  const estimate = Number(rows[0]?.estimate ?? -1);
  return estimate > 0 && chosen >= estimate / 4;
}

/** Streams the chosen rows of a table to `write`, in batches. */
async function readRows(source: PostgresSource, from: string, rows: "all" | string[], table: TableModel, write: (batch: Row[]) => Promise<void>): Promise<void> {
  if (rows === "all") {
    await source.stream(from, [], write);
  } else if (await scanIsCheaper(source, table, rows.length)) {
    const chosen = new Set(rows);
    await source.stream(from.replace(/^SELECT /, `SELECT ${rowIdSql(table, "r")}, `), [], (batch) =>
      write(batch.filter((row) => chosen.has(row[0]!)).map((row) => row.slice(1))),
    );
  } else {
    for (let start = 0; start < rows.length; start += batchRows) {
      const query = { text: `${from} WHERE ${rowFilterSql(table, "r", "$1")}`, values: [rows.slice(start, start + batchRows)], rowMode: "array" as const, types: textTypes };
      await write((await source.client.query<Row>(query)).rows);
    }
  }
}

const isDatabaseError = (error: unknown) => error instanceof DatabaseError || (error as NodeJS.ErrnoException)?.code === "ERR_SQLITE_ERROR";

async function copyTable(source: PostgresSource, sink: RowSink, table: TableModel, rows: "all" | string[], options: CopyOptions): Promise<void> {
  const transforms = sink.columnsToWrite(table).map((column) => {
    const rule = options.rules.get(columnLabel(table, column.name));
    return rule ? valueTransform(rule, options.key) : undefined;
  });
  const anonymise = rowTransformer(transforms);
  const from = `SELECT ${selectList(table, sink)} FROM ${sqlName(table)} r`;
  await readRows(source, from, rows, table, async (batch) => {
    if (options.signal.aborted) throw new Interrupted("interrupted");
    anonymise(batch);
    try {
      await sink.writeRows(table, batch);
    } catch (error) {
      // A database's message says what is wrong, not where: the table says it. Others (S3, a file) say it themselves.
      if (!isDatabaseError(error) || options.signal.aborted) throw error;
      throw new Error(`${keyOf(table)}: the target refused a batch of rows: ${(error as Error).message.split("\n")[0]}`);
    }
    options.progress.add(batch.length);
  });
}

/** Copies every planned table; returns the rows copied per table. */
export async function copyRows(source: PostgresSource, sink: RowSink, schema: SchemaModel, plan: SubsetPlan, options: CopyOptions): Promise<Map<string, number>> {
  const copied = new Map<string, number>();
  for (const { table, rows } of plan.tables) {
    options.progress.startTable(table);
    await copyTable(source, sink, findTable(schema, table)!, rows, options);
    copied.set(table, options.progress.endTable().rows);
  }
  return copied;
}
