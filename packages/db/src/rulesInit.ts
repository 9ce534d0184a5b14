// `rules --init`: a complete rules file for a source. Every column of every table gets a
// rule: a transform where the column's name or a sample of its values looks personal (marked
// "# review", with why), keep elsewhere; a column that references another table's key follows
// that key's rule, and a generated column needs none (both written as comments). The roots
// suggested are the tables no other table references. No sampled value is ever written: the
// comments give kinds and counts, never a value.
import * as fs from "node:fs";
import { looksSensitive, suggestedRule } from "./columnRules";
import { Refusal } from "./errors";
import { formatIdentifier } from "./names";
import type { PostgresSource } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { columnLabel, findTable, keyOf, storedForeignKeys, storedTable, storedTables } from "./schemaModel";
import { type ColumnFindings, analyse, describeFindings, isJsonColumn, sampleTable, sampledColumnsOf } from "./valueSample";

/** A YAML scalar: plain when YAML reads it back as the same string, single-quoted otherwise. */
export function yamlScalar(text: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_.$ ]*$/.test(text) && !text.endsWith(" ") && !/^(?:true|false|null|yes|no|on|off|~)$/i.test(text) ? text : `'${text.replace(/'/g, "''")}'`;
}

/** The rule a sample's findings suggest for a column, or undefined when they suggest none. */
function ruleFromFindings(column: ColumnModel, result: ColumnFindings | undefined): string | undefined {
  if (!result || result.findings.length === 0) return undefined;
  if (isJsonColumn(column)) {
    const paths = new Map<string, boolean>();
    for (const finding of result.findings) for (const path of finding.paths) paths.set(path, (paths.get(path) ?? true) && finding.kind === "e-mail address");
    if (paths.size === 0) return column.notNull ? "{ transform: constant, value: '{}' }" : `{ transform: "null" }`;
    const entries = [...paths].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, email]) => `${yamlScalar(path)}: ${email ? "email" : `"null"`}`);
    return `{ transform: json, paths: { ${entries.join(", ")} } }`;
  }
  const onlyEmail = result.findings.every((finding) => finding.kind === "e-mail address");
  if (column.category === "S" && onlyEmail && (column.maxLength ?? 64) >= 50) return "{ transform: email }";
  if (!column.notNull) return `{ transform: "null" }`;
  if (column.category === "S") return `{ transform: pseudonym, prefix: ${column.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_ }`;
  return "{ transform: constant, value: '{}' }";
}

function isUnique(table: TableModel, column: string): boolean {
  return table.constraints.some((c) => (c.type === "p" || c.type === "u") && c.columns.includes(column));
}

/** One line for a column: its rule, with why when it is a suggestion; a comment for a key's follower or a generated column. */
function columnLine(schema: SchemaModel, table: TableModel, column: ColumnModel, result: ColumnFindings | undefined): string {
  const label = columnLabel(table, column.name);
  if (column.generated) return `  # ${label}: generated, computed in the target from the copied columns (no rule)`;
  const key = storedForeignKeys(schema, table).find((k) => k.columns.includes(column.name));
  if (key) {
    const referenced = storedTable(schema, findTable(schema, key.references.table)!);
    return `  # ${label}: follows ${columnLabel(referenced, key.references.columns[key.columns.indexOf(column.name)])} (a key column's rule applies to the columns that reference it)`;
  }
  const byValues = ruleFromFindings(column, result);
  const byName = looksSensitive(column.name) ? suggestedRule(column, isUnique(table, column.name)) : undefined;
  // A NOT NULL column of another type than text: only the reader can choose a constant of its type.
  const constantNeeded = byName?.includes("<a ") ? `the name looks personal: a constant of type ${column.type} may be needed` : undefined;
  const why = [constantNeeded ?? (byName ? "the name looks personal" : ""), byValues ? describeFindings(result!, isJsonColumn(column)) : ""].filter(Boolean);
  const rule = byValues ?? (constantNeeded ? undefined : byName) ?? "{ transform: keep }";
  return `  ${yamlScalar(label)}: ${rule}${why.length > 0 ? `  # review: ${why.join("; ")}` : ""}`;
}

/** Tables no other table references: where a subset may start. */
function suggestedRoots(schema: SchemaModel): string[] {
  const referenced = new Set(
    storedTables(schema).flatMap((table) =>
      storedForeignKeys(schema, table)
        .map((key) => keyOf(storedTable(schema, findTable(schema, key.references.table)!)))
        .filter((key) => key !== keyOf(table)),
    ),
  );
  return storedTables(schema)
    .filter((table) => !referenced.has(keyOf(table)))
    .map((table) => {
      const primaryKey = table.constraints.find((c) => c.type === "p");
      const orderBy = primaryKey ? `, orderBy: ${yamlScalar(primaryKey.columns.map((c) => `${formatIdentifier(c)} desc`).join(", "))}` : "";
      return `  - { table: ${yamlScalar(keyOf(table))}${orderBy}, limit: 1000 }`;
    });
}

/** The rules file's text for the source's schema and a sample of its values. */
export async function initialRules(source: PostgresSource): Promise<string> {
  const schema = source.schema;
  const tables = storedTables(schema).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  if (tables.length === 0) throw new Refusal("the source holds no table: there is nothing to write rules for");
  const lines = [
    "# Anonymisation rules for npm run db -- subset (and export, verify), written by npm run db -- rules --init.",
    "# Every column of every table has a rule. \"# review\" marks a suggestion: the column's name, or a",
    "# sample of its values (kinds and counts only; no value is written here), looks personal. Read each",
    "# before a run; the README's section \"The rules file\" says what each transform does.",
    "roots: # review: where a subset starts (here, the tables no other table references); a root's rows",
    "       # and every row they reference are copied",
    ...suggestedRoots(schema),
    "columns:",
  ];
  for (const table of tables) {
    const sampled = await sampleTable(source, table, sampledColumnsOf(schema, table, () => true));
    const results = new Map(sampled.map((column) => [column.column.name, analyse(column, undefined)]));
    lines.push(`  # ${keyOf(table)}`, ...table.columns.map((column) => columnLine(schema, table, column, results.get(column.name))));
  }
  return `${lines.join("\n")}\n`;
}

/** `--out`: a new file; an existing one (or a link) is never written over. */
export function checkRulesOut(file: string, shown: string): void {
  if (fs.lstatSync(file, { throwIfNoEntry: false })) throw new Refusal(`--out ${shown} exists: rules --init writes a new file, never over one`);
}

export function writeRulesOut(file: string, shown: string, text: string): void {
  try {
    fs.writeFileSync(file, text, { flag: "wx", mode: 0o644 });
  } catch (error) {
    throw new Refusal(`--out ${shown}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
