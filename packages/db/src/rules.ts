// The rules file (data/sync-rules.yaml): which rows to start from, and how every copied
// column is anonymised. Tables and columns are named as names.ts says (`users.email`,
// `trading.venues.name`, `"Customer"."user id"`, `orders.*` for every column of a table).
// Validated with zod, then against the source's schema: an unknown table or column is an
// error naming it.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import type { PathTransform, Transform } from "./anonymise";
import { Refusal } from "./errors";
import { parseJsonPath } from "./jsonPath";
import { columnKey, everyColumn, formatIdentifier, parseColumnName, parseTableName, tableKey } from "./names";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { findTable, keyOf, quoteIdent, storedForeignKeys, storedTable } from "./schemaModel";

/** `keep`, `email` and `"null"` may be written alone (`orders.*: keep`). */
const shorthand = (value: unknown) => (value === "keep" || value === "email" || value === "null" ? { transform: value } : value);

const valueTransforms = [
  z.object({ transform: z.literal("pseudonym"), prefix: z.string().max(64).default("") }).strict(),
  z.object({ transform: z.literal("email") }).strict(),
  z.object({ transform: z.literal("constant"), value: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ transform: z.literal("null") }).strict(),
] as const;

const pathTransformSchema = z.preprocess(shorthand, z.discriminatedUnion("transform", [...valueTransforms]));

const transformSchema = z.preprocess(
  shorthand,
  z.discriminatedUnion("transform", [
    z
      .object({
        transform: z.literal("keep"),
        /** The acknowledgement that a column whose sampled values look personal is not: with a reason. */
        containsPersonalData: z.literal(false).optional(),
        reason: z.string().trim().min(1).optional(),
      })
      .strict(),
    ...valueTransforms,
    z.object({ transform: z.literal("json"), paths: z.record(z.string(), pathTransformSchema) }).strict(),
  ]),
);

