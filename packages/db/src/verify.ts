// `verify --type schema|subset`: compares a target with its source. Schema: the same tables,
// columns, types and constraints. Subset: the row counts the run planned (its sync record in
// the target, not a fresh plan: the source keeps changing), no reference in the target to a
// missing row, and no value of an anonymised source column anywhere in the target. Returns
// one line per problem.
import type { Transform } from "./anonymise";
import { resolveColumnRules } from "./columnRules";
import { parseExactJson, parseJsonPath, rewriteDocument } from "./jsonPath";
import { LeakScan } from "./leakScan";
import type { PostgresEndpoint } from "./guards";
import { type PostgresSource, openPostgresSource } from "./postgresSource";
import { checkRuleNames, copiedTables, loadRulesFile } from "./rules";
import { type SchemaModel, columnLabel, findTable, keyOf, quoteIdent, sqlName, storedForeignKeys, storedTable, storedTables } from "./schemaModel";
import { type SyncRecord, readSyncRecord, syncRecordTableName } from "./syncRecord";
import { openTargetReader, type TargetReader } from "./targetReader";
import type { Endpoint } from "./urls";

export type VerifyType = "schema" | "subset";

type LoadedRules = ReturnType<typeof loadRulesFile>;

/** The target's row counts against the ones the run planned and copied (its sync record). */
async function countProblems(target: TargetReader, record: SyncRecord, present: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const [table, count] of Object.entries(record.rowCounts)) {
    if (!present.has(table)) problems.push(`${table}: missing in the target (the run copied ${count} rows)`);
    else {
      const actual = await target.count(table);
      if (actual !== count) problems.push(`${table}: ${actual} rows in the target, the run copied ${count}`);
    }
  }
  return problems;
}

/** What the record says of the run that does not match this verification: other rules, another source stack. */
function recordProblems(record: SyncRecord, options: VerifyOptions, rulesSha256: string): string[] {
  const problems: string[] = [];
  if (record.rulesSha256 !== rulesSha256) {
    problems.push(`${syncRecordTableName}: the run copied with other rules (SHA-256 ${record.rulesSha256.slice(0, 12)}...), not ${options.rulesShown} (${rulesSha256.slice(0, 12)}...)`);
  }
  if (record.sourceStack !== null && options.sourceStack !== undefined && record.sourceStack !== options.sourceStack) {
    problems.push(`${syncRecordTableName}: the run copied from the stack ${record.sourceStack}, not ${options.sourceStack}`);
  }
  return problems;
}

/** References in the target to a missing row, for the copied tables that are present. */
async function danglingProblems(schema: SchemaModel, target: TargetReader, copied: ReadonlySet<string>, present: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const table of storedTables(schema).filter((t) => copied.has(keyOf(t)) && present.has(keyOf(t)))) {
    for (const key of storedForeignKeys(schema, table)) {
      const referenced = findTable(schema, key.references.table);
      const referencedKey = referenced ? keyOf(storedTable(schema, referenced)) : key.references.table;
      if (!present.has(referencedKey)) continue;
      const dangling = await target.dangling({ table: keyOf(table), columns: key.columns, referencedTable: referencedKey, referencedColumns: key.references.columns });
      if (dangling > 0) problems.push(`${keyOf(table)}.${key.columns.join(", ")}: ${dangling} row${dangling === 1 ? " references" : "s reference"} a missing ${referencedKey} row (${key.name})`);
    }
  }
  return problems;
}

/** An import's target against its export: each table's row count as the manifest holds it, and no reference to a missing row. */
export async function importCountProblems(schema: SchemaModel, target: TargetReader, exported: { table: string; count: number }[]): Promise<string[]> {
  const present = new Set(await target.tables());
  // The subset's own record travels with the export; the reader keeps it out of the data tables.
  const tables = exported.filter(({ table }) => table !== syncRecordTableName);
  const problems: string[] = [];
  for (const { table, count } of tables) {
    if (!present.has(table)) problems.push(`${table}: missing in the target (the export holds ${count} rows)`);
    else {
      const actual = await target.count(table);
      if (actual !== count) problems.push(`${table}: ${actual} rows in the target, the export holds ${count}`);
    }
  }
  return [...problems, ...(await danglingProblems(schema, target, new Set(tables.map(({ table }) => table)), present))];
}

/** A changed column of the source: its table, its column, and for a json transform the paths whose values it changed. */
interface ChangedColumn {
  label: string;
  table: string;
  column: string;
  paths?: string[];
}

