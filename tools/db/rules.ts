// The rules file (data/sync-rules.yaml): which rows to start from, and how every copied
// column is anonymised. Validated with zod, then against the source's schema: an unknown
// table or column is an error naming it, and a copied column that looks sensitive and has
// no rule stops the run before anything is copied (fail closed).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { Refusal } from "./errors";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { findTable, foreignKeys, quoteIdent } from "./schemaModel";

const transformSchema = z.discriminatedUnion("transform", [
  z.object({ transform: z.literal("keep") }).strict(),
  z.object({ transform: z.literal("pseudonym"), prefix: z.string().max(64).default("") }).strict(),
  z.object({ transform: z.literal("email") }).strict(),
  z.object({ transform: z.literal("constant"), value: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ transform: z.literal("null") }).strict(),
]);

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
    columns: z.record(z.string().regex(/^[^.\s]+\.[^.\s]+$/, "write a column as table.column"), transformSchema).default({}),
  })
  .strict();

export type Rules = z.infer<typeof rulesSchema>;
export type Root = Rules["roots"][number];

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

function parseRules(text: string, shown: string): Rules {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) throw new Refusal(`${shown}: not valid YAML: ${document.errors[0].message.split("\n")[0]}`);
  const parsed = rulesSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
    // A bad record key carries the key schema's own message inside.
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new Refusal(`${shown}: ${where}: ${message}${more}`);
  }
  return parsed.data;
}

function tableOrRefuse(schema: SchemaModel, name: string, where: string): TableModel {
  const table = findTable(schema, name);
  if (!table) throw new Refusal(`${where}: no table ${name} in the source's schema`);
  return table;
}

function columnOrRefuse(table: TableModel, name: string, where: string): ColumnModel {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Refusal(`${where}: no column ${name} in the table ${table.name}`);
  return column;
}

/** A root's `orderBy` as SQL, checked against its table; ties broken by the primary key, so a plan is reproducible. */
export function orderByClause(root: Root, table: TableModel, shown: string): string {
  const where = `${shown}: roots: ${root.table}: orderBy`;
  const terms = (root.orderBy ?? "").split(",").filter((term) => term.trim() !== "");
  const sql = terms.map((term) => {
    const match = /^\s*(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*(asc|desc)?\s*(nulls\s+(?:first|last))?\s*$/i.exec(term);
    if (!match) throw new Refusal(`${where}: "${term.trim()}" is not "column [asc|desc] [nulls first|last]"`);
    const column = columnOrRefuse(table, match[1] ?? match[2], where);
    return [quoteIdent(column.name), match[3]?.toUpperCase(), match[4]?.toUpperCase().replace(/\s+/, " ")].filter(Boolean).join(" ");
  });
  const primaryKey = table.constraints.find((constraint) => constraint.type === "p");
  const tieBreak = primaryKey ? primaryKey.columns.map(quoteIdent) : ["ctid"];
  return [...sql, ...tieBreak].join(", ");
}

/** The tables a subset copies: the roots and every table they reference, transitively. */
export function copiedTables(rules: Rules, schema: SchemaModel, shown: string): Set<string> {
  const copied = new Set<string>();
  const pending = rules.roots.map((root) => tableOrRefuse(schema, root.table, `${shown}: roots`).name);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (copied.has(name)) continue;
    copied.add(name);
    for (const key of foreignKeys(findTable(schema, name)!)) pending.push(key.references.table);
  }
  return copied;
}

/** Every rule names a table and column of the source. */
export function checkRuleNames(rules: Rules, schema: SchemaModel, shown: string): void {
  for (const root of rules.roots) orderByClause(root, tableOrRefuse(schema, root.table, `${shown}: roots`), shown);
  for (const key of Object.keys(rules.columns)) {
    const [tableName, columnName] = key.split(".");
    columnOrRefuse(tableOrRefuse(schema, tableName, `${shown}: columns: ${key}`), columnName, `${shown}: columns: ${key}`);
  }
}
