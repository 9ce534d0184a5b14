// The objects around the tables, from the catalog: schemas, enum, domain and composite
// types, functions (pg_get_functiondef), sequences, views and materialized views
// (pg_get_viewdef), what each table needs of them (pg_depend), and what the tool cannot copy,
// with the reason, one line per object.
import type { ClientBase } from "pg";
import { tableKey } from "./names";
import type { FunctionModel, SchemaModel, SequenceModel, TypeModel, ViewModel } from "./schemaModel";
import { extensionKey, objectKey } from "./schemaModel";

type Row = Record<string, any>;

/** A schema of the database's own: not PostgreSQL's (pg_catalog, information_schema, pg_toast, temporary ones). */
export const userSchema = (namespace: string) => `${namespace}.nspname !~ '^pg_' AND ${namespace}.nspname <> 'information_schema'`;
/** The object is not a member of an extension. */
export const notExtensionMember = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '${catalog}'::regclass AND x.objid = ${oid} AND x.deptype = 'e')`;
/** The object is not one PostgreSQL made for another (a range type's constructors and multirange): it comes with that one. */
const notInternal = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = '${catalog}'::regclass AND i.objid = ${oid} AND i.deptype = 'i')`;

export const sequenceOptionColumns = `format_type(s.seqtypid, NULL) AS seq_type, s.seqstart::text AS start, s.seqincrement::text AS increment,
  s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle`;

/** What a column needs to know of its type: through domains to the base type. */
export interface TypeInfo {
  baseName: string;
  category: string;
  /** The innermost domain's type modifier, -1 when none. */
  baseTypmod: number;
  enumLabels?: string[];
  /** The key of the column's type when it is a domain. */
  domain?: string;
}

/** The type of every user table's column, through domains to the base type. */
const columnTypesQuery = `
WITH RECURSIVE used AS (
  SELECT DISTINCT a.atttypid AS oid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
), chain(start, oid, typmod, depth) AS (
  SELECT oid, oid, -1, 0 FROM used
  UNION ALL SELECT chain.start, t.typbasetype, CASE WHEN chain.typmod >= 0 THEN chain.typmod ELSE t.typtypmod END, chain.depth + 1
  FROM chain JOIN pg_type t ON t.oid = chain.oid AND t.typtype = 'd'
)
SELECT DISTINCT ON (chain.start) chain.start AS oid, b.typname AS base_name, b.typcategory AS category, chain.typmod,
  (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = b.oid) AS enum_labels,
  CASE WHEN s.typtype = 'd' THEN sn.nspname END AS domain_schema, CASE WHEN s.typtype = 'd' THEN s.typname END AS domain_name
FROM chain JOIN pg_type b ON b.oid = chain.oid JOIN pg_type s ON s.oid = chain.start JOIN pg_namespace sn ON sn.oid = s.typnamespace
ORDER BY chain.start, chain.depth DESC`;

/** Enum, domain and standalone composite types of the database's own; other kinds are listed to be refused. */
const typesQuery = `
SELECT t.oid, n.nspname AS schema, t.typname AS name, t.typtype AS kind,
  (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
  format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull AS not_null, t.typdefault AS "default",
  (SELECT json_agg(json_build_object('name', con.conname, 'definition', pg_get_constraintdef(con.oid)) ORDER BY con.conname)
   FROM pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c') AS checks,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE ${userSchema("n")} AND ${notExtensionMember("pg_type", "t.oid")} AND ${notInternal("pg_type", "t.oid")} AND t.typcategory <> 'A'
  AND (t.typtype IN ('e', 'd', 'r', 'm', 'b') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
ORDER BY n.nspname, t.typname`;

const functionsQuery = `
SELECT p.oid, n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments, l.lanname AS language,
  p.prokind AS kind, CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE ${userSchema("n")} AND ${notExtensionMember("pg_proc", "p.oid")} AND ${notInternal("pg_proc", "p.oid")}
ORDER BY n.nspname, p.proname, 4`;

// Sequences other than identity columns' own (deptype i); deptype a is a serial's OWNED BY.
const sequencesQuery = `
SELECT n.nspname AS schema, c.relname AS name, ${sequenceOptionColumns}, ownern.nspname AS owned_schema, owner.relname AS owned_table, a.attname AS owned_column
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
LEFT JOIN pg_class owner ON owner.oid = d.refobjid LEFT JOIN pg_namespace ownern ON ownern.oid = owner.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE ${userSchema("n")} AND ${notExtensionMember("pg_class", "c.oid")} AND NOT EXISTS (
  SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i')
ORDER BY n.nspname, c.relname`;