/** The source values a json transform changed: the values its paths reach, strings as they are, others as JSON text. */
function valuesAtPaths(document: string, paths: string[], add: (value: string) => void): void {
  const rewrites = paths.map((path) => ({
    steps: parseJsonPath(path, "json"),
    replace: (value: ReturnType<typeof parseExactJson>) => {
      if (value !== null) add(typeof value === "string" ? value : JSON.stringify(value));
      return value;
    },
  }));
  rewriteDocument(document, rewrites);
}

/**
 * Source values the rules changed found in the target, whole or inside longer text, by
 * source column and target location. Both sides are compared normalised (Unicode NFC,
 * lower case, trimmed), so a value the target holds changed in case only (a generated
 * lower(...) column) is found too.
 */
async function leakProblems(source: PostgresSource, target: TargetReader, changed: ChangedColumn[]): Promise<string[]> {
  const scan = new LeakScan(changed.map((column) => column.label));
  for (const [index, { table, column, paths }] of changed.entries()) {
    const name = quoteIdent(column);
    const sql = `SELECT DISTINCT ${name}::text FROM ${sqlName(findTable(source.schema, table)!)} WHERE ${name} IS NOT NULL`;
    await source.stream(sql, [], (rows) => {
      for (const [value] of rows) {
        if (paths) valuesAtPaths(value!, paths, (found) => scan.addSourceValue(index, found));
        else scan.addSourceValue(index, value!);
      }
    });
  }
  await target.scanValues((value, where) => scan.scanTargetValue(value, where));
  return scan.problems();
}

/** The copied columns whose values the rules change (a json transform: at its paths): the file's own rules first, in its order. */
function changedColumns(schema: SchemaModel, copied: ReadonlySet<string>, rules: Map<string, Transform>, written: string[]): ChangedColumn[] {
  const changed = storedTables(schema)
    .filter((table) => copied.has(keyOf(table)))
    .flatMap((table) =>
      table.columns.flatMap((column) => {
        const label = columnLabel(table, column.name);
        const rule = rules.get(label);
        if (!rule || rule.transform === "keep") return [];
        return [{ label, table: keyOf(table), column: column.name, ...(rule.transform === "json" ? { paths: Object.keys(rule.paths) } : {}) }];
      }),
    );
  const position = (label: string) => (written.includes(label) ? written.indexOf(label) : written.length);
  return changed.map((column, index) => ({ column, index })).sort((a, b) => position(a.column.label) - position(b.column.label) || a.index - b.index).map(({ column }) => column);
}

export interface VerifyOptions {
  type: VerifyType;
  rulesFile: string;
  rulesShown: string;
  /** The source's stack as given (--from, --from-stack), compared with the sync record's. */
  sourceStack?: string;
}

/** `--type subset`: the sync record's counts, no dangling reference, no source value of an anonymised column. */
async function subsetProblems(source: PostgresSource, target: TargetReader, options: VerifyOptions, rulesFile: LoadedRules): Promise<string[]> {
  const { rules, sha256 } = rulesFile;
  checkRuleNames(rules, source.schema, options.rulesShown);
  const tables = copiedTables(rules, source.schema, options.rulesShown);
  const columnRules = resolveColumnRules(rules, source.schema, tables, { shown: options.rulesShown });
  const present = new Set(await target.tables());
  const recorded = await readSyncRecord(target);
  const recordChecks =
    "problem" in recorded ? [recorded.problem] : [...recordProblems(recorded.record, options, sha256), ...(await countProblems(target, recorded.record, present))];
  const changed = changedColumns(source.schema, tables, columnRules, rules.columns.map((rule) => rule.label));
  return [...recordChecks, ...(await danglingProblems(source.schema, target, tables, present)), ...(await leakProblems(source, target, changed))];
}

export async function verify(sourceEndpoint: PostgresEndpoint, targetEndpoint: Endpoint, options: VerifyOptions): Promise<string[]> {
  // Bad rules are refused before any connection.
  const rulesFile = options.type === "subset" ? loadRulesFile(options.rulesFile, options.rulesShown) : undefined;
  const source = await openPostgresSource(sourceEndpoint);
  try {
    const target = await openTargetReader(targetEndpoint, source.schema);
    try {
      return rulesFile ? await subsetProblems(source, target, options, rulesFile) : await target.schemaProblems(source.schema);
    } finally {
      await target.close();
    }
  } finally {
    await source.close().catch(() => undefined);
  }
}
