// The transform of every copied column: the rules file's, carried along foreign keys (a
// transform on a key column applies to every column that references it, so joins still
// join), checked against each column's type and constraints, and refused when a column that
// looks sensitive has none.
import { type Transform, renderedLength } from "./anonymise";
import { Refusal } from "./errors";
import type { Rules } from "./rules";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { foreignKeys } from "./schemaModel";

/** Transforms by `table.column`. */
export type ColumnRules = Map<string, Transform>;

const sensitiveWords = ["email", "name", "handle", "phone", "address", "key", "secret", "token", "password", "passphrase", "credential", "card", "iban", "birth"];

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

/** Carries each referenced column's transform to the columns that reference it, to a fixed point. */
function propagateAlongKeys(explicit: ColumnRules, schema: SchemaModel, copied: ReadonlySet<string>, shown: string): ColumnRules {
  const rules = new Map(explicit);
  for (let changed = true; changed; ) {
    changed = false;
    for (const table of schema.tables.filter((t) => copied.has(t.name))) {
      for (const key of foreignKeys(table)) {
        key.columns.forEach((column, i) => {
          const child = `${table.name}.${column}`;
          const parent = `${key.references.table}.${key.references.columns[i]}`;
          const parentRule = rules.get(parent);
          const childRule = rules.get(child);
          if (parentRule && parentRule.transform !== "keep") {
            if (childRule && !sameRule(childRule, parentRule)) {
              throw new Refusal(`${shown}: columns: ${child} references ${parent}, which has another rule: a key column's rule applies to the columns that reference it; remove the rule of ${child}`);
            }
            if (!childRule) {
              rules.set(child, parentRule);
              changed = true;
            }
          } else if (childRule && childRule.transform !== "keep") {
            throw new Refusal(`${shown}: columns: ${child} references ${parent}, which keeps its values: put the rule on ${parent} (it applies to every column that references it)`);
          }
        });
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
function checkFits(table: TableModel, column: ColumnModel, rule: Transform, shown: string): void {
  const where = `${shown}: columns: ${table.name}.${column.name}`;
  if ((rule.transform === "pseudonym" || rule.transform === "email") && column.category !== "S") {
    throw new Refusal(`${where}: ${rule.transform} writes text, but the column is ${column.type}`);
  }
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

function suggestedRule(column: ColumnModel): string {
  if (column.category === "S") {
    return /mail/i.test(column.name) ? "{ transform: email }" : `{ transform: pseudonym, prefix: ${column.name.toLowerCase()}_ }`;
  }
  return column.notNull ? `{ transform: constant, value: <a ${column.type} value> }` : `{ transform: "null" }`;
}

export interface ResolveOptions {
  strict: boolean;
  /** The rules file as named in messages. */
  shown: string;
}

/** The checked transform of every copied column that has one; refuses unruled sensitive columns (all unruled with `strict`). */
export function resolveColumnRules(rules: Rules, schema: SchemaModel, copied: ReadonlySet<string>, options: ResolveOptions): ColumnRules {
  const resolved = propagateAlongKeys(new Map(Object.entries(rules.columns) as [string, Transform][]), schema, copied, options.shown);
  const copiedColumns = schema.tables.filter((table) => copied.has(table.name)).flatMap((table) => table.columns.map((column) => ({ table, column })));
  const explicit = (table: TableModel, column: ColumnModel) => `${table.name}.${column.name}` in rules.columns;
  // The file's own rules first: a problem is named where it was written, not where a key carried it.
  for (const { table, column } of [...copiedColumns.filter((c) => explicit(c.table, c.column)), ...copiedColumns.filter((c) => !explicit(c.table, c.column))]) {
    const rule = resolved.get(`${table.name}.${column.name}`);
    if (rule) checkFits(table, column, rule, options.shown);
  }
  const missing = copiedColumns
    .filter(({ table, column }) => !resolved.has(`${table.name}.${column.name}`) && (options.strict || looksSensitive(column.name)))
    .map(({ table, column }) => `  ${table.name}.${column.name}: ${suggestedRule(column)}`);
  if (missing.length > 0) {
    const why = options.strict ? "have no rule and --strict asks for one on every copied column" : "look sensitive and have no rule";
    throw new Refusal(`refusing to copy: ${missing.length} copied column${missing.length === 1 ? "" : "s"} ${why}; add under columns: in ${options.shown}:\n${missing.sort().join("\n")}`);
  }
  return resolved;
}
