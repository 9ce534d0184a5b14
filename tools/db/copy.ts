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

async function copyTable(source: PostgresSource, sink: RowSink, table: TableModel, rows: "all" | string[], options: CopyOptions): Promise<number> {
  const transforms = sink.columnsToWrite(table).map((column) => {
    const rule = options.rules.get(`${table.name}.${column.name}`);
    return rule ? valueTransform(rule, options.key) : undefined;
  });
  const anonymise = rowTransformer(transforms);
  const from = `SELECT ${selectList(table, sink)} FROM ${quoteIdent(schemaName)}.${quoteIdent(table.name)}`;
  const write = async (batch: Row[]) => {
    if (options.signal.aborted) throw new Interrupted("interrupted");
    anonymise(batch);
    await sink.writeRows(table, batch);
    options.progress.add(batch.length);
  };
  if (rows === "all") return source.stream(from, [], write);
  for (let start = 0; start < rows.length; start += batchRows) {
    const { rows: batch } = await source.client.query<Row>({
      text: `${from} WHERE ctid = ANY($1::tid[])`,
      values: [rows.slice(start, start + batchRows)],
      rowMode: "array",
      types: textTypes,
    });
    await write(batch);
  }
  return rows.length;
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
