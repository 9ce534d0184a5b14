// The transform of every copied column: the rules file's own, a table-wide `table.*: keep`,
// or the one carried along a foreign key (a key column's transform applies to every column
// that references it, so joins still join), checked against each column's type and
// constraints. Privacy by default: a copied column without one stops the run, whatever its
// name; a name that looks personal only changes the suggested line. Generated columns are
// computed in the target from the copied columns: they need no rule, and take no transform.
import { type Transform, renderedLength } from "./anonymise";
import { Refusal } from "./errors";
import type { Rules } from "./rules";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { columnLabel, findTable, keyOf, storedForeignKeys, storedTables } from "./schemaModel";

/** Transforms by column label (`users.email`, `"Customer"."user id"`). */
export type ColumnRules = Map<string, Transform>;

const sensitiveWords = ["mail", "name", "handle", "phone", "mobile", "address", "key", "secret", "token", "password", "passphrase", "credential", "card", "iban", "birth", "passport"];

/** Does a column's name look like it holds personal or secret data? Words of snake_case and camelCase names. */
export function looksSensitive(column: string): boolean {
  const words = column
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word) => /^ip(v[46]|addr[a-z]*)?$/.test(word) || sensitiveWords.some((sensitive) => word.includes(sensitive)));
}

const sameRule = (a: Transform, b: Transform) => JSON.stringify(a) === JSON.stringify(b);

/** The columns of the copied (stored) tables, each with its table. */
function copiedColumns(schema: SchemaModel, copied: ReadonlySet<string>): { table: TableModel; column: ColumnModel; label: string }[] {
  return storedTables(schema)
    .filter((table) => copied.has(keyOf(table)))
    .flatMap((table) => table.columns.map((column) => ({ table, column, label: columnLabel(table, column.name) })));
}

/** Carries each referenced column's transform to the columns that reference it, to a fixed point. */
function propagateAlongKeys(explicit: ColumnRules, schema: SchemaModel, copied: ReadonlySet<string>, shown: string): ColumnRules {
  const rules = new Map(explicit);
  const pairs = [...copied].flatMap((key) => {
    const table = findTable(schema, key)!;
    return storedForeignKeys(schema, table).flatMap((foreignKey) => {
      const referenced = findTable(schema, foreignKey.references.table)!;
      return foreignKey.columns.map((column, i) => ({ child: columnLabel(table, column), parent: columnLabel(referenced, foreignKey.references.columns[i]) }));
    });
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const { child, parent } of pairs) {
      const parentRule = rules.get(parent);
      const childRule = rules.get(child);
      const parentKeeps = !parentRule || parentRule.transform === "keep";
      if (childRule && childRule.transform !== "keep" && parentKeeps) {
        throw new Refusal(`${shown}: columns: ${child} references ${parent}, which keeps its values: put the rule on ${parent} (it applies to every column that references it)`);
      }
      if (childRule && parentRule && !parentKeeps && !sameRule(childRule, parentRule)) {
        throw new Refusal(`${shown}: columns: ${child} references ${parent}, which has another rule: a key column's rule applies to the columns that reference it; remove the rule of ${child}`);
      }
      if (parentRule && !childRule) {
        rules.set(child, parentRule);
        changed = true;
      }
    }
  }
  return rules;
}

function isUniqueKeyColumn(table: TableModel, column: string): string | undefined {
  const constraint = table.constraints.find((c) => (c.type === "p" || c.type === "u") && c.columns.includes(column));
  if (constraint) return constraint.name;
  return table.indexes.find((index) => index.unique && index.columns.some((c) => c.name === column))?.name;
}

