// The export's files: what `export` writes and `import` checks before it loads anything.
//   manifest.json   written last: format, type, source stack, time, tool, rules' hash, and
//                   every other file with its byte size and SHA-256 (tables: their rows too)
//   schema.json     the tool's schema model (schemaModel.ts) of what the export holds
//   NNN-<table>.ndjson.gz   one per table: a JSON array per line, one string or null a field
// A line holds every column of the table as PostgreSQL prints it (the source session prints
// dates in ISO form, in UTC; numerics as written, bytea as \x hex), then, for each column that
// SQLite reads in another form (arrays as JSON, booleans as 0/1), that form: exactly what
// `subset` selects for either kind of target, after the rules' transforms.
import { z } from "zod";
import { Refusal } from "./errors";
import { manifestFile } from "./exportStorage";
import type { RowSink } from "./sink";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { keyOf, quoteIdent, storedTables } from "./schemaModel";
import { sqliteSelectExpression } from "./sqliteSink";

export const formatName = "trading-bot-db-export";
/** 2: schemas, types, functions, partitions and views in schema.json; no generated column in the rows. */
export const formatVersion = 2;
export { manifestFile };
export const schemaFile = "schema.json";
/** A manifest is small (a line per table): anything bigger is not one of ours. */
export const maxManifestBytes = 1024 * 1024;
export const maxSchemaBytes = 16 * 1024 * 1024;

export type ExportType = "subset" | "schema";

/** A file of the export: a plain name inside its folder (no folders, no "..", no backslash). */
const fileName = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "not a plain file name inside the export (no folder, no .., no backslash)")
  .refine((name) => name !== manifestFile, "manifest.json cannot list itself");
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "not a SHA-256 (64 lower-case hex digits)");
const byteCount = z.number().int().nonnegative();

