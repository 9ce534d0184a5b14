// A PostgreSQL schema translated for SQLite. SQLite has five storage classes and no enum,
// sequence, schema, exclusion constraint or expression index of PostgreSQL's kind: each
// construct either has a faithful translation, checked by SQLite itself on a scratch
// database, or is left out with a note saying what became of it (the README lists them).
import { DatabaseSync } from "node:sqlite";
import type { ColumnModel, ConstraintModel, IndexModel, SchemaModel, TableModel } from "./schemaModel";
import { quoteIdent } from "./schemaModel";

/** What a SQLite table is expected to look like after the translation (verify reads it back). */
export interface SqliteTableShape {
  name: string;
  columns: { name: string; type: string; notNull: boolean }[];
  foreignKeys: { columns: string[]; table: string; referenced: string[]; onDelete: string }[];
  indexes: string[];
}

export interface SqliteSchema {
  /** CREATE TABLE statements: run before the rows (SQLite checks foreign keys only when asked). */
  tables: string[];
  /** CREATE [UNIQUE] INDEX statements, unique constraints included: run after the rows. */
  indexes: string[];
  /** One line per construct SQLite cannot hold, saying what became of it. */
  notes: string[];
  shapes: SqliteTableShape[];
}

const integerTypes = new Set(["int2", "int4", "int8", "oid"]);
const realTypes = new Set(["float4", "float8"]);
const referentialActions: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

/** The SQLite type of a PostgreSQL column (its affinity, spelt the way SQLite documents it). */
export function sqliteType(column: ColumnModel): string {
  if (column.category === "A") return "TEXT"; // arrays: JSON text
  if (column.category === "B" || integerTypes.has(column.typeName)) return "INTEGER";
  if (realTypes.has(column.typeName)) return "REAL";
  if (column.category === "N") return "NUMERIC";
  if (column.typeName === "bytea") return "BLOB";
  return "TEXT";
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A quoted identifier or a string literal as PostgreSQL prints them ("" or '' inside for a quote). */
const quotedText = /"(?:[^"]|"")*"|'(?:[^']|'')*'/g;

/**
 * PostgreSQL expression text in SQLite's dialect where the difference is only spelling. String
 * literals are set aside first (as \0<n>\0) so that no rewrite touches their text: a default
 * 'true or ::text' stays as it is. Quoted identifiers are read past whole (a ' inside one
 * starts no literal) and left where they are, for the rewrites that name columns.
 */
export function translateExpression(expression: string): string {
  const literals: string[] = [];
  const code = expression.replace(quotedText, (text) => (text.startsWith('"') ? text : `\0${literals.push(text) - 1}\0`));
  return rewriteExpression(code).replace(/\0(\d+)\0/g, (_, index: string) => literals[Number(index)]);
}

