// Reads a PostgreSQL schema from the server's own catalog: format_type for types,
// pg_get_expr for defaults and predicates, pg_get_constraintdef and pg_get_indexdef for
// constraints and indexes, pg_get_functiondef and pg_get_viewdef for functions and views, so
// the DDL written to a PostgreSQL target is the server's. Every schema but the system's is
// read; objects that belong to an extension are not the database's own and are left out.
// What the tool cannot copy is returned beside the model, by object, with the reason.
import type { ClientBase } from "pg";
import { notExtensionMember, objectQueries, queryAll, readObjects, sequenceOptionColumns, type TypeInfo, userSchema } from "./catalogObjects";
import { tableKey } from "./names";
import type { ColumnModel, ConstraintModel, IndexModel, SchemaModel, SequenceOptions, TableModel } from "./schemaModel";
import { keyOf } from "./schemaModel";

const tablesQuery = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relpersistence = 'u' AS unlogged,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
  pn.nspname AS parent_schema, pc.relname AS parent_name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class pc ON pc.oid = i.inhparent LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p') AND ${notExtensionMember("pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

const columnsQuery = `
SELECT a.attrelid AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.atttypid AS type_oid,
  a.atttypmod AS typmod, a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(d.adbin, d.adrelid) AS expression, seqn.nspname AS seq_schema, seq.relname AS sequence, ${sequenceOptionColumns},
  draws.schema AS draws_from_schema, draws.name AS draws_from_name
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid
  AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i'
LEFT JOIN pg_class seq ON seq.oid = dep.objid LEFT JOIN pg_namespace seqn ON seqn.oid = seq.relnamespace
LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
LEFT JOIN LATERAL (SELECT dn.nspname AS schema, dc.relname AS name FROM pg_depend dd
  JOIN pg_class dc ON dc.oid = dd.refobjid AND dc.relkind = 'S' JOIN pg_namespace dn ON dn.oid = dc.relnamespace
  WHERE dd.classid = 'pg_attrdef'::regclass AND dd.objid = d.oid AND dd.refclassid = 'pg_class'::regclass LIMIT 1) draws ON true
WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

const keyColumns = (keys: string, relation: string) => `(SELECT json_agg(a.attname ORDER BY k.ord)
  FROM unnest(${keys}) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.num)`;

// A partition's copies of its parent's foreign keys (conparentid) and checks (not conislocal)
// come with the partition; its keys are its own, attached to the parent's (attach_*).
const constraintsQuery = `
SELECT con.conrelid AS table_oid, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS definition,
  ${keyColumns("con.conkey", "con.conrelid")} AS columns, refn.nspname AS ref_schema, ref.relname AS ref_table,
  ${keyColumns("con.confkey", "con.confrelid")} AS ref_columns, con.confdeltype AS on_delete, con.confupdtype AS on_update,
  pin.nspname AS attach_schema, pi.relname AS attach_name
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class ref ON ref.oid = con.confrelid LEFT JOIN pg_namespace refn ON refn.oid = ref.relnamespace
LEFT JOIN pg_constraint parent ON parent.oid = con.conparentid
LEFT JOIN pg_class pi ON pi.oid = parent.conindid LEFT JOIN pg_namespace pin ON pin.oid = pi.relnamespace
WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND (con.conparentid = 0 OR con.contype IN ('p', 'u', 'x')) AND (con.conislocal OR con.contype <> 'c')
ORDER BY con.conrelid, con.conname`;

const indexesQuery = `
SELECT ix.indrelid AS table_oid, i.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition, ix.indisunique AS unique,
  pg_get_expr(ix.indpred, ix.indrelid) AS predicate, pn.nspname AS attach_schema, pc.relname AS attach_name,
  (SELECT json_agg(json_build_object('name', a.attname, 'descending',
      coalesce(pg_index_column_has_property(ix.indexrelid, k.ord::int, 'desc'), false)) ORDER BY k.ord)
   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
   LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num AND k.num > 0
   WHERE k.ord <= ix.indnkeyatts) AS columns
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_inherits inh ON inh.inhrelid = ix.indexrelid LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE ${userSchema("n")} AND t.relkind IN ('r', 'p') AND NOT EXISTS (
  SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY ix.indrelid, i.relname`;

// A trigger on a partitioned table is cloned onto its partitions (tgparentid): those come with the partitions.
const triggersQuery = `
SELECT tg.tgrelid AS table_oid, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS definition
FROM pg_trigger tg WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 ORDER BY tg.tgrelid, tg.tgname`;

type Row = Record<string, any>;

function sequenceOptions(row: Row): SequenceOptions {
  return { type: row.seq_type, start: row.start, increment: row.increment, min: row.min, max: row.max, cache: row.cache, cycle: row.cycle };
}

/** numeric(p,s)'s p and varchar(n)'s n from a type modifier (the column's, or its domain's). */
function typeModifiers(column: ColumnModel, typmod: number): void {
  if (typmod < 0) return;
  if (column.typeName === "numeric" && typmod >= 4) column.precision = ((typmod - 4) >> 16) & 0xffff;
  if ((column.typeName === "varchar" || column.typeName === "bpchar") && typmod > 4) column.maxLength = typmod - 4;
}

function toColumn(row: Row, types: Map<number, TypeInfo>): ColumnModel {
  const type = types.get(Number(row.type_oid))!;
  const column: ColumnModel = { name: row.name, type: row.type, typeName: type.baseName, category: type.category, notNull: row.not_null };
  if (row.expression !== null && row.generated === "") column.default = row.expression;
  if (row.draws_from_name) column.sequence = tableKey(row.draws_from_schema, row.draws_from_name);
  if (row.generated === "s" || row.generated === "v") column.generated = { expression: row.expression, stored: row.generated === "s" };
  if (row.identity === "a" || row.identity === "d") {
    column.identity = { always: row.identity === "a", sequence: tableKey(row.seq_schema, row.sequence), ...sequenceOptions(row) };
  }
  typeModifiers(column, row.typmod >= 0 ? row.typmod : type.baseTypmod);
  if (type.enumLabels) column.enumLabels = type.enumLabels;
  if (type.domain) column.domain = type.domain;
  return column;
}

function toConstraint(row: Row): ConstraintModel {
  const constraint: ConstraintModel = { name: row.name, type: row.type, definition: row.definition, columns: row.columns ?? [] };
  if (row.type === "f") {
    constraint.references = { table: tableKey(row.ref_schema, row.ref_table), columns: row.ref_columns ?? [] };
    constraint.onDelete = row.on_delete;
    constraint.onUpdate = row.on_update;
  }
  if (row.attach_name) constraint.attachTo = tableKey(row.attach_schema, row.attach_name);
  return constraint;
}

function toIndex(row: Row): IndexModel {
  const index: IndexModel = { name: row.name, definition: row.definition, unique: row.unique, columns: row.columns ?? [] };
  if (row.predicate !== null) index.predicate = row.predicate;
  if (row.attach_name) index.attachTo = tableKey(row.attach_schema, row.attach_name);
  return index;
}

function toTable(row: Row, requires: string[]): TableModel {
  const table: TableModel = { schema: row.schema, name: row.name, columns: [], constraints: [], indexes: [], requires };
  if (row.unlogged) table.unlogged = true;
  if (row.partition_key !== null) table.partitionKey = row.partition_key;
  if (row.bound !== null) table.partitionOf = { parent: tableKey(row.parent_schema, row.parent_name), bound: row.bound };
  return table;
}

/** Parents before their partitions, otherwise by schema and name. */
function parentsFirst(tables: TableModel[]): TableModel[] {
  const depth = (table: TableModel): number => {
    const parent = table.partitionOf && tables.find((t) => keyOf(t) === table.partitionOf!.parent);
    return parent ? depth(parent) + 1 : 0;
  };
  return tables.map((table) => ({ table, depth: depth(table) })).sort((a, b) => a.depth - b.depth).map(({ table }) => table);
}

export interface Catalog {
  schema: SchemaModel;
  /** Objects the tool cannot copy, by object key (objectKey), with the line saying why. */
  unsupported: Map<string, string>;
}

/** The database's own schemas, tables, types, functions, sequences and views, and what of them the tool cannot copy. */
export async function readCatalog(client: ClientBase): Promise<Catalog> {
  const rows = await queryAll(client, { ...objectQueries, tables: tablesQuery, columns: columnsQuery, constraints: constraintsQuery, indexes: indexesQuery, triggers: triggersQuery });
  const objects = readObjects(rows);
  const tables = new Map<number, TableModel>();
  for (const row of rows.tables) tables.set(Number(row.oid), toTable(row, objects.tableRequires.get(Number(row.oid)) ?? []));
  const tableOf = (row: Row) => tables.get(Number(row.table_oid));
  for (const row of rows.columns) tableOf(row)?.columns.push(toColumn(row, objects.types));
  for (const row of rows.constraints) tableOf(row)?.constraints.push(toConstraint(row));
  for (const row of rows.indexes) tableOf(row)?.indexes.push(toIndex(row));
  for (const row of rows.triggers) {
    const table = tableOf(row);
    if (table) (table.triggers ??= []).push({ name: row.name, definition: row.definition });
  }
  return { schema: { ...objects.model, tables: parentsFirst([...tables.values()]) }, unsupported: objects.unsupported };
}

/** The schema model alone (a target's, read back by verify). */
export async function readSchema(client: ClientBase): Promise<SchemaModel> {
  return (await readCatalog(client)).schema;
}

/** Does the database hold any table, view, sequence or user type of its own (in any schema)? */
export async function postgresHoldsObjects(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${notExtensionMember("pg_class", "c.oid")})
          + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE ${userSchema("n")} AND t.typtype IN ('e', 'd', 'r', 'm') AND ${notExtensionMember("pg_type", "t.oid")}) AS objects`,
  );
  return Number(rows[0].objects) > 0;
}
