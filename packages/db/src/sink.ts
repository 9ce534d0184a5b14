// Where copied rows go: a database (PostgreSQL, SQLite) or the files of an export
// (exportSink.ts), behind one interface. A sink either completes or leaves its target exactly
// as it was.
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import type { Row } from "./postgresSource";

export interface RowSink {
  /** What the target is, for messages (never with a password). */
  readonly shown: string;
  /** The columns of a table this sink stores, in the order `writeRows` takes them. */
  columnsToWrite(table: TableModel): ColumnModel[];
  /** The source's SELECT expression for a column, in the form this sink stores. */
  selectExpression(column: ColumnModel): string;
  /**
   * Opens the target, refuses one that already holds tables unless `replace`, and creates the
   * tables of `schema` (keys, indexes and foreign keys come in `complete`, after the rows).
   */
  prepare(schema: SchemaModel, options: { replace: boolean }): Promise<{ notes: string[] }>;
  writeRows(table: TableModel, rows: Row[]): Promise<void>;
  /** Adds keys, indexes and foreign keys, checks the references, and makes the result the target. */
  complete(): Promise<void>;
  /** Leaves the target as it was; safe to call at any point, more than once. */
  abort(): Promise<void>;
}
