// How the db tool names tables and columns, in the rules file and in every message: as
// PostgreSQL writes identifiers. A name of lower-case letters, digits, _ and $ (not starting
// with a digit or $) is written bare; any other is in double quotes, a " inside doubled:
// `users`, `"Order"`, `"user id"`, `"say ""hi"""`. A bare name is folded to lower case, as
// PostgreSQL folds it (`Users` is `users`). A table is `[schema.]table`, a column
// `[schema.]table.column`; without a schema the table is in `public`.
//   users.email              public.users, column email
//   trading.venues.name      trading.venues, column name
//   "Order"."user id"        public."Order", column "user id"
//   orders.*                 every column of public.orders (the rules' table-wide form)
import { Refusal } from "./errors";

export const defaultSchema = "public";

const bareIdentifier = /^[a-z_][a-z0-9_$]*$/;

/** An identifier as this tool (and PostgreSQL's quote_ident, keywords aside) writes it. */
export function formatIdentifier(name: string): string {
  return bareIdentifier.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A table's name in messages and rules: `schema.table`, the schema left out when it is public. */
export function tableKey(schema: string, name: string): string {
  return schema === defaultSchema ? formatIdentifier(name) : `${formatIdentifier(schema)}.${formatIdentifier(name)}`;
}

/** A column's name in messages and rules: `[schema.]table.column`. */
export function columnKey(table: string, column: string): string {
  return `${table}.${formatIdentifier(column)}`;
}

/** `"schema"."name"`, for SQL. */
export function qualifiedSql(schema: string, name: string): string {
  return `${quoteSql(schema)}.${quoteSql(name)}`;
}

/** `"name"`, with embedded quotes doubled: always quoted, for SQL. */
export function quoteSql(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A dotted name split into its identifiers (quoted ones unquoted, bare ones folded), or undefined when it is not one. */
export function splitName(text: string): string[] | undefined {
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    const quoted = /^"((?:[^"]|"")+)"/.exec(rest);
    const bare = quoted ? undefined : /^([A-Za-z_][A-Za-z0-9_$]*|\*)/.exec(rest);
    const match = quoted ?? bare;
    if (!match) return undefined;
    parts.push(quoted ? quoted[1].replace(/""/g, '"') : bare![1] === "*" ? "\0*" : bare![1].toLowerCase());
    rest = rest.slice(match[0].length);
    if (rest === "") return parts;
    if (!rest.startsWith(".")) return undefined;
    rest = rest.slice(1);
  }
}

/** Stands for `*` in a split name: a quoted "*" is a column named *, this is every column. */
export const everyColumn = "\0*";

export interface TableName {
  schema: string;
  name: string;
}

export interface ColumnName extends TableName {
  /** The column, or `everyColumn` for `table.*`. */
  column: string;
}

const tableSyntax = 'write a table as [schema.]table, quoting a name as PostgreSQL does ("Order")';
const columnSyntax = 'write a column as [schema.]table.column, quoting a name as PostgreSQL does ("Order"."user id")';

/** `[schema.]table`; refused (naming `where`) when it is not. */
export function parseTableName(text: string, where: string): TableName {
  const parts = splitName(text.trim());
  if (!parts || parts.length > 2 || parts.includes(everyColumn)) throw new Refusal(`${where}: ${JSON.stringify(text)}: ${tableSyntax}`);
  return parts.length === 1 ? { schema: defaultSchema, name: parts[0] } : { schema: parts[0], name: parts[1] };
}

/** `[schema.]table.column` or `[schema.]table.*`; refused (naming `where`) when it is not. */
export function parseColumnName(text: string, where: string): ColumnName {
  const parts = splitName(text.trim());
  if (!parts || parts.length < 2 || parts.length > 3 || parts.slice(0, -1).includes(everyColumn)) {
    throw new Refusal(`${where}: ${JSON.stringify(text)}: ${columnSyntax}`);
  }
  const [column] = parts.slice(-1);
  return parts.length === 2 ? { schema: defaultSchema, name: parts[0], column } : { schema: parts[0], name: parts[1], column };
}
