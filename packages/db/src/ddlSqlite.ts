// A PostgreSQL schema translated for SQLite. SQLite has five storage classes and no schema,
// enum, domain, sequence, partition, function, exclusion constraint or expression index of
// PostgreSQL's kind: each construct either has a faithful translation, checked by SQLite
// itself on a scratch database, or is left out with a note saying what became of it (the
// README lists them). A generated column SQLite cannot compute is refused: copying its
// values would copy what the rules changed, before they changed it.
import { DatabaseSync } from "node:sqlite";
import { defaultSchema, formatIdentifier } from "./names";
import type { ColumnModel, ConstraintModel, IndexModel, SchemaModel, TableModel, TypeModel } from "./schemaModel";
import { columnLabel, findTable, keyOf, quoteIdent, storedTable, storedTables } from "./schemaModel";

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
  /** One line per column SQLite cannot hold at all (a generated column it cannot compute): the copy is refused. */
  refusals: string[];
  shapes: SqliteTableShape[];
}

const integerTypes = new Set(["int2", "int4", "int8", "oid"]);
const realTypes = new Set(["float4", "float8"]);
const referentialActions: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
/** Significant digits an 8-byte float holds exactly. */
const exactDigits = 15;

/** The SQLite type of a PostgreSQL column (its affinity, spelt the way SQLite documents it). */
export function sqliteType(column: ColumnModel): string {
  if (column.category === "A") return "TEXT"; // arrays: JSON text
  if (column.category === "B" || integerTypes.has(column.typeName)) return "INTEGER";
  if (realTypes.has(column.typeName)) return "REAL";
  if (column.category === "N") return "NUMERIC";
  if (column.typeName === "bytea") return "BLOB";
  return "TEXT";
}

/** A table's name in SQLite, which has no schemas: `users`, or `trading.venues` as one name. */
export function sqliteTableName(table: { schema: string; name: string }): string {
  return table.schema === defaultSchema ? table.name : `${table.schema}.${table.name}`;
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
  return rewriteExpression(integerCasts(code)).replace(/\0(\d+)\0/g, (_, index: string) => literals[Number(index)]);
}

const typeName = `(?:"[^"]+"|[a-z_][a-z0-9_]*)`;
const castPattern = new RegExp(`::(?:${typeName}\\.)?${typeName}(?: (?:varying|precision|without time zone|with time zone))*(?:\\(\\d+(?:,\\s*\\d+)?\\))?(?:\\[\\])*`, "g");

