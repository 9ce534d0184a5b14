// DDL for a PostgreSQL target, from the catalog's own text: types as format_type wrote them,
// defaults as pg_get_expr wrote them, constraints and indexes as pg_get_constraintdef and
// pg_get_indexdef wrote them. Tables first, rows next, then keys, indexes and foreign keys
// (as pg_dump orders them), so rows load in any order, reference cycles included.
import type { ColumnModel, SchemaModel, SequenceOptions, TableModel } from "./schemaModel";
import { quoteIdent, schemaName } from "./schemaModel";

const qualified = (name: string) => `${quoteIdent(schemaName)}.${quoteIdent(name)}`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function sequenceClauses(options: SequenceOptions): string {
  return [
    `AS ${options.type}`,
    `START WITH ${options.start}`,
    `INCREMENT BY ${options.increment}`,
    `MINVALUE ${options.min}`,
    `MAXVALUE ${options.max}`,
    `CACHE ${options.cache}`,
    options.cycle ? "CYCLE" : "NO CYCLE",
  ].join(" ");
}

function columnDefinition(column: ColumnModel): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.identity) {
    const kind = column.identity.always ? "ALWAYS" : "BY DEFAULT";
    const { sequence, ...options } = column.identity;
    parts.push(`GENERATED ${kind} AS IDENTITY (SEQUENCE NAME ${qualified(sequence)} ${sequenceClauses(options).replace(/^AS \S+ /, "")})`);
  } else if (column.generated) {
    parts.push(`GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? "STORED" : "VIRTUAL"}`);
  } else if (column.default !== undefined) {
    parts.push(`DEFAULT ${column.default}`);
  }
  if (column.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

function createTable(table: TableModel): string {
  return `CREATE TABLE ${qualified(table.name)} (\n  ${table.columns.map(columnDefinition).join(",\n  ")}\n)`;
}

/** Enum types, sequences and tables with their columns, before any row. */
export function tableStatements(schema: SchemaModel): string[] {
  return [
    ...schema.enums.map((type) => `CREATE TYPE ${qualified(type.name)} AS ENUM (${type.labels.map(literal).join(", ")})`),
    ...schema.sequences.map((sequence) => `CREATE SEQUENCE ${qualified(sequence.name)} ${sequenceClauses(sequence)}`),
    ...schema.tables.map(createTable),
  ];
}

/** Keys, checks, indexes, then foreign keys and sequence ownership, after the rows. */
export function constraintStatements(schema: SchemaModel): string[] {
  const addConstraint = (table: TableModel, types: string) =>
    table.constraints
      .filter((constraint) => types.includes(constraint.type))
      .map((constraint) => `ALTER TABLE ${qualified(table.name)} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition}`);
  return [
    ...schema.tables.flatMap((table) => addConstraint(table, "pucx")),
    ...schema.tables.flatMap((table) => table.indexes.map((index) => index.definition)),
    ...schema.tables.flatMap((table) => addConstraint(table, "f")),
    ...schema.sequences
      .filter((sequence) => sequence.ownedBy)
      .map((sequence) => `ALTER SEQUENCE ${qualified(sequence.name)} OWNED BY ${qualified(sequence.ownedBy!.table)}.${quoteIdent(sequence.ownedBy!.column)}`),
  ];
}

/**
 * Moves every sequence a copied column draws from past the largest copied value, so the
 * app's next insert does not collide with a copied row. Columns whose default or identity
 * takes values from a sequence.
 */
export function sequenceResetStatements(schema: SchemaModel): string[] {
  return schema.tables.flatMap((table) =>
    table.columns
      .filter((column) => column.identity || /^nextval\(/.test(column.default ?? ""))
      .map(
        (column) =>
          `SELECT setval(pg_get_serial_sequence(${literal(qualified(table.name))}, ${literal(column.name)}), max_value) ` +
          `FROM (SELECT max(${quoteIdent(column.name)}) AS max_value FROM ${qualified(table.name)}) m WHERE max_value IS NOT NULL ` +
          `AND pg_get_serial_sequence(${literal(qualified(table.name))}, ${literal(column.name)}) IS NOT NULL`,
      ),
  );
}

/** What `--replace` drops first: every relation and user type of the schema, in the target's own transaction. */
export const dropEverythingQuery = `
SELECT format('DROP %s IF EXISTS %I.%I CASCADE', kind, schema_name, name) AS statement FROM (
  SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
           WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' END AS kind, n.nspname AS schema_name, c.relname AS name, 1 AS pass
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, 2
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r', 'm')
) objects ORDER BY pass, name`;