const rulesSchema = z
  .object({
    roots: z
      .array(
        z
          .object({
            table: z.string().min(1),
            /** `created_at desc`, `a, b asc nulls last`. */
            orderBy: z.string().min(1).optional(),
            /** Without a limit the root is the whole table. */
            limit: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .min(1),
    columns: z.record(z.string(), transformSchema).default({}),
  })
  .strict();

export type Root = z.infer<typeof rulesSchema>["roots"][number];

/** A rule on one column: its table's key, the column, its label (`users.email`) and the transform. */
export interface ColumnRule {
  table: string;
  column: string;
  label: string;
  rule: Transform;
}

export interface Rules {
  /** The roots, each `table` a table key (`users`, `trading.trades`). */
  roots: Root[];
  columns: ColumnRule[];
  /** Table-wide rules (`orders.*: keep`), by table key: for the table's columns without a rule of their own. */
  tables: Map<string, Transform>;
}

/** Reads and validates a rules file; `shown` names it in messages. */
export function loadRules(file: string, shown: string): Rules {
  return loadRulesFile(file, shown).rules;
}

/** The rules, and the SHA-256 of the very bytes they were read from (the sync record keeps it). */
export function loadRulesFile(file: string, shown: string): { rules: Rules; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Refusal(`${shown}: cannot read the rules file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { rules: parseRules(bytes.toString("utf8"), shown), sha256: crypto.createHash("sha256").update(bytes).digest("hex") };
}

export function parseRules(text: string, shown: string): Rules {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) throw new Refusal(`${shown}: not valid YAML: ${document.errors[0].message.split("\n")[0]}`);
  const parsed = rulesSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
    throw new Refusal(`${shown}: ${where}: ${issue.message}${more}`);
  }
  const roots = parsed.data.roots.map((root) => {
    const name = parseTableName(root.table, `${shown}: roots`);
    return { ...root, table: tableKey(name.schema, name.name) };
  });
  return { roots, ...columnRules(parsed.data.columns as Record<string, Transform>, shown) };
}

/** Each key read as a column (or `table.*`), written once, its transform checked for what zod cannot say. */
function columnRules(written: Record<string, Transform>, shown: string): Pick<Rules, "columns" | "tables"> {
  const columns: ColumnRule[] = [];
  const tables = new Map<string, Transform>();
  const seen = new Map<string, string>();
  for (const [key, rule] of Object.entries(written)) {
    const where = `${shown}: columns: ${key}`;
    const name = parseColumnName(key, `${shown}: columns`);
    const table = tableKey(name.schema, name.name);
    const label = name.column === everyColumn ? `${table}.*` : columnKey(table, name.column);
    if (seen.has(label)) throw new Refusal(`${where}: the same column as ${seen.get(label)}: write each column once`);
    seen.set(label, key);
    checkRuleShape(rule, where, name.column === everyColumn);
    if (name.column === everyColumn) tables.set(table, rule);
    else columns.push({ table, column: name.column, label, rule });
  }
  return { columns, tables };
}

function checkRuleShape(rule: Transform, where: string, tableWide: boolean): void {
  if (tableWide && (rule.transform !== "keep" || rule.containsPersonalData !== undefined)) {
    throw new Refusal(`${where}: a table-wide rule can only keep (table.*: keep); give other transforms, and acknowledgements, column by column`);
  }
  if (rule.transform === "keep" && (rule.containsPersonalData === undefined) !== (rule.reason === undefined)) {
    throw new Refusal(`${where}: an acknowledgement is containsPersonalData: false with a reason: { transform: keep, containsPersonalData: false, reason: "..." }`);
  }
  if (rule.transform === "json") {
    const paths = Object.keys(rule.paths);
    if (paths.length === 0) throw new Refusal(`${where}: a json transform needs paths: { transform: json, paths: { $.contact.email: email } }`);
    for (const path of paths) parseJsonPath(path, `${where}: paths`);
  }
}

export type { PathTransform };

function tableOrRefuse(schema: SchemaModel, key: string, where: string): TableModel {
  const table = findTable(schema, key);
  if (!table) {
    const folded = schema.tables.find((t) => keyOf(t).toLowerCase() === key.toLowerCase());
    const hint = folded ? ` (there is ${keyOf(folded)}: a name with capitals is written in double quotes)` : "";
    throw new Refusal(`${where}: no table ${key} in the source's schema${hint}`);
  }
  if (table.partitionOf) {
    throw new Refusal(`${where}: ${key} is a partition of ${keyOf(storedTable(schema, table))}: name the partitioned table (its rows are its partitions')`);
  }
  return table;
}

export function columnOrRefuse(table: TableModel, name: string, where: string): ColumnModel {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Refusal(`${where}: no column ${formatIdentifier(name)} in the table ${keyOf(table)}`);
  return column;
}

/**
 * A root's `orderBy` as SQL, checked against its table; ties broken by the primary key, so a
 * plan is reproducible. Columns are qualified with `alias` (an output column of the same name
 * would win over a bare one).
 */
export function orderByClause(root: Root, table: TableModel, shown: string, alias = "r"): string {
  const where = `${shown}: roots: ${root.table}: orderBy`;
  const terms = (root.orderBy ?? "").split(",").filter((term) => term.trim() !== "");
  const sql = terms.map((term) => {
    const match = /^\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*(asc|desc)?\s*(nulls\s+(?:first|last))?\s*$/i.exec(term);
    if (!match) throw new Refusal(`${where}: "${term.trim()}" is not "column [asc|desc] [nulls first|last]"`);
    const column = columnOrRefuse(table, match[1]?.replace(/""/g, '"') ?? match[2].toLowerCase(), where);
    return [`${alias}.${quoteIdent(column.name)}`, match[3]?.toUpperCase(), match[4]?.toUpperCase().replace(/\s+/, " ")].filter(Boolean).join(" ");
  });
  const primaryKey = table.constraints.find((constraint) => constraint.type === "p");
  const tieBreak = primaryKey ? primaryKey.columns.map((column) => `${alias}.${quoteIdent(column)}`) : [`${alias}.ctid`];
  return [...sql, ...tieBreak].join(", ");
}

/** The stored tables a subset copies (by key): the roots and every table they reference, transitively. */
export function copiedTables(rules: Rules, schema: SchemaModel, shown: string): Set<string> {
  const copied = new Set<string>();
  const pending = rules.roots.map((root) => keyOf(tableOrRefuse(schema, root.table, `${shown}: roots`)));
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (copied.has(key)) continue;
    copied.add(key);
    for (const foreignKey of storedForeignKeys(schema, findTable(schema, key)!)) {
      const referenced = findTable(schema, foreignKey.references.table);
      if (referenced) pending.push(keyOf(storedTable(schema, referenced)));
    }
  }
  return copied;
}

/** Every rule names a table and column of the source. */
export function checkRuleNames(rules: Rules, schema: SchemaModel, shown: string): void {
  for (const root of rules.roots) orderByClause(root, tableOrRefuse(schema, root.table, `${shown}: roots`), shown);
  for (const rule of rules.columns) columnOrRefuse(tableOrRefuse(schema, rule.table, `${shown}: columns: ${rule.label}`), rule.column, `${shown}: columns: ${rule.label}`);
  for (const table of rules.tables.keys()) tableOrRefuse(schema, table, `${shown}: columns: ${table}.*`);
}
