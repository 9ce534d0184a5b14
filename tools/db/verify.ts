// `verify --type schema|subset`: compares a target with its source. Schema: the same tables,
// columns, types and constraints. Subset: the row counts the plan chooses, no reference in
// the target to a missing row, and no value of an anonymised source column anywhere in the
// target. Returns one line per problem.
import { resolveColumnRules } from "./columnRules";
import { LeakScan } from "./leakScan";
import type { PostgresEndpoint } from "./guards";
import { planSubset } from "./plan";
import { type PostgresSource, openPostgresSource } from "./postgresSource";
import { checkRuleNames, copiedTables, loadRules } from "./rules";
import { findTable, foreignKeys, quoteIdent, schemaName } from "./schemaModel";
import { openTargetReader, type TargetReader } from "./targetReader";
import type { Endpoint } from "./urls";

export type VerifyType = "schema" | "subset";

async function countProblems(source: PostgresSource, target: TargetReader, plan: Awaited<ReturnType<typeof planSubset>>): Promise<string[]> {
  const present = new Set(await target.tables());
  const problems: string[] = [];
  for (const { table, count } of plan.tables) {
    if (!present.has(table)) problems.push(`${table}: missing in the target (the plan copies ${count} rows)`);
    else {
      const actual = await target.count(table);
      if (actual !== count) problems.push(`${table}: ${actual} rows in the target, the plan chooses ${count}`);
    }
  }
  for (const { table } of plan.tables) {
    if (!present.has(table)) continue;
    for (const key of foreignKeys(findTable(source.schema, table)!)) {
      if (!present.has(key.references.table)) continue;
      const dangling = await target.dangling({ table, columns: key.columns, referencedTable: key.references.table, referencedColumns: key.references.columns });
      if (dangling > 0) problems.push(`${table}.${key.columns.join(", ")}: ${dangling} row${dangling === 1 ? " references" : "s reference"} a missing ${key.references.table} row (${key.name})`);
    }
  }
  return problems;
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
}

export async function verify(sourceEndpoint: PostgresEndpoint, targetEndpoint: Endpoint, options: VerifyOptions): Promise<string[]> {
  const rules = options.type === "subset" ? loadRules(options.rulesFile, options.rulesShown) : undefined;
  const source = await openPostgresSource(sourceEndpoint);
  try {
    const target = await openTargetReader(targetEndpoint);
    try {
      if (!rules) return await target.schemaProblems(source.schema);
      checkRuleNames(rules, source.schema, options.rulesShown);
      const tables = copiedTables(rules, source.schema, options.rulesShown);
      const columnRules = resolveColumnRules(rules, source.schema, tables, { strict: false, shown: options.rulesShown });
      const anonymised = [...columnRules].filter(([column, rule]) => rule.transform !== "keep" && tables.has(column.split(".")[0])).map(([column]) => column);
      const plan = await planSubset(source, rules, tables, options.rulesShown);
      return [...(await countProblems(source, target, plan)), ...(await leakProblems(source, target, anonymised))];
    } finally {
      await target.close();
    }
  } finally {
    await source.close().catch(() => undefined);
  }
}