const viewsQuery = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition,
  coalesce(c.reloptions, '{}') AS options,
  (SELECT coalesce(json_agg(pg_get_indexdef(ix.indexrelid) ORDER BY i.relname), '[]') FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
   WHERE ix.indrelid = c.oid) AS indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userSchema("n")} AND c.relkind IN ('v', 'm') AND ${notExtensionMember("pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

/** PostgreSQL's own objects have smaller oids (FirstNormalObjectId): what they depend on is not the database's. */
const firstUserOid = 16384;

/**
 * What each table, type, function and view uses (pg_depend, deptype n): a table through its
 * columns' types, defaults, checks and indexes; a domain through its checks; a view through
 * its rule. `owner` is the oid of the table, type, function or view.
 */
const dependenciesQuery = `
SELECT owner.kind, owner.oid AS owner, d.refclassid = 'pg_proc'::regclass AS is_function, d.refclassid = 'pg_type'::regclass AS is_type,
  d.refobjid AS ref, rc.relkind AS ref_relkind
FROM pg_depend d JOIN (
  SELECT 'table' AS kind, 'pg_class'::regclass AS classid, c.oid AS objid, c.oid FROM pg_class c WHERE c.relkind IN ('r', 'p')
  UNION ALL SELECT 'table', 'pg_constraint'::regclass, con.oid, con.conrelid FROM pg_constraint con WHERE con.conrelid <> 0
  UNION ALL SELECT 'table', 'pg_attrdef'::regclass, ad.oid, ad.adrelid FROM pg_attrdef ad
  UNION ALL SELECT 'table', 'pg_class'::regclass, ix.indexrelid, ix.indrelid FROM pg_index ix
  UNION ALL SELECT 'table', 'pg_trigger'::regclass, tg.oid, tg.tgrelid FROM pg_trigger tg WHERE NOT tg.tgisinternal
  UNION ALL SELECT 'type', 'pg_type'::regclass, t.oid, t.oid FROM pg_type t WHERE t.typtype IN ('d', 'c')
  UNION ALL SELECT 'type', 'pg_class'::regclass, t.typrelid, t.oid FROM pg_type t WHERE t.typtype = 'c'
  UNION ALL SELECT 'type', 'pg_constraint'::regclass, con.oid, con.contypid FROM pg_constraint con WHERE con.contypid <> 0
  UNION ALL SELECT 'function', 'pg_proc'::regclass, p.oid, p.oid FROM pg_proc p
  UNION ALL SELECT 'view', 'pg_rewrite'::regclass, r.oid, r.ev_class FROM pg_rewrite r
) owner ON d.classid = owner.classid AND d.objid = owner.objid
LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
WHERE d.deptype = 'n' AND d.refclassid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_class'::regclass)
  AND d.objid >= ${firstUserOid} AND d.refobjid >= ${firstUserOid}`;

/** Objects by oid, as object keys: the user types (arrays by their element), functions, sequences, tables and views. */
const objectKeysQuery = `
SELECT t.oid, 'type' AS kind, n.nspname AS schema, t.typname AS name, NULL AS arguments FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE ${userSchema("n")} AND t.typcategory <> 'A' AND t.typtype IN ('e', 'd', 'c', 'r', 'm', 'b') AND ${notExtensionMember("pg_type", "t.oid")}
UNION ALL SELECT a.oid, 'type', n.nspname, t.typname, NULL FROM pg_type a JOIN pg_type t ON t.oid = a.typelem JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE ${userSchema("n")} AND a.typcategory = 'A' AND ${notExtensionMember("pg_type", "t.oid")}
UNION ALL SELECT p.oid, 'function', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${userSchema("n")} AND ${notExtensionMember("pg_proc", "p.oid")}
UNION ALL SELECT c.oid, CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END, n.nspname, c.relname, NULL
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${userSchema("n")} AND c.relkind IN ('S', 'v', 'm', 'r', 'p', 'f') AND ${notExtensionMember("pg_class", "c.oid")}
UNION ALL SELECT coalesce(a.oid, x.objid), 'extension', NULL, e.extname, NULL FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid
  LEFT JOIN pg_type a ON x.classid = 'pg_type'::regclass AND a.typelem = x.objid AND a.typcategory = 'A'
  WHERE x.deptype = 'e' AND x.classid IN ('pg_type'::regclass, 'pg_proc'::regclass)
UNION ALL SELECT x.objid, 'extension', NULL, e.extname, NULL FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid
  WHERE x.deptype = 'e' AND x.classid IN ('pg_type'::regclass, 'pg_proc'::regclass)`;

/** Extensions created after initdb (plpgsql comes with every database), as pg_dump lists them. */
const extensionsQuery = `
SELECT e.extname AS name, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.oid >= 16384 ORDER BY e.extname`;

const schemasQuery = `
SELECT n.nspname AS name FROM pg_namespace n WHERE ${userSchema("n")} AND n.nspname <> 'public' AND ${notExtensionMember("pg_namespace", "n.oid")}
ORDER BY 1`;

/** Tables the tool cannot copy, with why; a table key each (the first reason found). */
const unsupportedTablesQuery = `
SELECT n.nspname AS schema, c.relname AS name, CASE
    WHEN c.relkind = 'f' THEN 'a foreign table: its rows are in another server; the tool copies only tables of this database'
    WHEN c.reloftype <> 0 THEN 'a typed table (CREATE TABLE ... OF type), which the tool does not copy'
    WHEN NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
      THEN 'inherits from another table (table inheritance, not partitioning), which the tool does not copy'
    WHEN c.relrowsecurity OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
      THEN 'has row-level security policies, which the tool does not copy (a copy without them would show every row to everyone)'
    WHEN EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid) THEN 'has rewrite rules (CREATE RULE), which the tool does not copy'
    WHEN EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.stxrelid = c.oid) THEN 'has extended statistics (CREATE STATISTICS), which the tool does not copy'
    WHEN bad.attname IS NOT NULL THEN format('column %I: %s', bad.attname, bad.reason)
  END AS reason
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
  SELECT a.attname, format('its collation %s is not one of PostgreSQL''s own (CREATE COLLATION), which the tool does not copy', col.collname) AS reason
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_collation col ON col.oid = a.attcollation AND a.attcollation <> t.typcollation AND col.collnamespace <> 'pg_catalog'::regnamespace
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum LIMIT 1) bad ON true
WHERE ${userSchema("n")} AND c.relkind IN ('r', 'p', 'f') AND ${notExtensionMember("pg_class", "c.oid")}`;

export interface CatalogObjects {
  /** Everything of the model but its tables. */
  model: Omit<SchemaModel, "tables">;
  types: Map<number, TypeInfo>;
  /** By table oid: the object keys of what it uses. */
  tableRequires: Map<number, string[]>;
  /** By object key: why the tool cannot copy it. */
  unsupported: Map<string, string>;
}

function typeInfo(row: Row): TypeInfo {
  const info: TypeInfo = { baseName: row.base_name, category: row.category, baseTypmod: Number(row.typmod) };
  if (row.enum_labels) info.enumLabels = row.enum_labels;
  if (row.domain_name) info.domain = tableKey(row.domain_schema, row.domain_name);
  return info;
}

function toType(row: Row, requires: string[]): TypeModel | undefined {
  const named = { schema: row.schema, name: row.name, requires };
  if (row.kind === "e") return { kind: "enum", ...named, labels: row.labels ?? [] };
  if (row.kind === "c") return { kind: "composite", ...named, attributes: row.attributes ?? [] };
  if (row.kind !== "d") return undefined;
  const domain: TypeModel = { kind: "domain", ...named, baseType: row.base_type, notNull: row.not_null, checks: row.checks ?? [] };
  if (row.default !== null) domain.default = row.default;
  return domain;
}

const typeKinds: Record<string, string> = { r: "a range type", m: "a multirange type", b: "a base type written in C" };

function toSequence(row: Row): SequenceModel {
  const sequence: SequenceModel = {
    schema: row.schema,
    name: row.name,
    type: row.seq_type,
    start: row.start,
    increment: row.increment,
    min: row.min,
    max: row.max,
    cache: row.cache,
    cycle: row.cycle,
  };
  if (row.owned_table) sequence.ownedBy = { table: tableKey(row.owned_schema, row.owned_table), column: row.owned_column };
  return sequence;
}

/** By owner oid, the keys of the objects it uses (itself left out). */
function dependencies(rows: Row[], keys: Map<number, string>): Map<string, Map<number, string[]>> {
  const byKind = new Map<string, Map<number, string[]>>();
  for (const row of rows) {
    const key = keys.get(Number(row.ref));
    if (!key || Number(row.ref) === Number(row.owner)) continue;
    // A table needs types, functions and sequences; the tables it references are the subset's business.
    if (row.kind === "table" && (key.startsWith("table:") || key.startsWith("view:"))) continue;
    const owners = byKind.get(row.kind) ?? new Map<number, string[]>();
    byKind.set(row.kind, owners);
    const list = owners.get(Number(row.owner)) ?? [];
    if (!list.includes(key)) list.push(key);
    owners.set(Number(row.owner), list);
  }
  // pg_depend's order is the server's: sorted, two catalogs of one schema read the same.
  for (const owners of byKind.values()) for (const list of owners.values()) list.sort();
  return byKind;
}

/** Types and functions in an order they can be created in: each after what it uses (ties by name). */
function creationOrder<T extends { requires: string[] }>(items: T[], keyOfItem: (item: T) => string): T[] {
  const pending = new Map(items.map((item) => [keyOfItem(item), item]));
  const ordered: T[] = [];
  while (pending.size > 0) {
    const ready = [...pending.entries()].find(([, item]) => item.requires.every((key) => !pending.has(key)));
    // A cycle (a domain's check calling a function over that domain): the rest in name order.
    const [key, item] = ready ?? [...pending.entries()][0];
    ordered.push(item);
    pending.delete(key);
  }
  return ordered;
}

function readFunctions(rows: Row[], requires: Map<number, string[]>, unsupported: Map<string, string>): FunctionModel[] {
  const functions: FunctionModel[] = [];
  for (const row of rows) {
    const key = objectKey("function", row.schema, row.name, row.arguments);
    if (row.definition === null) unsupported.set(key, `function ${key.slice(9)}: an aggregate, which the tool does not copy`);
    else if (!["sql", "plpgsql"].includes(row.language)) unsupported.set(key, `function ${key.slice(9)}: written in ${row.language}; the tool copies functions in sql and plpgsql`);
    else functions.push({ schema: row.schema, name: row.name, arguments: row.arguments, language: row.language, definition: row.definition, requires: requires.get(Number(row.oid)) ?? [] });
  }
  return functions;
}

function readViews(rows: Row[], requires: Map<number, string[]>): ViewModel[] {
  return rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    materialized: row.materialized,
    definition: row.definition,
    options: row.options,
    indexes: row.indexes,
    requires: requires.get(Number(row.oid)) ?? [],
  }));
}

