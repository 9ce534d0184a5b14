// `schema` and `subset`: from a PostgreSQL source's snapshot into a sink (a database, or the
// files of an export), which either completes or is left as it was. Before the snapshot
// opens, the catalog is judged: an object the tool cannot copy, a rule missing or wrong, a
// generated column SQLite cannot compute, each refused by name; then, inside the snapshot and
// before a row is written, a sample of the kept columns' values (valueSample.ts). A subset
// also writes its record (syncRecord.ts) into the target, in the same transaction or build file.
import { readSyncKey } from "./anonymise";
import type { Catalog } from "./catalog";
import { type ColumnRules, resolveColumnRules } from "./columnRules";
import { copyRows } from "./copy";
import { translateSchema } from "./ddlSqlite";
import { Refusal } from "./errors";
import type { PostgresEndpoint } from "./guards";
import { type SubsetPlan, planSubset } from "./plan";
import { type PostgresSource, openPostgresSource } from "./postgresSource";
import { PostgresSink } from "./postgresSink";
import { Progress } from "./progress";
import { type Rules, checkRuleNames, copiedTables, loadRules, loadRulesFile } from "./rules";
import type { SchemaModel, ViewModel } from "./schemaModel";
import { keyOf, objectKey, requiredObjects, schemaOfTables } from "./schemaModel";
import type { RowSink } from "./sink";
import { SqliteSink, checkSqliteTarget } from "./sqliteSink";
import { syncRecordFormatVersion, withSyncRecordTable, writeSyncRecord } from "./syncRecord";
import type { Endpoint } from "./urls";
import { analyse, columnsToCheck, describeFindings, isJsonColumn, sampleTable } from "./valueSample";

export function sinkFor(target: Endpoint): RowSink {
  return target.kind === "postgres" ? new PostgresSink(target) : new SqliteSink(target);
}

/** A database target gets its database's sink; a sink (an export's) is taken as it is. */
function sinkOf(target: Endpoint | RowSink): RowSink {
  return "kind" in target ? sinkFor(target) : target;
}

/** What a run writes into: SQLite holds less than PostgreSQL; an export holds what either could load. */
const targetKind = (target: Endpoint | RowSink) => ("kind" in target ? target.kind : "export");

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

/** A SQLite target the tool must not write is refused before the source is opened (its sink checks it again). */
function refuseSqliteTarget(target: Endpoint | RowSink, replace: boolean): void {
  if ("kind" in target && target.kind === "sqlite") checkSqliteTarget(target.file, replace);
}

async function withSource<T>(endpoint: PostgresEndpoint, check: (catalog: Catalog) => void, use: (source: PostgresSource) => Promise<T>): Promise<T> {
  const source = await openPostgresSource(endpoint, check);
  try {
    return await use(source);
  } finally {
    await source.close().catch(() => undefined);
  }
}

/** Refuses, one line each, what the tool cannot copy among `keys` (all of it when undefined). */
function refuseUnsupported(catalog: Catalog, keys?: ReadonlySet<string>): void {
  const lines = [...catalog.unsupported].filter(([key]) => !keys || keys.has(key)).map(([, line]) => line);
  if (lines.length > 0) throw new Refusal(`refusing to copy what the tool cannot copy (nothing was written):\n  ${lines.sort().join("\n  ")}`);
}

/** A generated column SQLite cannot compute is refused before any work, by name. */
function refuseForSqlite(schema: SchemaModel, kind: string): void {
  if (kind !== "sqlite") return;
  const { refusals } = translateSchema(schema);
  if (refusals.length > 0) throw new Refusal(`refusing to copy into SQLite (nothing was written):\n  ${refusals.join("\n  ")}`);
}

export async function copySchema(source: PostgresEndpoint, target: Endpoint | RowSink, options: { replace: boolean }): Promise<void> {
  refuseSqliteTarget(target, options.replace);
  const check = (catalog: Catalog) => {
    refuseUnsupported(catalog);
    refuseForSqlite(catalog.schema, targetKind(target));
  };
  await withSource(source, check, async ({ schema }) => {
    const sink = sinkOf(target);
    await intoSink(sink, schema, options.replace, async () => undefined);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const counts = [count(schema.tables.length, "table"), count(schema.types.length, "type"), count(schema.functions.length, "function"), count(schema.sequences.length, "sequence"), count(schema.views.length, "view")];
    console.log(`Copied the schema (${counts.join(", ")}) into ${sink.shown}.`);
  });
}