const jsonTypes = new Set(["json", "jsonb"]);

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Refuses a transform the column cannot hold (checked here: a copy would fail half way, or later in the app). */
function checkFits(table: TableModel, column: ColumnModel, rule: Transform, where: string): void {
  if (column.generated && rule.transform !== "keep") {
    throw new Refusal(`${where}: a generated column is computed in the target from the copied columns, never copied: give it no rule`);
  }
  if ((rule.transform === "pseudonym" || rule.transform === "email") && column.category !== "S") {
    throw new Refusal(`${where}: ${rule.transform} writes text, but the column is ${column.type}`);
  }
  if (rule.transform === "json" && !jsonTypes.has(column.typeName)) throw new Refusal(`${where}: a json transform needs a json or jsonb column; the column is ${column.type}`);
  if (rule.transform === "null" && column.notNull) throw new Refusal(`${where}: transform "null" on a NOT NULL column`);
  const unique = isUniqueKeyColumn(table, column.name);
  if (rule.transform === "constant" && unique) {
    throw new Refusal(`${where}: a constant in a unique key (${unique}) makes the copied rows collide; use pseudonym`);
  }
  if (rule.transform === "constant" && jsonTypes.has(column.typeName) && !isJsonText(String(rule.value))) {
    throw new Refusal(`${where}: constant ${JSON.stringify(String(rule.value))} is not JSON, but the column is ${column.type}; write the JSON text in quotes (value: '"redacted"', value: '{}')`);
  }
  const length = renderedLength(rule);
  if (column.maxLength !== undefined && length !== undefined && length > column.maxLength) {
    throw new Refusal(`${where}: ${rule.transform} writes ${length} characters, but the column is ${column.type}`);
  }
}

/** A rule for a column without one: a transform when its name looks personal, keep otherwise (then its values are sampled). */
export function suggestedRule(column: ColumnModel, unique: boolean): string {
  if (!looksSensitive(column.name)) return "{ transform: keep }";
  if (column.category === "S") {
    return /mail/i.test(column.name) && (column.maxLength ?? 64) >= 50 ? "{ transform: email }" : `{ transform: pseudonym, prefix: ${column.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_ }`;
  }
  if (!column.notNull) return `{ transform: "null" }`;
  return unique ? "{ transform: keep }" : `{ transform: constant, value: <a ${column.type} value> }`;
}

export interface ResolveOptions {
  /** The rules file as named in messages. */
  shown: string;
}

/** The checked transform of every copied column; refuses a copied column without one (generated columns need none). */
export function resolveColumnRules(rules: Rules, schema: SchemaModel, copied: ReadonlySet<string>, options: ResolveOptions): ColumnRules {
  const explicit: ColumnRules = new Map(rules.columns.map((rule) => [rule.label, rule.rule]));
  const columns = copiedColumns(schema, copied);
  const resolved = propagateAlongKeys(explicit, schema, copied, options.shown);
  // A table-wide rule covers the columns left without one: the column's own and its key's win.
  for (const { table, label } of columns) {
    const tableWide = rules.tables.get(keyOf(table));
    if (!resolved.has(label) && tableWide) resolved.set(label, tableWide);
  }
  // The file's own rules first: a problem is named where it was written, not where a key carried it.
  for (const { table, column, label } of [...columns.filter((c) => explicit.has(c.label)), ...columns.filter((c) => !explicit.has(c.label))]) {
    const rule = resolved.get(label);
    if (rule) checkFits(table, column, rule, `${options.shown}: columns: ${label}`);
  }
  const missing = columns
    .filter(({ column, label }) => !resolved.has(label) && !column.generated)
    .map(({ table, column, label }) => `  ${label}: ${suggestedRule(column, !!isUniqueKeyColumn(table, column.name))}${looksSensitive(column.name) ? "  # the name looks personal" : ""}`);
  if (missing.length > 0) {
    const count = `${missing.length} copied column${missing.length === 1 ? " has" : "s have"} no rule`;
    throw new Refusal(
      `refusing to copy: ${count} (every copied column needs one; npm run db -- rules --init writes a complete file); add under columns: in ${options.shown}:\n${missing.sort().join("\n")}`,
    );
  }
  return resolved;
}