/** The queries readObjects reads, run in one round trip with the catalog's others (catalog.ts). */
export const objectQueries = {
  objectKeys: objectKeysQuery,
  extensions: extensionsQuery,
  dependencies: dependenciesQuery,
  types: typesQuery,
  functions: functionsQuery,
  schemas: schemasQuery,
  sequences: sequencesQuery,
  views: viewsQuery,
  columnTypes: columnTypesQuery,
  unsupportedTables: unsupportedTablesQuery,
};

/** Runs queries without parameters in one round trip (the simple protocol takes several statements); their rows by name. */
export async function queryAll<K extends string>(client: ClientBase, queries: Record<K, string>): Promise<Record<K, Row[]>> {
  const names = Object.keys(queries) as K[];
  const results = (await client.query(names.map((name) => queries[name]).join(";\n"))) as unknown as { rows: Row[] } | { rows: Row[] }[];
  const list = Array.isArray(results) ? results : [results];
  return Object.fromEntries(names.map((name, i) => [name, list[i].rows])) as Record<K, Row[]>;
}

export function readObjects(rows: Record<keyof typeof objectQueries, Row[]>): CatalogObjects {
  const keys = new Map<number, string>();
  for (const row of rows.objectKeys) keys.set(Number(row.oid), row.kind === "extension" ? extensionKey(row.name) : objectKey(row.kind, row.schema, row.name, row.arguments ?? undefined));
  const requires = dependencies(rows.dependencies, keys);
  const unsupported = new Map<string, string>();
  const types: TypeModel[] = [];
  for (const row of rows.types) {
    const type = toType(row, requires.get("type")?.get(Number(row.oid)) ?? []);
    if (type) types.push(type);
    else unsupported.set(objectKey("type", row.schema, row.name), `type ${tableKey(row.schema, row.name)}: ${typeKinds[row.kind]}, which the tool does not copy`);
  }
  const functions = readFunctions(rows.functions, requires.get("function") ?? new Map(), unsupported);
  for (const row of rows.unsupportedTables.filter((r) => r.reason !== null)) {
    unsupported.set(objectKey("table", row.schema, row.name), `table ${tableKey(row.schema, row.name)}: ${row.reason}`);
  }
  return {
    model: {
      schemas: rows.schemas.map((row) => row.name),
      extensions: rows.extensions.map((row) => ({ name: row.name, schema: row.schema })),
      types: creationOrder(types, (type) => objectKey("type", type.schema, type.name)),
      functions: creationOrder(functions, (fn) => objectKey("function", fn.schema, fn.name, fn.arguments)),
      sequences: rows.sequences.map(toSequence),
      views: creationOrder(readViews(rows.views, requires.get("view") ?? new Map()), (view) => objectKey("view", view.schema, view.name)),
    },
    types: new Map(rows.columnTypes.map((row) => [Number(row.oid), typeInfo(row)])),
    tableRequires: requires.get("table") ?? new Map(),
    unsupported,
  };
}