const manifestSchema = z
  .object({
    format: z.literal(formatName),
    formatVersion: z.literal(formatVersion),
    type: z.enum(["subset", "schema"]),
    /** UTC, ISO 8601. */
    createdAt: z.iso.datetime(),
    tool: z.object({ name: z.string(), version: z.string() }).strict(),
    /** The source's stack, or null for an unnamed --from-url / --from-env (confirmed with --yes). */
    source: z.object({ stack: z.string().nullable() }).strict(),
    /** SHA-256 of the rules file a subset was made with; null for a schema export. */
    rulesSha256: sha256Hex.nullable(),
    schema: z.object({ file: fileName, bytes: byteCount, sha256: sha256Hex }).strict(),
    tables: z.array(z.object({ name: z.string().min(1), file: fileName, rows: byteCount, bytes: byteCount, sha256: sha256Hex }).strict()),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestTable = Manifest["tables"][number];

/** `manifest.json: <where>: <what>` for the first problem of a zod result. */
function zodProblem(file: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${file}: ${where}${issue.message}`;
}

/** Parses and checks a manifest's text: its shape, its version, and that it names each file once. */
export function parseManifest(text: string): Manifest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Refusal(`${manifestFile}: not valid JSON`);
  }
  const version = (document as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === "number" && version !== formatVersion) {
    throw new Refusal(`${manifestFile}: format version ${version}; this tool reads version ${formatVersion}`);
  }
  const parsed = manifestSchema.safeParse(document);
  if (!parsed.success) throw new Refusal(zodProblem(manifestFile, parsed.error));
  const manifest = parsed.data;
  const seen = new Set<string>();
  for (const file of [manifest.schema.file, ...manifest.tables.map((table) => table.file)]) {
    if (seen.has(file)) throw new Refusal(`${manifestFile}: ${file} is listed twice`);
    seen.add(file);
  }
  if (manifest.type === "schema" && manifest.tables.length > 0) throw new Refusal(`${manifestFile}: a schema export lists no table files`);
  return manifest;
}

const sequenceOptions = {
  type: z.string(),
  start: z.string(),
  increment: z.string(),
  min: z.string(),
  max: z.string(),
  cache: z.string(),
  cycle: z.boolean(),
};

const named = { schema: z.string().min(1), name: z.string().min(1) };
const requires = z.array(z.string());

const columnSchema = z
  .object({
    name: z.string().min(1),
    type: z.string().min(1),
    typeName: z.string().min(1),
    category: z.string().length(1),
    notNull: z.boolean(),
    default: z.string().optional(),
    sequence: z.string().optional(),
    identity: z.object({ always: z.boolean(), sequence: z.string(), ...sequenceOptions }).strict().optional(),
    generated: z.object({ expression: z.string(), stored: z.boolean() }).strict().optional(),
    maxLength: z.number().int().positive().optional(),
    precision: z.number().int().nonnegative().optional(),
    enumLabels: z.array(z.string()).optional(),
    domain: z.string().optional(),
  })
  .strict();

const constraintSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(["p", "u", "f", "c", "x"]),
    definition: z.string().min(1),
    columns: z.array(z.string()),
    references: z.object({ table: z.string().min(1), columns: z.array(z.string()) }).strict().optional(),
    onDelete: z.string().optional(),
    onUpdate: z.string().optional(),
    attachTo: z.string().optional(),
  })
  .strict();

const indexSchema = z
  .object({
    name: z.string().min(1),
    definition: z.string().min(1),
    unique: z.boolean(),
    columns: z.array(z.object({ name: z.string().nullable(), descending: z.boolean() }).strict()),
    predicate: z.string().optional(),
    attachTo: z.string().optional(),
  })
  .strict();

const tableSchema = z
  .object({
    ...named,
    columns: z.array(columnSchema).min(1),
    constraints: z.array(constraintSchema),
    indexes: z.array(indexSchema),
    unlogged: z.boolean().optional(),
    partitionKey: z.string().optional(),
    partitionOf: z.object({ parent: z.string().min(1), bound: z.string().min(1) }).strict().optional(),
    triggers: z.array(z.object({ name: z.string().min(1), definition: z.string().min(1) }).strict()).optional(),
    requires,
  })
  .strict();

const typeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("enum"), ...named, labels: z.array(z.string()), requires }).strict(),
  z
    .object({
      kind: z.literal("domain"),
      ...named,
      baseType: z.string().min(1),
      notNull: z.boolean(),
      default: z.string().optional(),
      checks: z.array(z.object({ name: z.string().min(1), definition: z.string().min(1) }).strict()),
      requires,
    })
    .strict(),
  z.object({ kind: z.literal("composite"), ...named, attributes: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) }).strict()), requires }).strict(),
]);

const schemaModelSchema = z
  .object({
    schemas: z.array(z.string().min(1)),
    extensions: z.array(z.object({ name: z.string().min(1), schema: z.string().min(1) }).strict()),
    types: z.array(typeSchema),
    functions: z.array(z.object({ ...named, arguments: z.string(), language: z.string().min(1), definition: z.string().min(1), requires }).strict()),
    sequences: z.array(z.object({ ...named, ...sequenceOptions, ownedBy: z.object({ table: z.string(), column: z.string() }).strict().optional() }).strict()),
    tables: z.array(tableSchema),
    views: z.array(
      z.object({ ...named, materialized: z.boolean(), definition: z.string().min(1), options: z.array(z.string()), indexes: z.array(z.string()), requires }).strict(),
    ),
  })
  .strict();

/** Parses schema.json and checks that it describes the tables the manifest lists, in that order. */
export function parseSchemaFile(text: string, manifest: Manifest): SchemaModel {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Refusal(`${manifest.schema.file}: not valid JSON`);
  }
  const parsed = schemaModelSchema.safeParse(document);
  if (!parsed.success) throw new Refusal(zodProblem(manifest.schema.file, parsed.error));
  const schema: SchemaModel = parsed.data;
  if (new Set(schema.tables.map(keyOf)).size !== schema.tables.length) throw new Refusal(`${manifest.schema.file}: a table is described twice`);
  const names = storedTables(schema).map(keyOf);
  if (manifest.type === "subset" && names.join("\n") !== manifest.tables.map((table) => table.name).join("\n")) {
    throw new Refusal(`${manifestFile}: its tables (${manifest.tables.map((t) => t.name).join(", ")}) are not those of ${manifest.schema.file} (${names.join(", ")})`);
  }
  return schema;
}

/** `007-orders.ndjson.gz`: the position keeps names apart, the table's name (made safe) says what it is. */
export function tableFileName(position: number, table: string): string {
  return `${String(position).padStart(3, "0")}-${table.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64)}.ndjson.gz`;
}

export interface ExportedField {
  column: ColumnModel;
  /** The source's SELECT expression that produced the field. */
  expression: string;
}

/**
 * The fields of a table's lines, in order: every column as PostgreSQL prints it, then SQLite's
 * other forms. Generated columns are not in them: the importing side computes them.
 */
export function exportedFields(table: TableModel): ExportedField[] {
  const columns = table.columns.filter((column) => !column.generated);
  const plain = columns.map((column) => ({ column, expression: quoteIdent(column.name) }));
  const sqliteForms = columns
    .map((column) => ({ column, expression: sqliteSelectExpression(column) }))
    .filter(({ column, expression }) => expression !== quoteIdent(column.name));
  return [...plain, ...sqliteForms];
}

/** For each column a sink writes, the position of the field that holds it in the form that sink selects. */
export function fieldPositions(table: TableModel, sink: RowSink): number[] {
  const fields = exportedFields(table);
  return sink.columnsToWrite(table).map((column) => {
    const expression = sink.selectExpression(column);
    const position = fields.findIndex((field) => field.column.name === column.name && field.expression === expression);
    if (position < 0) throw new Error(`the export holds no ${expression} for ${table.name}.${column.name}`);
    return position;
  });
}

/** One line of a table file as its values; refused unless it is a JSON array of `width` strings or nulls. */
export function parseLine(line: string, width: number, where: () => string): (string | null)[] {
  let values: unknown;
  try {
    values = JSON.parse(line);
  } catch {
    throw new Refusal(`${where()}: not a JSON line`);
  }
  if (!Array.isArray(values) || values.length !== width || !values.every((value) => value === null || typeof value === "string")) {
    throw new Refusal(`${where()}: not a row of ${width} strings or nulls`);
  }
  return values as (string | null)[];
}