/** `x::bigint` as `CAST(round(x) AS INTEGER)`: PostgreSQL rounds a numeric to an integer, SQLite's CAST would truncate. */
function integerCasts(code: string): string {
  for (let match = /::(?:bigint|integer|smallint)\b/.exec(code); match; match = /::(?:bigint|integer|smallint)\b/.exec(code)) {
    let start = match.index;
    if (code[start - 1] === ")") {
      for (let depth = 0; start > 0; ) {
        start--;
        if (code[start] === ")") depth++;
        else if (code[start] === "(" && --depth === 0) break;
      }
    }
    while (start > 0 && /[\w.\0"]/.test(code[start - 1])) start--;
    code = `${code.slice(0, start)}CAST(round(${code.slice(start, match.index)}) AS INTEGER)${code.slice(match.index + match[0].length)}`;
  }
  return code;
}

function rewriteExpression(expression: string): string {
  return expression
    .replace(castPattern, "")
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
  schema: SchemaModel;
  scratch: DatabaseSync;
  notes: string[];
  refusals: string[];
  plainColumns: string[];
}

function domainOf(context: { schema: SchemaModel }, column: ColumnModel): Extract<TypeModel, { kind: "domain" }> | undefined {
  const type = context.schema.types.find((t) => keyOf(t) === column.domain);
  return type?.kind === "domain" ? type : undefined;
}

/** NOT NULL by the column's own constraint or its domain's. */
const notNull = (schema: SchemaModel, column: ColumnModel) => column.notNull || !!domainOf({ schema }, column)?.notNull;

/** A domain's checks on the column (VALUE is the column), where SQLite accepts them. */
function domainChecks(context: TableContext, column: ColumnModel, where: string): string[] {
  const domain = domainOf(context, column);
  if (!domain) return [];
  return domain.checks.flatMap((check) => {
    const translated = translateExpression(check.definition.replace(/\bVALUE\b/g, quoteIdent(column.name)));
    if (sqliteAccepts(context.scratch, context.plainColumns, translated)) return [translated];
    context.notes.push(`${where}: check ${check.name} of its domain ${keyOf(domain)} dropped (not SQLite's dialect)`);
    return [];
  });
}

/** The column's own default, or its domain's; a sequence's or one SQLite cannot evaluate is dropped with a note. */
function defaultClause(context: TableContext, column: ColumnModel, rowid: string | undefined, where: string): string | undefined {
  const expression = column.default ?? domainOf(context, column)?.default;
  if (expression === undefined || column.generated) return undefined;
  if (/^nextval\(/.test(expression)) {
    if (column.name !== rowid) context.notes.push(`${where}: default ${expression} dropped (SQLite has no sequences)`);
    return undefined;
  }
  const translated = translateExpression(expression);
  if (sqliteAccepts(context.scratch, [`x ${sqliteType(column)} DEFAULT (${translated})`], "")) return `DEFAULT (${translated})`;
  context.notes.push(`${where}: default ${expression} dropped (SQLite cannot evaluate it)`);
  return undefined;
}

/** A generated column's expression for SQLite, or a refusal when SQLite cannot compute it. */
function generatedClause(context: TableContext, column: ColumnModel, where: string): string | undefined {
  const generated = column.generated!;
  const others = context.table.columns.filter((c) => !c.generated).map((c) => `${quoteIdent(c.name)} ${sqliteType(c)}`);
  const clause = `GENERATED ALWAYS AS (${translateExpression(generated.expression)}) ${generated.stored ? "STORED" : "VIRTUAL"}`;
  if (sqliteAccepts(context.scratch, [...others, `${quoteIdent(column.name)} ${sqliteType(column)} ${clause}`], "")) return clause;
  context.refusals.push(`${where}: generated column: SQLite cannot compute ${generated.expression} (copying its values would copy what it was computed from)`);
  return undefined;
}

function precisionNote(column: ColumnModel, where: string): string | undefined {
  if (column.typeName !== "numeric" || (column.precision !== undefined && column.precision <= exactDigits)) return undefined;
  return `${where}: ${column.type} becomes NUMERIC (an integer or an 8-byte float): beyond ${exactDigits} significant digits precision is lost`;
}

function columnDefinition(context: TableContext, column: ColumnModel, rowid: string | undefined): string {
  const { table, notes } = context;
  const parts = [quoteIdent(column.name), sqliteType(column)];
  const where = columnLabel(table, column.name);
  if (column.name === rowid) parts.push("PRIMARY KEY");
  if (notNull(context.schema, column)) parts.push("NOT NULL");
  if (column.enumLabels) parts.push(`CHECK (${quoteIdent(column.name)} IN (${column.enumLabels.map(literal).join(", ")}))`);
  parts.push(...domainChecks(context, column, where));
  if (column.identity && column.name !== rowid) notes.push(`${where}: identity column becomes a plain INTEGER column (SQLite numbers only an INTEGER PRIMARY KEY)`);
  const precision = precisionNote(column, where);
  if (precision) notes.push(precision);
  const fallback = defaultClause(context, column, rowid, where);
  if (fallback) parts.push(fallback);
  const generated = column.generated ? generatedClause(context, column, where) : undefined;
  if (generated) parts.push(generated);
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
      const referenced = findTable(context.schema, references.table);
      const name = referenced ? sqliteTableName(storedTable(context.schema, referenced)) : references.table;
      const actions = `ON DELETE ${referentialActions[constraint.onDelete ?? "a"]} ON UPDATE ${referentialActions[constraint.onUpdate ?? "a"]}`;
      return `${named} FOREIGN KEY (${columns}) REFERENCES ${quoteIdent(name)} (${references.columns.map(quoteIdent).join(", ")}) ${actions}`;
    }
    case "c": {
      const check = translateExpression(constraint.definition.replace(/\s+NOT VALID$/, ""));
      if (sqliteAccepts(context.scratch, context.plainColumns, `${named} ${check}`)) return `${named} ${check}`;
      context.notes.push(`${keyOf(context.table)}.${formatIdentifier(constraint.name)}: check ${constraint.definition} dropped (not SQLite's dialect)`);
      return undefined;
    }
    default:
      context.notes.push(`${keyOf(context.table)}.${formatIdentifier(constraint.name)}: exclusion constraint dropped (SQLite has none)`);
      return undefined;
  }
}

function indexStatement(context: TableContext, index: IndexModel): string | undefined {
  const { table, notes, scratch, plainColumns } = context;
  const where = `${keyOf(table)}.${formatIdentifier(index.name)}`;
  if (index.columns.some((column) => column.name === null)) {
    notes.push(`${where}: expression index dropped`);
    return undefined;
  }
  const keys = index.columns.map((column) => `${quoteIdent(column.name!)}${column.descending ? " DESC" : ""}`).join(", ");
  let predicate = "";
  if (index.predicate !== undefined) {
    predicate = ` WHERE ${translateExpression(index.predicate)}`;
    const accepted = sqliteAccepts(scratch, plainColumns, "") && tryExec(scratch, `CREATE INDEX scratch_index ON scratch (${keys})${predicate}`);
    if (!accepted) {
      notes.push(`${where}: partial index dropped (its WHERE ${index.predicate} is not SQLite's dialect)`);
      return undefined;
    }
  }
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(sqliteTableName(table))} (${keys})${predicate}`;
}

function tryExec(scratch: DatabaseSync, sql: string): boolean {
  try {
    scratch.exec(sql);
    return true;
  } catch {
    return false;
  }
}

function tableShape(table: TableModel, schema: SchemaModel, indexes: string[]): SqliteTableShape {
  return {
    name: sqliteTableName(table),
    columns: table.columns.map((column) => ({ name: column.name, type: sqliteType(column), notNull: notNull(schema, column) })),
    foreignKeys: table.constraints
      .filter((constraint) => constraint.type === "f")
      .map((constraint) => {
        const referenced = findTable(schema, constraint.references!.table);
        return {
          columns: constraint.columns,
          table: referenced ? sqliteTableName(storedTable(schema, referenced)) : constraint.references!.table,
          referenced: constraint.references!.columns,
          onDelete: referentialActions[constraint.onDelete ?? "a"],
        };
      }),
    indexes: indexes.map((statement) => /INDEX "((?:[^"]|"")+)"/.exec(statement)![1].replace(/""/g, '"')),
  };
}

function translateTable(context: TableContext): { create: string; indexes: string[]; shape: SqliteTableShape } {
  const { table } = context;
  const rowid = rowidColumn(table);
  const definitions = [
    ...table.columns.map((column) => columnDefinition(context, column, rowid)),
    ...table.constraints.map((constraint) => constraintDefinition(context, constraint, rowid)).filter((d): d is string => !!d),
  ];
  const uniqueIndexes = table.constraints
    .filter((constraint) => constraint.type === "u")
    .map((constraint) => `CREATE UNIQUE INDEX ${quoteIdent(constraint.name)} ON ${quoteIdent(sqliteTableName(table))} (${constraint.columns.map(quoteIdent).join(", ")})`);
  const indexes = [...uniqueIndexes, ...table.indexes.map((index) => indexStatement(context, index)).filter((s): s is string => !!s)];
  return { create: `CREATE TABLE ${quoteIdent(sqliteTableName(table))} (\n  ${definitions.join(",\n  ")}\n)`, indexes, shape: tableShape(table, context.schema, indexes) };
}

/** One line per object around the tables that SQLite does not hold, saying what became of it. */
function objectNotes(schema: SchemaModel): string[] {
  const partitionsOf = (table: TableModel) => schema.tables.filter((t) => t.partitionOf && keyOf(storedTable(schema, t)) === keyOf(table) && t !== table);
  return [
    ...schema.schemas.map((name) => `schema ${formatIdentifier(name)}: SQLite has no schemas; its tables are named "${name}.<table>"`),
    ...schema.extensions.map((extension) => `extension ${extension.name}: not in SQLite; columns of its types hold their text (citext compares with case in SQLite)`),
    ...storedTables(schema)
      .filter((table) => table.partitionKey)
      .map((table) => `${keyOf(table)}: partitioned table becomes one table holding the rows of its partitions (${partitionsOf(table).map(keyOf).join(", ")})`),
    ...schema.types.map((type) =>
      type.kind === "enum"
        ? `enum ${keyOf(type)}: TEXT columns with a CHECK of its labels`
        : type.kind === "domain"
          ? `domain ${keyOf(type)}: columns of its base type ${type.baseType}, with its checks where SQLite accepts them`
          : `type ${keyOf(type)}: TEXT columns holding PostgreSQL's text of the value`,
    ),
    ...schema.functions.map((fn) => `function ${keyOf(fn)}(${fn.arguments}): not copied (SQLite has no stored functions)`),
    ...schema.sequences.map((sequence) =>
      sequence.ownedBy
        ? `sequence ${keyOf(sequence)}: dropped (an INTEGER PRIMARY KEY numbers its own rows)`
        : `sequence ${keyOf(sequence)}: dropped (SQLite has no sequences; the defaults that draw from it are dropped)`,
    ),
    ...schema.tables.flatMap((table) => (table.triggers ?? []).map((trigger) => `${keyOf(table)}.${formatIdentifier(trigger.name)}: trigger not copied (SQLite cannot run it)`)),
    ...schema.views.map((view) => `${view.materialized ? "materialized view" : "view"} ${keyOf(view)}: not copied (SQLite cannot run PostgreSQL's query)`),
  ];
}

/** The SQLite statements for a schema, what SQLite could not hold, and what it cannot hold at all. */
export function translateSchema(schema: SchemaModel): SqliteSchema {
  const scratch = new DatabaseSync(":memory:");
  try {
    const notes: string[] = [];
    const refusals: string[] = [];
    const translated = storedTables(schema).map((table) => {
      const plainColumns = table.columns.map((column) => `${quoteIdent(column.name)} ${sqliteType(column)}`);
      return translateTable({ table, schema, scratch, notes, refusals, plainColumns });
    });
    return {
      tables: translated.map((t) => t.create),
      indexes: translated.flatMap((t) => t.indexes),
      notes: [...notes, ...objectNotes(schema)],
      refusals,
      shapes: translated.map((t) => t.shape),
    };
  } finally {
    scratch.close();
  }
}
