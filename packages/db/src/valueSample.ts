// Values, not only names: before a copy, a sample of each kept text-like column (text,
// varchar, char, citext, json/jsonb, arrays of text; through domains) is read from the
// source's snapshot and searched for personal data and secrets (personalData.ts). A kind
// found in at least `minimumMatches` sampled values refuses the copy, naming the column and
// the kind, never a value: a single match among many values is taken for a coincidence (a
// number that passes Luhn, a stray address in a note), two make a pattern. A column whose
// rule acknowledges it (`containsPersonalData: false, reason: ...`) is not sampled; nor are
// columns that reference another table (their values are the referenced key's, sampled
// there) and generated columns (computed in the target). Key columns are sampled for every
// kind but tokens: random identifiers are keys by design.
import type { Transform } from "./anonymise";
import { parseExactJson, parseJsonPath, rewriteDocument, scalarsOf } from "./jsonPath";
import { type Kind, kinds, kindsIn } from "./personalData";
import type { PostgresSource } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { columnLabel, keyOf, quoteIdent, sqlName, storedForeignKeys, storedTables } from "./schemaModel";

/** Values read per column. */
export const sampleSize = 1000;
/** Characters of a value searched (memory and time bounded whatever the source holds). */
export const sampledCharacters = 16384;
/** Rows the sample aims to read from a large table (a Bernoulli sample of this many, expected). */
const sampledRows = 3000;

/** A kind refuses a column when at least this many sampled values hold it (the only value, when the sample holds one). */
export function minimumMatches(sampled: number): number {
  return Math.min(sampled, 2);
}

const textArrays = new Set(["_text", "_varchar", "_bpchar", "_citext", "_name", "_json", "_jsonb"]);
export const isJsonColumn = (column: ColumnModel) => column.typeName === "json" || column.typeName === "jsonb";

/** Is a column's text worth searching: strings, JSON documents, arrays of either? */
export function isTextLike(column: ColumnModel): boolean {
  return column.category === "S" || isJsonColumn(column) || textArrays.has(column.typeName);
}

export interface SampledColumn {
  table: TableModel;
  column: ColumnModel;
  /** `users.email`. */
  label: string;
  /** Up to sampleSize non-null values, as text. */
  values: string[];
  /** Kinds not searched for (tokens, in a key column). */
  skip: Set<Kind>;
}

/** The columns of a table worth sampling: text-like, not referencing another table's key, not generated. */
export function sampledColumnsOf(schema: SchemaModel, table: TableModel, wanted: (column: ColumnModel) => boolean): { column: ColumnModel; skip: Set<Kind> }[] {
  const referencing = new Set(storedForeignKeys(schema, table).flatMap((key) => key.columns));
  const keys = new Set(table.constraints.filter((c) => c.type === "p" || c.type === "u").flatMap((c) => c.columns));
  return table.columns
    .filter((column) => isTextLike(column) && !column.generated && !referencing.has(column.name) && wanted(column))
    .map((column) => ({ column, skip: new Set<Kind>(keys.has(column.name) ? ["token"] : []) }));
}

/** The planner's estimate of a table's rows (its partitions' for a partitioned one); 0 when unknown. */
async function estimatedRows(source: PostgresSource, table: TableModel): Promise<number> {
  const { rows } = await source.client.query<{ estimate: string | null }>(
    "SELECT sum(greatest(c.reltuples, 0))::bigint AS estimate FROM pg_partition_tree($1::regclass) p JOIN pg_class c ON c.oid = p.relid WHERE p.isleaf",
    [sqlName(table)],
  );
  return Number(rows[0]?.estimate ?? 0);
}

/**
 * One Bernoulli sample of the table's rows (REPEATABLE: the same rows for the same table),
 * every wanted column at once; a column still short of values after it (mostly null) is read
 * again alone, its first non-null values.
 */
