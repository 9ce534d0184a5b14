// Copies the planned rows of each table from the source's snapshot into a sink, anonymising
// every batch on the way; one batch in memory at a time.
import type { KeyObject } from "node:crypto";
import { type Transform, rowTransformer, valueTransform } from "./anonymise";
import { Interrupted } from "./errors";
import type { SubsetPlan } from "./plan";
import { type PostgresSource, type Row, batchRows, textTypes } from "./postgresSource";
import type { Progress } from "./progress";
import type { SchemaModel, TableModel } from "./schemaModel";
import { findTable, quoteIdent, schemaName } from "./schemaModel";
import type { RowSink } from "./sink";

export interface CopyOptions {
  /** Transforms by `table.column`. */
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
 * Is one pass over the whole table cheaper than fetching the chosen rows by ctid? When they
 * are a quarter of it or more (by the planner's estimate): each ctid batch costs a scan too.
 */
async function scanIsCheaper(source: PostgresSource, table: string, chosen: number): Promise<boolean> {
  const { rows } = await source.client.query<{ estimate: number }>("SELECT reltuples AS estimate FROM pg_class WHERE oid = $1::regclass", [
    `${quoteIdent(schemaName)}.${quoteIdent(table)}`,
  ]);
  const estimate = Number(rows[0]?.estimate ?? -1);
  return estimate > 0 && chosen >= estimate / 4;
}

/** Streams the chosen rows of a table to `write`, in batches. */
async function readRows(source: PostgresSource, from: string, rows: "all" | string[], table: string, write: (batch: Row[]) => Promise<void>): Promise<void> {
  if (rows === "all") {
    await source.stream(from, [], write);
  } else if (await scanIsCheaper(source, table, rows.length)) {
    const chosen = new Set(rows);
    await source.stream(from.replace(/^SELECT /, "SELECT ctid::text, "), [], (batch) =>
      write(batch.filter((row) => chosen.has(row[0]!)).map((row) => row.slice(1))),
    );
  } else {
    for (let start = 0; start < rows.length; start += batchRows) {
      const query = { text: `${from} WHERE ctid = ANY($1::tid[])`, values: [rows.slice(start, start + batchRows)], rowMode: "array" as const, types: textTypes };
      await write((await source.client.query<Row>(query)).rows);
    }
  }
}

async function copyTable(source: PostgresSource, sink: RowSink, table: TableModel, rows: "all" | string[], options: CopyOptions): Promise<void> {
  const transforms = sink.columnsToWrite(table).map((column) => {
    const rule = options.rules.get(`${table.name}.${column.name}`);
    return rule ? valueTransform(rule, options.key) : undefined;
  });
  const anonymise = rowTransformer(transforms);
  const from = `SELECT ${selectList(table, sink)} FROM ${quoteIdent(schemaName)}.${quoteIdent(table.name)}`;
  await readRows(source, from, rows, table.name, async (batch) => {
    if (options.signal.aborted) throw new Interrupted("interrupted");
    anonymise(batch);
    await sink.writeRows(table, batch);
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
