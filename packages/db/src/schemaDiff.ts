// How a target's schema differs from the source's: one line per difference. A PostgreSQL
// target is compared catalog to catalog; a SQLite target with what the translation of the
// source's schema (ddlSqlite.ts) says it should hold.
import type { SqliteTableShape } from "./ddlSqlite";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { keyOf } from "./schemaModel";

const show = (value: unknown) => (value === undefined ? "none" : typeof value === "string" ? value : JSON.stringify(value));

/** Compares two lists of named things; `describe` gives what must be equal. */
function compareNamed<T extends { name: string }>(where: string, kind: string, source: T[], target: T[], describe: (item: T) => unknown): string[] {
  const problems: string[] = [];
  const targetByName = new Map(target.map((item) => [item.name, item]));
  for (const item of source) {
    const other = targetByName.get(item.name);
    if (!other) problems.push(`${where}${kind} ${item.name}: missing in the target`);
    else if (JSON.stringify(describe(item)) !== JSON.stringify(describe(other))) {
      problems.push(`${where}${kind} ${item.name}: ${show(describe(item))} in the source, ${show(describe(other))} in the target`);
    }
  }
  const sourceNames = new Set(source.map((item) => item.name));
  for (const item of target) if (!sourceNames.has(item.name)) problems.push(`${where}${kind} ${item.name}: in the target only`);
  return problems;
}

/** Objects named by their keys (`trading.venues`), so that two schemas' objects of one name stay apart. */
const byKey = <T extends { schema: string; name: string }>(items: T[], suffix: (item: T) => string = () => "") =>
  items.map((item) => ({ ...item, name: `${keyOf(item)}${suffix(item)}` }));

const describeColumn = (column: ColumnModel) => ({
  type: column.type,
  notNull: column.notNull,
  default: column.default,
  identity: column.identity && { ...column.identity },
  generated: column.generated,
});

function compareTable(source: TableModel, target: TableModel): string[] {
  const where = `${keyOf(source)}: `;
  const order = (table: TableModel) => table.columns.map((column) => column.name).join(", ");
  const shape = (table: TableModel) => ({ partitionKey: table.partitionKey, partitionOf: table.partitionOf, unlogged: table.unlogged });
  return [
    ...compareNamed(where, "column", source.columns, target.columns, describeColumn),
    ...(order(source) === order(target) ? [] : [`${where}column order ${order(source)} in the source, ${order(target)} in the target`]),
    ...(JSON.stringify(shape(source)) === JSON.stringify(shape(target)) ? [] : [`${where}${show(shape(source))} in the source, ${show(shape(target))} in the target`]),
    ...compareNamed(where, "constraint", source.constraints, target.constraints, (c) => [c.definition, c.attachTo]),
    ...compareNamed(where, "index", source.indexes, target.indexes, (index) => [index.definition, index.attachTo]),
    ...compareNamed(where, "trigger", source.triggers ?? [], target.triggers ?? [], (trigger) => trigger.definition),
  ];
}

/** Differences between two PostgreSQL schemas read from their catalogs. */
export function compareSchemas(source: SchemaModel, target: SchemaModel): string[] {
  const targetTables = new Map(target.tables.map((table) => [keyOf(table), table]));
  const names = (schemas: string[]) => schemas.map((name) => ({ name }));
  return [
    ...compareNamed("", "schema", names(source.schemas), names(target.schemas), () => null),
    ...compareNamed("", "extension", source.extensions, target.extensions, (extension) => extension.schema),
    ...compareNamed("", "type", byKey(source.types), byKey(target.types), (type) => JSON.stringify({ ...type, name: undefined, requires: undefined })),
    ...compareNamed("", "function", byKey(source.functions, (fn) => `(${fn.arguments})`), byKey(target.functions, (fn) => `(${fn.arguments})`), (fn) => fn.definition),
    ...compareNamed("", "sequence", byKey(source.sequences), byKey(target.sequences), (sequence) => ({ ...sequence, name: undefined })),
    ...compareNamed("", "table", byKey(source.tables), byKey(target.tables), () => null),
    ...source.tables.flatMap((table) => (targetTables.has(keyOf(table)) ? compareTable(table, targetTables.get(keyOf(table))!) : [])),
    ...compareNamed("", "view", byKey(source.views), byKey(target.views), (view) => [view.materialized, view.definition, view.options, view.indexes]),
  ];
}

/** A SQLite table as its PRAGMAs describe it. */
export interface SqliteActualTable {
  name: string;
  columns: { name: string; type: string; notnull: number }[];
  foreignKeys: { id: number; seq: number; table: string; from: string; to: string; on_delete: string }[];
  indexes: { name: string; origin: string }[];
}

function foreignKeysOf(table: SqliteActualTable): SqliteTableShape["foreignKeys"] {
  const byId = new Map<number, SqliteTableShape["foreignKeys"][number]>();
  for (const row of [...table.foreignKeys].sort((a, b) => a.id - b.id || a.seq - b.seq)) {
    const key = byId.get(row.id) ?? { columns: [], table: row.table, referenced: [], onDelete: row.on_delete };
    key.columns.push(row.from);
    key.referenced.push(row.to);
    byId.set(row.id, key);
  }
  return [...byId.values()];
}

const sortedJson = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort();

/** Differences between the expected translation of the source's schema and a SQLite file. */
export function compareSqliteShapes(expected: SqliteTableShape[], actual: SqliteActualTable[]): string[] {
  const actualShapes = actual.map(
    (table): SqliteTableShape => ({
      name: table.name,
      columns: table.columns.map((column) => ({ name: column.name, type: column.type, notNull: column.notnull === 1 })),
      foreignKeys: foreignKeysOf(table),
      indexes: table.indexes.filter((index) => index.origin === "c").map((index) => index.name),
    }),
  );
  const actualByName = new Map(actualShapes.map((table) => [table.name, table]));
  const problems = compareNamed("", "table", expected, actualShapes, () => null);
  for (const table of expected) {
    const other = actualByName.get(table.name);
    if (!other) continue;
    problems.push(...compareNamed(`${table.name}: `, "column", table.columns, other.columns, (column) => ({ type: column.type, notNull: column.notNull })));
    if (JSON.stringify(sortedJson(table.foreignKeys)) !== JSON.stringify(sortedJson(other.foreignKeys))) {
      problems.push(`${table.name}: foreign keys ${sortedJson(table.foreignKeys).join(" ")} in the source, ${sortedJson(other.foreignKeys).join(" ")} in the target`);
    }
    problems.push(...compareNamed(`${table.name}: `, "index", table.indexes.map((name) => ({ name })), other.indexes.map((name) => ({ name })), () => null));
  }
  return problems;
}
