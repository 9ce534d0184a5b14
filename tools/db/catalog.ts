// Reads a PostgreSQL schema from the server's own catalog: format_type for types,
// pg_get_expr for defaults and predicates, pg_get_constraintdef and pg_get_indexdef for
// constraints and indexes, so the DDL written to a PostgreSQL target is the server's.
import type { ClientBase } from "pg";
import type { ColumnModel, ConstraintModel, IndexModel, SchemaModel, SequenceModel, SequenceOptions, TableModel } from "./schemaModel";
import { schemaName } from "./schemaModel";

const sequenceOptionColumns = `format_type(s.seqtypid, NULL) AS seq_type, s.seqstart::text AS start, s.seqincrement::text AS increment,
  s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle`;

const enumsQuery = `
SELECT t.typname AS name, json_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = $1 GROUP BY t.typname ORDER BY t.typname`;

// Sequences other than identity columns' own (deptype i); deptype a is a serial's OWNED BY.
const sequencesQuery = `
SELECT c.relname AS name, ${sequenceOptionColumns}, owner.relname AS owned_table, a.attname AS owned_column
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
LEFT JOIN pg_class owner ON owner.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname = $1 AND NOT EXISTS (
  SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i')
ORDER BY c.relname`;

const columnsQuery = `
SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname AS type_name,
  t.typcategory AS category, a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(d.adbin, d.adrelid) AS expression,
  CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS max_length,
  (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid) AS enum_labels,
  seq.relname AS sequence, ${sequenceOptionColumns}
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid
  AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i'
LEFT JOIN pg_class seq ON seq.oid = dep.objid
LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

const keyColumns = (keys: string, relation: string) => `(SELECT json_agg(a.attname ORDER BY k.ord)
  FROM unnest(${keys}) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.num)`;

const constraintsQuery = `
SELECT c.relname AS table_name, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS definition,
  ${keyColumns("con.conkey", "con.conrelid")} AS columns, ref.relname AS ref_table,
  ${keyColumns("con.confkey", "con.confrelid")} AS ref_columns, con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
WHERE n.nspname = $1 AND c.relkind = 'r' AND con.contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY c.relname, con.conname`;

const indexesQuery = `
SELECT t.relname AS table_name, i.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition, ix.indisunique AS unique,
  pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
  (SELECT json_agg(json_build_object('name', a.attname, 'descending',
      coalesce(pg_index_column_has_property(ix.indexrelid, k.ord::int, 'desc'), false)) ORDER BY k.ord)
   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
   LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num AND k.num > 0
   WHERE k.ord <= ix.indnkeyatts) AS columns
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND t.relkind = 'r' AND NOT EXISTS (
  SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY t.relname, i.relname`;

type Row = Record<string, any>;

function sequenceOptions(row: Row): SequenceOptions {
  return { type: row.seq_type, start: row.start, increment: row.increment, min: row.min, max: row.max, cache: row.cache, cycle: row.cycle };
}

function toColumn(row: Row): ColumnModel {
  const column: ColumnModel = { name: row.name, type: row.type, typeName: row.type_name, category: row.category, notNull: row.not_null };
  if (row.expression !== null && row.generated === "") column.default = row.expression;
  if (row.generated === "s" || row.generated === "v") column.generated = { expression: row.expression, stored: row.generated === "s" };
  if (row.identity === "a" || row.identity === "d") column.identity = { always: row.identity === "a", sequence: row.sequence, ...sequenceOptions(row) };
  if (row.max_length !== null) column.maxLength = Number(row.max_length);
  if (row.enum_labels) column.enumLabels = row.enum_labels;
  return column;
}

function toConstraint(row: Row): ConstraintModel {
  const constraint: ConstraintModel = { name: row.name, type: row.type, definition: row.definition, columns: row.columns ?? [] };
  if (row.type === "f") {
    constraint.references = { table: row.ref_table, columns: row.ref_columns ?? [] };
    constraint.onDelete = row.on_delete;
    constraint.onUpdate = row.on_update;
  }
  return constraint;
}

function toIndex(row: Row): IndexModel {
  const index: IndexModel = { name: row.name, definition: row.definition, unique: row.unique, columns: row.columns ?? [] };
  if (row.predicate !== null) index.predicate = row.predicate;
  return index;
}

function toSequence(row: Row): SequenceModel {
  const sequence: SequenceModel = { name: row.name, ...sequenceOptions(row) };
  if (row.owned_table) sequence.ownedBy = { table: row.owned_table, column: row.owned_column };
  return sequence;
}

/** The tables, enum types and sequences of the schema `public`, from the catalog. */
export async function readSchema(client: ClientBase): Promise<SchemaModel> {
  const query = async (text: string) => (await client.query(text, [schemaName])).rows as Row[];
  const [enums, sequences, columns, constraints, indexes] = [
    await query(enumsQuery),
    await query(sequencesQuery),
    await query(columnsQuery),
    await query(constraintsQuery),
    await query(indexesQuery),
  ];
  const tables = new Map<string, TableModel>();
  const tableOf = (name: string) => {
    if (!tables.has(name)) tables.set(name, { name, columns: [], constraints: [], indexes: [] });
    return tables.get(name)!;
  };
  for (const row of columns) tableOf(row.table_name).columns.push(toColumn(row));
  for (const row of constraints) tableOf(row.table_name).constraints.push(toConstraint(row));
  for (const row of indexes) tableOf(row.table_name).indexes.push(toIndex(row));
  return {
    enums: enums.map((row) => ({ name: row.name, labels: row.labels })),
    sequences: sequences.map(toSequence),
    tables: [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** Does the schema `public` hold any table, view, sequence or user type? */
export async function postgresHoldsObjects(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
          + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r', 'm')) AS objects`,
    [schemaName],
  );
  return Number(rows[0].objects) > 0;
}