export interface SubsetOptions {
  rulesFile: string;
  rulesShown: string;
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

/** What a subset copies, judged on a catalog: its tables (by key), its schema, every column's rule, the views it leaves. */
export interface PreparedSubset {
  tables: Set<string>;
  schema: SchemaModel;
  rules: ColumnRules;
  views: ViewModel[];
}

/** Every check on the rules and the objects a subset copies, before a row is read. */
export function prepareSubset(rules: Rules, catalog: Catalog, shown: string, kind: string): PreparedSubset {
  const { schema } = catalog;
  checkRuleNames(rules, schema, shown);
  const tables = copiedTables(rules, schema, shown);
  const restricted = withSyncRecordTable(schemaOfTables(schema, tables));
  refuseUnsupported(catalog, requiredObjects(schema, tables).keys);
  const columnRules = resolveColumnRules(rules, schema, tables, { shown });
  refuseForSqlite(restricted, kind);
  const copiedKeys = new Set(restricted.tables.map((table) => objectKey("table", table.schema, table.name)));
  const views = schema.views.filter((view) => view.requires.some((key) => copiedKeys.has(key)));
  return { tables, schema: restricted, rules: columnRules, views };
}

/** Refuses kept columns whose sampled values look personal, and json paths that reach nothing in the sample. */
export async function refusePersonalValues(source: PostgresSource, prepared: PreparedSubset, shown: string): Promise<void> {
  const started = performance.now();
  const personal: string[] = [];
  const unmatched: string[] = [];
  let sampled = 0;
  for (const { table, columns } of columnsToCheck(source.schema, prepared.tables, prepared.rules)) {
    for (const column of await sampleTable(source, table, columns)) {
      sampled++;
      const result = analyse(column, prepared.rules.get(column.label));
      for (const path of result.unmatchedPaths) unmatched.push(`  ${column.label}: ${path} reaches nothing in ${result.sampled} sampled documents`);
      if (result.findings.length > 0) personal.push(`  ${column.label}: ${describeFindings(result, isJsonColumn(column.column))}`);
    }
  }
  process.stderr.write(`db: sampled ${sampled} kept text columns for personal data in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (unmatched.length > 0) throw new Refusal(`${shown}: json paths that reach nothing in a sample of the source (a misspelt path rewrites nothing):\n${unmatched.join("\n")}`);
  if (personal.length > 0) {
    throw new Refusal(
      `refusing to copy: ${personal.length} kept column${personal.length === 1 ? " holds" : "s hold"} values that look personal, in a sample of the source (values not shown); ` +
        `give each a transform (a json column: { transform: json, paths: { $.contact.email: email } }), or, if they are not personal, ` +
        `acknowledge it: { transform: keep, containsPersonalData: false, reason: "..." }\n${personal.join("\n")}`,
    );
  }
}

/** The subset of the rules into a database (`subset`) or an export's files (`export`). */
export async function copySubset(source: PostgresEndpoint, target: Endpoint | RowSink, options: SubsetOptions): Promise<Map<string, number>> {
  const key = readSyncKey();
  const { rules, sha256 } = loadRulesFile(options.rulesFile, options.rulesShown);
  refuseSqliteTarget(target, options.replace);
  let prepared: PreparedSubset | undefined;
  const check = (catalog: Catalog) => void (prepared = prepareSubset(rules, catalog, options.rulesShown, targetKind(target)));
  return withSource(source, check, async (from) => {
    const { schema, views } = prepared!;
    for (const view of views) process.stderr.write(`db: not copied: ${view.materialized ? "materialized view" : "view"} ${keyOf(view)} (a subset copies tables' rows; schema copies views)\n`);
    await refusePersonalValues(from, prepared!, options.rulesShown);
    const plan = await planSubset(from, rules, prepared!.tables, options.rulesShown);
    const sink = sinkOf(target);
    let copied = new Map<string, number>();
    await intoSink(sink, schema, options.replace, async () => {
      copied = await copyRows(from, sink, from.schema, plan, { rules: prepared!.rules, key, progress: new Progress(), signal: options.signal });
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
