// The shape of a database schema as the db tool carries it: plain JSON-able data read from
// PostgreSQL's catalog, so that a file (export) can hold it as well as a database. Tables,
// types, functions, sequences and views are named by their keys (names.ts: `users`,
// `trading.venues`, `"Order"`), the schema left out when it is public.
import { defaultSchema, formatIdentifier, qualifiedSql, quoteSql, splitName, tableKey } from "./names";

export { quoteSql as quoteIdent };

/** The schema a name without one is in. */
export { defaultSchema as schemaName };

export interface SequenceOptions {
  /** format_type of the sequence's type: smallint, integer or bigint. */
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

export interface SequenceModel extends SequenceOptions {
  schema: string;
  name: string;
  /** The column a serial sequence belongs to (`OWNED BY`): a table key and a column. */
  ownedBy?: { table: string; column: string };
}

export interface ColumnModel {
  name: string;
  /** format_type(): `character varying(64)`, `numeric(20,8)`, `order_side`, `trading.quantity`, `integer[]`. */
  type: string;
  /** pg_type.typname of the column's type, through domains to their base type (`_int4` for an array). */
  typeName: string;
  /** pg_type.typcategory: S string, N numeric, B boolean, D date/time, U user (json, bytea...), E enum, A array. */
  category: string;
  notNull: boolean;
  /** pg_get_expr() of the default. */
  default?: string;
  /** The key of the sequence the default draws from (`nextval('...')`), owned by the column or not. */
  sequence?: string;
  /** `sequence`: the identity's own sequence, by key. */
  identity?: { always: boolean; sequence: string } & SequenceOptions;
  /** pg_get_expr() of a generated column's expression, and whether it is stored or virtual. */
  generated?: { expression: string; stored: boolean };
  /** Declared length of character varying(n) / character(n). */
  maxLength?: number;
  /** Declared precision of numeric(p,s); absent for an unconstrained numeric. */
  precision?: number;
  /** The labels when the column's type (or its domain's base) is an enum. */
  enumLabels?: string[];
  /** The key of the column's domain, when its type is one. */
  domain?: string;
}

export interface ConstraintModel {
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion. */
  type: "p" | "u" | "f" | "c" | "x";
  /** pg_get_constraintdef(): `FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE`. */
  definition: string;
  columns: string[];
  /** The referenced table (by key) and columns of a foreign key. */
  references?: { table: string; columns: string[] };
  /** confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete?: string;
  onUpdate?: string;
  /** A partition's key: the index of the partitioned table's key it is attached to (`trading.trades_pkey`). */
  attachTo?: string;
}

export interface IndexModel {
  name: string;
  /** pg_get_indexdef(). */
  definition: string;
  unique: boolean;
  /** Key columns in order; undefined where a key is an expression. */
  columns: { name: string | null; descending: boolean }[];
  /** pg_get_expr() of a partial index's WHERE. */
  predicate?: string;
  /** A partition's index: the partitioned table's index it is attached to, by key. */
  attachTo?: string;
}

export interface TableModel {
  schema: string;
  name: string;
  columns: ColumnModel[];
  /** The table's own constraints (a partition's copies of its parent's foreign keys and checks left out). */
  constraints: ConstraintModel[];
  /** Indexes that do not back a constraint. */
  indexes: IndexModel[];
  unlogged?: boolean;
  /** A partitioned table: pg_get_partkeydef(), `RANGE (traded_at)`. Its rows live in its partitions. */
  partitionKey?: string;
  /** A partition: its parent (a table key) and bound (`FOR VALUES FROM (...) TO (...)`, `DEFAULT`). */
  partitionOf?: { parent: string; bound: string };
  /** Its triggers (pg_get_triggerdef()), created after the rows. */
  triggers?: { name: string; definition: string }[];
  /** Keys (objectKey) of the types, functions and sequences its columns, defaults, checks, indexes and triggers use. */
  requires: string[];
}

export type TypeModel =
  | { kind: "enum"; schema: string; name: string; labels: string[]; requires: string[] }
  | {
      kind: "domain";
      schema: string;
      name: string;
      /** format_type() of the base type. */
      baseType: string;
      notNull: boolean;
      default?: string;
      /** Its CHECK constraints: name and pg_get_constraintdef() (`CHECK ((VALUE > 0))`). */
      checks: { name: string; definition: string }[];
      requires: string[];
    }
  | { kind: "composite"; schema: string; name: string; attributes: { name: string; type: string }[]; requires: string[] };

export interface FunctionModel {
  schema: string;
  name: string;
  /** pg_get_function_identity_arguments(): `candidate text`. */
  arguments: string;
  language: string;
  /** pg_get_functiondef(): `CREATE OR REPLACE FUNCTION ...`. */
  definition: string;
  requires: string[];
}

export interface ViewModel {
  schema: string;
  name: string;
  materialized: boolean;
  /** pg_get_viewdef(). */
  definition: string;
  /** reloptions: `security_barrier=true`, `check_option=local`. */
  options: string[];
  /** A materialized view's indexes (pg_get_indexdef()). */
  indexes: string[];
  requires: string[];
}

export interface SchemaModel {
  /** Schemas other than public that the objects below live in. */
  schemas: string[];
  /** Extensions whose types or functions the objects below use (citext, pgcrypto): created in the target, in their schema. */
  extensions: { name: string; schema: string }[];
  /** Enum, domain and composite types, in an order they can be created in. */
  types: TypeModel[];
  functions: FunctionModel[];
  /** Sequences that are not an identity column's own. */
  sequences: SequenceModel[];
  /** Tables, partitioned tables and partitions, each parent before its partitions. */
  tables: TableModel[];
  views: ViewModel[];
}

/** The key of an object in `requires`: `type:trading.venue_kind`, `function:trading.is_symbol(text)`, `sequence:order_no_seq`, `table:users`, `view:...`. */
export type ObjectKind = "type" | "function" | "sequence" | "table" | "view";

/** The key in `requires` of an extension's type or function: the extension, which brings them all. */
export function extensionKey(name: string): string {
  return `extension:${name}`;
}

export function objectKey(kind: ObjectKind, schema: string, name: string, args?: string): string {
  return `${kind}:${tableKey(schema, name)}${args === undefined ? "" : `(${args})`}`;
}

/** A table's key: `users`, `trading.trades`, `"Customer"`. */
export function keyOf(object: { schema: string; name: string }): string {
  return tableKey(object.schema, object.name);
}

/** `"schema"."name"` of a table, type or sequence, for SQL. */
export function sqlName(object: { schema: string; name: string }): string {
  return qualifiedSql(object.schema, object.name);
}

/** `"schema"."name"` of an object named by its key. */
export function sqlNameOfKey(key: string): string {
  const parts = splitName(key)!;
  return parts.length === 1 ? qualifiedSql(defaultSchema, parts[0]) : qualifiedSql(parts[0], parts[1]);
}

export function findTable(schema: SchemaModel, key: string): TableModel | undefined {
  return schema.tables.find((table) => keyOf(table) === key);
}

export type ForeignKey = ConstraintModel & { references: { table: string; columns: string[] } };

export function foreignKeys(table: TableModel): ForeignKey[] {
  return table.constraints.filter((c): c is ForeignKey => c.type === "f" && !!c.references);
}

/** The foreign keys of a stored table: its own, and those its partitions declare on their own. */
export function storedForeignKeys(schema: SchemaModel, table: TableModel): ForeignKey[] {
  const key = keyOf(table);
  return schema.tables.filter((t) => keyOf(storedTable(schema, t)) === key).flatMap(foreignKeys);
}

/** Is this a table that holds rows of its own (not a partitioned table, whose rows are in its partitions)? */
export const holdsRows = (table: TableModel) => table.partitionKey === undefined;

/** The table whose rows a subset copies and a target stores: a partition's topmost parent, or the table itself. */
export function storedTable(schema: SchemaModel, table: TableModel): TableModel {
  let current = table;
  while (current.partitionOf) current = findTable(schema, current.partitionOf.parent) ?? current;
  return current;
}

/** Tables that rows are written to: plain tables and topmost partitioned tables (partitions' rows go through them). */
export function storedTables(schema: SchemaModel): TableModel[] {
  return schema.tables.filter((table) => !table.partitionOf);
}

/** A column's name for messages and rules: `users.email`, `"Customer"."user id"`. */
export function columnLabel(table: { schema: string; name: string }, column: string): string {
  return `${keyOf(table)}.${formatIdentifier(column)}`;
}

/**
 * What copying some stored tables (by key) takes: those tables and their partitions, and
 * the object keys (objectKey) of everything they use, transitively, whether the model holds
 * it or not (an object the tool cannot copy is known by its key only).
 */
export function requiredObjects(schema: SchemaModel, tables: ReadonlySet<string>): { tables: TableModel[]; keys: Set<string> } {
  const kept = schema.tables.filter((table) => tables.has(keyOf(storedTable(schema, table))));
  const requiresOf = new Map<string, string[]>();
  for (const type of schema.types) requiresOf.set(objectKey("type", type.schema, type.name), type.requires);
  for (const fn of schema.functions) requiresOf.set(objectKey("function", fn.schema, fn.name, fn.arguments), fn.requires);
  const keys = new Set<string>(kept.map((table) => objectKey("table", table.schema, table.name)));
  for (const pending = kept.flatMap((table) => table.requires); pending.length > 0; ) {
    const key = pending.pop()!;
    if (keys.has(key)) continue;
    keys.add(key);
    pending.push(...(requiresOf.get(key) ?? []));
  }
  return { tables: kept, keys };
}

/**
 * The schema restricted to some stored tables (the tables of a subset, by key): those
 * tables, their partitions, and the types, functions and sequences they need, in the
 * source's order. Views are left out (a subset copies rows of tables).
 */
export function schemaOfTables(schema: SchemaModel, tables: ReadonlySet<string>): SchemaModel {
  const { tables: kept, keys } = requiredObjects(schema, tables);
  const sequenceKept = (sequence: SequenceModel) =>
    keys.has(objectKey("sequence", sequence.schema, sequence.name)) || (!!sequence.ownedBy && tables.has(sequence.ownedBy.table));
  const restricted = {
    extensions: schema.extensions.filter((extension) => keys.has(extensionKey(extension.name))),
    types: schema.types.filter((type) => keys.has(objectKey("type", type.schema, type.name))),
    functions: schema.functions.filter((fn) => keys.has(objectKey("function", fn.schema, fn.name, fn.arguments))),
    sequences: schema.sequences.filter(sequenceKept),
    tables: kept,
    views: [],
  };
  const used = [...restricted.extensions, ...restricted.types, ...restricted.functions, ...restricted.sequences, ...restricted.tables].map((object) => object.schema);
  return { schemas: schema.schemas.filter((name) => used.includes(name)), ...restricted };
}