function rewriteExpression(expression: string): string {
  return expression
    .replace(/::(?:"[^"]+"|[a-z_][a-z0-9_]*(?: (?:varying|precision|without time zone|with time zone))*)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*/g, "")
    .replace(/(\(?"?[a-z_][a-z0-9_]*"?\)?) = ANY \(\(?ARRAY\[(.*?)\]\)?\)/g, "$1 IN ($2)")
    .replace(/\btrue\b/g, "1")
    .replace(/\bfalse\b/g, "0")
    .replace(/^(now\(\)|statement_timestamp\(\)|transaction_timestamp\(\)|CURRENT_TIMESTAMP)$/i, "CURRENT_TIMESTAMP");
}

/** A single integer column whose values come from a sequence: SQLite's INTEGER PRIMARY KEY does that itself. */
function rowidColumn(table: TableModel): string | undefined {
  const primaryKey = table.constraints.find((constraint) => constraint.type === "p");
  if (primaryKey?.columns.length !== 1) return undefined;
  const column = table.columns.find((c) => c.name === primaryKey.columns[0]);
  return column && sqliteType(column) === "INTEGER" && column.category === "N" ? column.name : undefined;
}

/** Does SQLite accept this CREATE TABLE, and an insert into it? Tried on a scratch database. */
function sqliteAccepts(scratch: DatabaseSync, columns: string[], extra: string): boolean {
  try {
    scratch.exec("DROP TABLE IF EXISTS scratch");
    scratch.exec(`CREATE TABLE scratch (${[...columns, extra].filter(Boolean).join(", ")})`);
    scratch.prepare("INSERT INTO scratch DEFAULT VALUES");
    return true;
  } catch {
    return false;
  }
}

interface TableContext {
  table: TableModel;
  scratch: DatabaseSync;
  notes: string[];
  plainColumns: string[];
}

function columnDefinition(context: TableContext, column: ColumnModel, rowid: string | undefined): string {
  const { table, notes } = context;
  const parts = [quoteIdent(column.name), sqliteType(column)];
  if (column.name === rowid) parts.push("PRIMARY KEY");
  if (column.notNull) parts.push("NOT NULL");
  if (column.enumLabels) parts.push(`CHECK (${quoteIdent(column.name)} IN (${column.enumLabels.map(literal).join(", ")}))`);
  const where = `${table.name}.${column.name}`;
  if (column.generated) notes.push(`${where}: generated column becomes a plain column holding the copied values`);
  if (column.identity && column.name !== rowid) notes.push(`${where}: identity column becomes a plain INTEGER column (SQLite numbers only an INTEGER PRIMARY KEY)`);
  if (column.default !== undefined && !column.generated) {
    const translated = translateExpression(column.default);
    if (/^nextval\(/.test(column.default)) {
      if (column.name !== rowid) notes.push(`${where}: default ${column.default} dropped (SQLite has no sequences)`);
    } else if (sqliteAccepts(context.scratch, [`x ${sqliteType(column)} DEFAULT (${translated})`], "")) {
      parts.push(`DEFAULT (${translated})`);
    } else {
      notes.push(`${where}: default ${column.default} dropped (SQLite cannot evaluate it)`);
    }
  }
  return parts.join(" ");
}

function constraintDefinition(context: TableContext, constraint: ConstraintModel, rowid: string | undefined): string | undefined {
  const columns = constraint.columns.map(quoteIdent).join(", ");
  const named = `CONSTRAINT ${quoteIdent(constraint.name)}`;
  switch (constraint.type) {
    case "p":
      return rowid ? undefined : `${named} PRIMARY KEY (${columns})`;
    case "u":
      return undefined; // a unique index after the rows (uniqueIndexes): SQLite builds it sorted, once
    case "f": {
      const references = constraint.references!;
      const actions = `ON DELETE ${referentialActions[constraint.onDelete ?? "a"]} ON UPDATE ${referentialActions[constraint.onUpdate ?? "a"]}`;
      return `${named} FOREIGN KEY (${columns}) REFERENCES ${quoteIdent(references.table)} (${references.columns.map(quoteIdent).join(", ")}) ${actions}`;
    }
    case "c": {
      const check = translateExpression(constraint.definition.replace(/\s+NOT VALID$/, ""));
      if (sqliteAccepts(context.scratch, context.plainColumns, `${named} ${check}`)) return `${named} ${check}`;
      context.notes.push(`${context.table.name}.${constraint.name}: check ${constraint.definition} dropped (not SQLite's dialect)`);
      return undefined;
    }
    default:
      context.notes.push(`${context.table.name}.${constraint.name}: exclusion constraint dropped (SQLite has none)`);
      return undefined;
  }
}

function indexStatement(table: TableModel, index: IndexModel, notes: string[], scratch: DatabaseSync, plainColumns: string[]): string | undefined {
  if (index.columns.some((column) => column.name === null)) {
    notes.push(`${table.name}.${index.name}: expression index dropped`);
    return undefined;
  }
  const keys = index.columns.map((column) => `${quoteIdent(column.name!)}${column.descending ? " DESC" : ""}`).join(", ");
  let where = "";
  if (index.predicate !== undefined) {
    where = ` WHERE ${translateExpression(index.predicate)}`;
    const accepted = sqliteAccepts(scratch, plainColumns, "") && tryExec(scratch, `CREATE INDEX scratch_index ON scratch (${keys})${where}`);
    if (!accepted) {
      notes.push(`${table.name}.${index.name}: partial index dropped (its WHERE ${index.predicate} is not SQLite's dialect)`);
      return undefined;
    }
  }
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(table.name)} (${keys})${where}`;
}

function tryExec(scratch: DatabaseSync, sql: string): boolean {
  try {
    scratch.exec(sql);
    return true;
  } catch {
    return false;
  }
}

function translateTable(table: TableModel, scratch: DatabaseSync, notes: string[]): { create: string; indexes: string[]; shape: SqliteTableShape } {
  const plainColumns = table.columns.map((column) => `${quoteIdent(column.name)} ${sqliteType(column)}`);
  const context: TableContext = { table, scratch, notes, plainColumns };
  const rowid = rowidColumn(table);
  const definitions = [
    ...table.columns.map((column) => columnDefinition(context, column, rowid)),
    ...table.constraints.map((constraint) => constraintDefinition(context, constraint, rowid)).filter((d): d is string => !!d),
  ];
  const uniqueIndexes = table.constraints
    .filter((constraint) => constraint.type === "u")
    .map((constraint) => `CREATE UNIQUE INDEX ${quoteIdent(constraint.name)} ON ${quoteIdent(table.name)} (${constraint.columns.map(quoteIdent).join(", ")})`);
  const indexes = [...uniqueIndexes, ...table.indexes.map((index) => indexStatement(table, index, notes, scratch, plainColumns)).filter((s): s is string => !!s)];
  const shape: SqliteTableShape = {
    name: table.name,
    columns: table.columns.map((column) => ({ name: column.name, type: sqliteType(column), notNull: column.notNull })),
    foreignKeys: table.constraints
      .filter((constraint) => constraint.type === "f")
      .map((constraint) => ({
        columns: constraint.columns,
        table: constraint.references!.table,
        referenced: constraint.references!.columns,
        onDelete: referentialActions[constraint.onDelete ?? "a"],
      })),
    indexes: indexes.map((statement) => /INDEX "((?:[^"]|"")+)"/.exec(statement)![1].replace(/""/g, '"')),
  };
  return { create: `CREATE TABLE ${quoteIdent(table.name)} (\n  ${definitions.join(",\n  ")}\n)`, indexes, shape };
}

/** The SQLite statements for a schema, and what SQLite could not hold. */
export function translateSchema(schema: SchemaModel): SqliteSchema {
  const scratch = new DatabaseSync(":memory:");
  try {
    const notes: string[] = [];
    const translated = schema.tables.map((table) => translateTable(table, scratch, notes));
    for (const type of schema.enums) notes.push(`enum ${type.name}: TEXT columns with a CHECK of its labels`);
    for (const sequence of schema.sequences) notes.push(`sequence ${sequence.name}: dropped (an INTEGER PRIMARY KEY numbers its own rows)`);
    return {
      tables: translated.map((t) => t.create),
      indexes: translated.flatMap((t) => t.indexes),
      notes,
      shapes: translated.map((t) => t.shape),
    };
  } finally {
    scratch.close();
  }
}