export async function sampleTable(source: PostgresSource, table: TableModel, columns: { column: ColumnModel; skip: Set<Kind> }[]): Promise<SampledColumn[]> {
  if (columns.length === 0) return [];
  const estimate = await estimatedRows(source, table);
  const percent = estimate > sampledRows ? Math.max(0.0001, (100 * sampledRows) / estimate) : 100;
  const sampling = percent < 100 ? ` TABLESAMPLE BERNOULLI (${percent.toFixed(4)}) REPEATABLE (0)` : "";
  const select = columns.map(({ column }) => `left(${quoteIdent(column.name)}::text, ${sampledCharacters})`).join(", ");
  const sampled = columns.map(({ column, skip }) => ({ table, column, label: columnLabel(table, column.name), values: [] as string[], skip }));
  const limit = percent < 100 ? sampledRows * 2 : sampledRows * 10;
  await source.stream(`SELECT ${select} FROM ${sqlName(table)}${sampling} LIMIT ${limit}`, [], (rows) => {
    for (const row of rows) row.forEach((value, i) => value !== null && sampled[i].values.length < sampleSize && sampled[i].values.push(value));
  });
  for (const column of sampled.filter((c) => c.values.length < sampleSize / 10 && estimate > sampledRows)) {
    const name = quoteIdent(column.column.name);
    await source.stream(`SELECT left(${name}::text, ${sampledCharacters}) FROM ${sqlName(table)} WHERE ${name} IS NOT NULL LIMIT ${sampleSize}`, [], (rows) => {
      column.values = rows.map((row) => row[0]!).concat(column.values).slice(0, sampleSize);
    });
  }
  return sampled;
}

export interface Finding {
  kind: Kind;
  /** Sampled values (documents) holding it. */
  matches: number;
  /** Inside JSON: the paths where it was found (`$.contact.email`, arrays as [*]). */
  paths: string[];
}

export interface ColumnFindings {
  label: string;
  sampled: number;
  findings: Finding[];
  /** A json transform's paths that reached nothing in the sample. */
  unmatchedPaths: string[];
}

/**
 * What the sample of a column holds: the kinds at or above the threshold, and inside JSON
 * where. A json transform's paths are emptied first (what it writes there is not the source's),
 * so what is found is what it leaves.
 */
export function analyse(column: SampledColumn, rule: Transform | undefined): ColumnFindings {
  const counts = new Map<Kind, { matches: number; paths: Set<string> }>();
  const rewrites = rule?.transform === "json" ? Object.keys(rule.paths).map((path) => ({ steps: parseJsonPath(path, column.label), replace: () => null })) : [];
  const reached = rewrites.map(() => 0);
  const json = isJsonColumn(column.column);
  for (const value of column.values) {
    const found = new Map<Kind, Set<string>>();
    const note = (kind: Kind, path: string) => !column.skip.has(kind) && found.set(kind, (found.get(kind) ?? new Set()).add(path));
    const document = json ? parsedDocument(value) : undefined;
    if (document !== undefined) {
      const rewritten = rewrites.length > 0 ? rewriteDocument(value, rewrites) : { text: value, reached: [] };
      rewritten.reached.forEach((n, i) => (reached[i] += n));
      for (const scalar of scalarsOf(parseExactJson(rewritten.text))) for (const kind of kindsIn(scalar.value)) note(kind, scalar.path);
    } else {
      // Text, or a document cut at sampledCharacters: searched as text.
      for (const kind of kindsIn(value)) note(kind, "");
    }
    for (const [kind, paths] of found) {
      const count = counts.get(kind) ?? { matches: 0, paths: new Set<string>() };
      count.matches++;
      for (const path of paths) if (path) count.paths.add(path);
      counts.set(kind, count);
    }
  }
  const threshold = minimumMatches(column.values.length);
  const findings = kinds.flatMap((kind) => {
    const count = counts.get(kind);
    return count && count.matches >= threshold ? [{ kind, matches: count.matches, paths: [...count.paths].sort() }] : [];
  });
  const paths = rule?.transform === "json" ? Object.keys(rule.paths) : [];
  return { label: column.label, sampled: column.values.length, findings, unmatchedPaths: column.values.length > 0 ? paths.filter((_, i) => reached[i] === 0) : [] };
}

function parsedDocument(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    return undefined;
  }
}

/** `e-mail address in 30 of 30 sampled values (at $.contact.email)`. */
export function describeFindings(result: ColumnFindings, json: boolean): string {
  const unit = json ? "documents" : "values";
  return result.findings
    .map(({ kind, matches, paths }) => `${kind} in ${matches} of ${result.sampled} sampled ${unit}${paths.length > 0 ? ` (at ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", ..." : ""})` : ""}`)
    .join("; ");
}

/** Every copied stored table's columns that the rules keep without an acknowledgement, or rewrite by json path. */
export function columnsToCheck(schema: SchemaModel, copied: ReadonlySet<string>, rules: Map<string, Transform>): { table: TableModel; columns: { column: ColumnModel; skip: Set<Kind> }[] }[] {
  return storedTables(schema).filter((table) => copied.has(keyOf(table))).map((table) => {
    const wanted = (column: ColumnModel) => {
      const rule = rules.get(columnLabel(table, column.name));
      return (rule?.transform === "keep" && rule.containsPersonalData === undefined) || rule?.transform === "json";
    };
    return { table, columns: sampledColumnsOf(schema, table, wanted) };
  });
}
