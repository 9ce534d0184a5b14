// `verify --type schema|subset`: compares a target with its source. Schema: the same tables,
// columns, types and constraints. Subset: the row counts the run planned (its sync record in
// the target, not a fresh plan: the source keeps changing), no reference in the target to a
// missing row, and no value of an anonymised source column anywhere in the target. Returns
// one line per problem.
import { resolveColumnRules } from "./columnRules";
import { LeakScan } from "./leakScan";
import type { PostgresEndpoint } from "./guards";
import { type PostgresSource, openPostgresSource } from "./postgresSource";
import { checkRuleNames, copiedTables, loadRulesFile } from "./rules";
import { type SchemaModel, foreignKeys, quoteIdent, schemaName } from "./schemaModel";
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
  for (const table of schema.tables.filter((t) => copied.has(t.name) && present.has(t.name))) {
    for (const key of foreignKeys(table)) {
      if (!present.has(key.references.table)) continue;
      const dangling = await target.dangling({ table: table.name, columns: key.columns, referencedTable: key.references.table, referencedColumns: key.references.columns });
      if (dangling > 0) problems.push(`${table.name}.${key.columns.join(", ")}: ${dangling} row${dangling === 1 ? " references" : "s reference"} a missing ${key.references.table} row (${key.name})`);
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

/** Source values of anonymised columns found in the target, whole or inside longer text, by source column and target location. */
async function leakProblems(source: PostgresSource, target: TargetReader, anonymised: string[]): Promise<string[]> {
  const scan = new LeakScan(anonymised);
  for (const [index, column] of anonymised.entries()) {
    const [table, name] = column.split(".");
    const sql = `SELECT DISTINCT ${quoteIdent(name)}::text FROM ${quoteIdent(schemaName)}.${quoteIdent(table)} WHERE ${quoteIdent(name)} IS NOT NULL`;
    await source.stream(sql, [], (rows) => {
      for (const [value] of rows) scan.addSourceValue(index, value!);
    });
  }
  await target.scanValues((value, where) => scan.scanTargetValue(value, where));
  return scan.problems();
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
  const columnRules = resolveColumnRules(rules, source.schema, tables, { strict: false, shown: options.rulesShown });
  const anonymised = [...columnRules].filter(([column, rule]) => rule.transform !== "keep" && tables.has(column.split(".")[0])).map(([column]) => column);
  const present = new Set(await target.tables());
  const recorded = await readSyncRecord(target);
  const recordChecks =
    "problem" in recorded ? [recorded.problem] : [...recordProblems(recorded.record, options, sha256), ...(await countProblems(target, recorded.record, present))];
  return [...recordChecks, ...(await danglingProblems(source.schema, target, tables, present)), ...(await leakProblems(source, target, anonymised))];
}

export async function verify(sourceEndpoint: PostgresEndpoint, targetEndpoint: Endpoint, options: VerifyOptions): Promise<string[]> {
  // Bad rules are refused before any connection.
  const rulesFile = options.type === "subset" ? loadRulesFile(options.rulesFile, options.rulesShown) : undefined;
  const source = await openPostgresSource(sourceEndpoint);
  try {
    const target = await openTargetReader(targetEndpoint);
    try {
      return rulesFile ? await subsetProblems(source, target, options, rulesFile) : await target.schemaProblems(source.schema);
    } finally {
      await target.close();
    }
  } finally {
    await source.close().catch(() => undefined);
  }
}
