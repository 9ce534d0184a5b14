// `schema` and `subset`: from a PostgreSQL source's snapshot into a sink (a database, or the
// files of an export), which either completes or is left as it was. A subset also writes its
// record (syncRecord.ts) into the target, in the same transaction or build file.
import { readSyncKey } from "./anonymise";
import { resolveColumnRules } from "./columnRules";
import { copyRows } from "./copy";
import type { PostgresEndpoint } from "./guards";
import { type SubsetPlan, planSubset } from "./plan";
import { type PostgresSource, openPostgresSource } from "./postgresSource";
import { PostgresSink } from "./postgresSink";
import { Progress } from "./progress";
import { checkRuleNames, copiedTables, loadRules, loadRulesFile } from "./rules";
import type { SchemaModel } from "./schemaModel";
import { schemaOfTables } from "./schemaModel";
import type { RowSink } from "./sink";
import { SqliteSink } from "./sqliteSink";
import { syncRecordFormatVersion, withSyncRecordTable, writeSyncRecord } from "./syncRecord";
import type { Endpoint } from "./urls";

export function sinkFor(target: Endpoint): RowSink {
  return target.kind === "postgres" ? new PostgresSink(target) : new SqliteSink(target);
}

/** A database target gets its database's sink; a sink (an export's) is taken as it is. */
function sinkOf(target: Endpoint | RowSink): RowSink {
  return "kind" in target ? sinkFor(target) : target;
}

/** Runs `fill` between prepare and complete; any failure (or interruption) aborts the sink. */
export async function intoSink(sink: RowSink, schema: SchemaModel, replace: boolean, fill: () => Promise<void>): Promise<void> {
  try {
    const { notes } = await sink.prepare(schema, { replace });
    for (const note of notes) process.stderr.write(`db: SQLite cannot hold it as is: ${note}\n`);
    await fill();
    await sink.complete();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

async function withSource<T>(endpoint: PostgresEndpoint, use: (source: PostgresSource) => Promise<T>): Promise<T> {
  const source = await openPostgresSource(endpoint);
  try {
    return await use(source);
  } finally {
    await source.close().catch(() => undefined);
  }
}

export async function copySchema(source: PostgresEndpoint, target: Endpoint | RowSink, options: { replace: boolean }): Promise<void> {
  await withSource(source, async ({ schema }) => {
    const sink = sinkOf(target);
    await intoSink(sink, schema, options.replace, async () => undefined);
    console.log(`Copied the schema of ${schema.tables.length} tables, ${schema.enums.length} enum types and ${schema.sequences.length} sequences into ${sink.shown}.`);
  });
}

export interface SubsetOptions {
  rulesFile: string;
  rulesShown: string;
  strict: boolean;
  replace: boolean;
  signal: AbortSignal;
  /** The source's stack, for the sync record (undefined: a --from-url that named none). */
  sourceStack?: string;
}

/** Every planned row copied, or the run fails (and its target is left as it was). */
function checkCopiedAsPlanned(plan: SubsetPlan, copied: Map<string, number>): void {
  for (const { table, count } of plan.tables) {
    if (copied.get(table) !== count) throw new Error(`${table}: the plan chose ${count} rows, ${copied.get(table) ?? 0} were copied`);
  }
}

/** Refuses bad input that needs no database: the key and the rules file. */
export function checkSubsetInput(options: Pick<SubsetOptions, "rulesFile" | "rulesShown">): void {
  readSyncKey();
  loadRules(options.rulesFile, options.rulesShown);
}

/** The subset of the rules into a database (`subset`) or an export's files (`export`). */
export async function copySubset(source: PostgresEndpoint, target: Endpoint | RowSink, options: SubsetOptions): Promise<Map<string, number>> {
  const key = readSyncKey();
  const { rules, sha256 } = loadRulesFile(options.rulesFile, options.rulesShown);
  return withSource(source, async (from) => {
    checkRuleNames(rules, from.schema, options.rulesShown);
    const tables = copiedTables(rules, from.schema, options.rulesShown);
    // Every check on the rules runs before a row is read.
    const columnRules = resolveColumnRules(rules, from.schema, tables, { strict: options.strict, shown: options.rulesShown });
    const plan = await planSubset(from, rules, tables, options.rulesShown);
    const sink = sinkOf(target);
    let copied = new Map<string, number>();
    await intoSink(sink, withSyncRecordTable(schemaOfTables(from.schema, tables)), options.replace, async () => {
      copied = await copyRows(from, sink, from.schema, plan, { rules: columnRules, key, progress: new Progress(), signal: options.signal });
      checkCopiedAsPlanned(plan, copied);
      const record = { sourceStack: options.sourceStack ?? null, rulesSha256: sha256, syncedAt: new Date().toISOString(), rowCounts: Object.fromEntries(copied) };
      await writeSyncRecord(sink, { formatVersion: syncRecordFormatVersion, ...record });
    });
    const total = [...copied.values()].reduce((sum, n) => sum + n, 0);
    console.log(`Copied ${total} anonymised rows of ${copied.size} tables into ${sink.shown}:`);
    for (const [table, rows] of copied) console.log(`  ${table}: ${rows}`);
    return copied;
  });
}
