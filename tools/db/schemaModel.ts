// The shape of a database schema as the db tool carries it: plain JSON-able data read from
// PostgreSQL's catalog, so that a file (export) can hold it as well as a database.

/** The one schema the tool copies. */
export const schemaName = "public";

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
  name: string;
  /** The column a serial sequence belongs to (`OWNED BY`). */
  ownedBy?: { table: string; column: string };
}

export interface ColumnModel {
  name: string;
  /** format_type(): `character varying(64)`, `numeric(20,8)`, `order_side`, `integer[]`. */
  type: string;
  /** pg_type.typname of the column's type (`_int4` for an array). */
  typeName: string;
  /** pg_type.typcategory: S string, N numeric, B boolean, D date/time, U user (json, bytea...), E enum, A array. */
  category: string;
  notNull: boolean;
  /** pg_get_expr() of the default. */
  default?: string;
  identity?: { always: boolean; sequence: string } & SequenceOptions;
  /** pg_get_expr() of a generated column's expression, and whether it is stored or virtual. */
  generated?: { expression: string; stored: boolean };
  /** Declared length of character varying(n) / character(n). */
  maxLength?: number;
  /** The labels when the column's type is an enum. */
  enumLabels?: string[];
}

export interface ConstraintModel {
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion. */
  type: "p" | "u" | "f" | "c" | "x";
  /** pg_get_constraintdef(): `FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE`. */
  definition: string;
  columns: string[];
  references?: { table: string; columns: string[] };
  /** confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete?: string;
  onUpdate?: string;
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
}

export interface TableModel {
  name: string;
  columns: ColumnModel[];
  constraints: ConstraintModel[];
  /** Indexes that do not back a constraint. */
  indexes: IndexModel[];
}

export interface SchemaModel {
  enums: { name: string; labels: string[] }[];
  /** Sequences that are not an identity column's own. */
  sequences: SequenceModel[];
  tables: TableModel[];
}

export function findTable(schema: SchemaModel, name: string): TableModel | undefined {
  return schema.tables.find((table) => table.name === name);
}

export function foreignKeys(table: TableModel): (ConstraintModel & { references: { table: string; columns: string[] } })[] {
  return table.constraints.filter((c): c is ConstraintModel & { references: { table: string; columns: string[] } } => c.type === "f" && !!c.references);
}

/** `"name"`, with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The schema restricted to some tables (the tables of a subset), in the source's order. */
export function schemaOfTables(schema: SchemaModel, tables: ReadonlySet<string>): SchemaModel {
  const kept = schema.tables.filter((table) => tables.has(table.name));
  const usedTypes = new Set(kept.flatMap((table) => table.columns.map((column) => column.typeName.replace(/^_/, ""))));
  const ownedSequence = (sequence: SequenceModel) => !sequence.ownedBy || tables.has(sequence.ownedBy.table);
  const defaults = kept.flatMap((table) => table.columns.map((column) => column.default ?? "")).join("\n");
  return {
    enums: schema.enums.filter((type) => usedTypes.has(type.name)),
    // A sequence stays when a copied column owns it or a copied default names it.
    sequences: schema.sequences.filter((sequence) => (sequence.ownedBy ? ownedSequence(sequence) : defaults.includes(`'${sequence.name}'`))),
    tables: kept,
  };
}
