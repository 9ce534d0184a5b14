// `import`'s first step: the whole export is checked before anything is loaded. The listing
// against the manifest (no file missing, none extra, each of its size), then every file copied
// into a private temporary folder while hashed (SHA-256 and size as the manifest says), then
// every table file's lines counted and checked. The load reads those verified copies only, so
// nothing can change between the check and the use (the bucket is unversioned, a folder is
// writable by others): what is loaded is what was checked.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { Interrupted, Refusal } from "./errors";
import { type Manifest, type ManifestTable, exportedFields, manifestFile, maxManifestBytes, maxSchemaBytes, parseLine, parseManifest, parseSchemaFile } from "./exportFormat";
import type { ExportFile, ExportReader } from "./exportStorage";
import { DigestStream } from "./exportStore";
import { type SchemaModel, storedTables } from "./schemaModel";

export interface StagedExport {
  manifest: Manifest;
  schema: SchemaModel;
  /** The verified copy of a file of the export. */
  pathOf(file: string): string;
  /** Removes the temporary folder. */
  remove(): void;
}

/** Reads a small file of the export whole, refusing one longer than `limit` bytes. */
async function readSmall(reader: ExportReader, name: string, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of await reader.open(name)) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) throw new Refusal(`${name}: over ${limit} bytes: not an export's`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The manifest's files against the listing: each present with its size, nothing else there. */
function checkListing(manifest: Manifest, listed: ExportFile[], shown: string): void {
  const sizes = new Map(listed.map((file) => [file.name, file.bytes]));
  const expected = [manifest.schema, ...manifest.tables];
  for (const entry of expected) {
    const bytes = sizes.get(entry.file);
    if (bytes === undefined) throw new Refusal(`${entry.file}: listed in manifest.json but missing from ${shown}`);
    if (bytes !== entry.bytes) throw new Refusal(`${entry.file}: ${bytes} bytes, manifest.json says ${entry.bytes}`);
  }
  const listedInManifest = new Set([manifestFile, ...expected.map((entry) => entry.file)]);
  const extra = listed.find((file) => !listedInManifest.has(file.name));
  if (extra) throw new Refusal(`${extra.name}: in ${shown} but not listed in manifest.json`);
}

/** Copies one file into the private folder, refusing it unless its size and SHA-256 are the manifest's. */
async function copyVerified(reader: ExportReader, entry: { file: string; bytes: number; sha256: string }, into: string): Promise<void> {
  const digest = new DigestStream();
  await pipeline(await reader.open(entry.file), digest, fs.createWriteStream(path.join(into, entry.file), { flags: "wx", mode: 0o600 }));
  if (digest.bytes !== entry.bytes) throw new Refusal(`${entry.file}: ${digest.bytes} bytes read, manifest.json says ${entry.bytes}`);
  if (digest.sha256() !== entry.sha256) throw new Refusal(`${entry.file}: its SHA-256 is not the one in manifest.json (the file was altered or damaged)`);
}

/** The lines of a gzip file, decompressed as they are read. */
export async function* gzipLines(file: string): AsyncGenerator<string> {
  const gunzip = zlib.createGunzip();
  gunzip.setEncoding("utf8");
  // Errors of either stream end the iteration below with that error.
  const done = pipeline(fs.createReadStream(file), gunzip).catch((error) => gunzip.destroy(error));
  let rest = "";
  for await (const chunk of gunzip as AsyncIterable<string>) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    yield* lines;
  }
  await done;
  if (rest !== "") yield rest;
}

/** Every line of a table file is a row of its table, and there are as many as the manifest says. */
async function checkRows(entry: ManifestTable, file: string, width: number): Promise<void> {
  let rows = 0;
  try {
    for await (const line of gzipLines(file)) {
      rows++;
      parseLine(line, width, () => `${entry.file}: line ${rows}`);
    }
  } catch (error) {
    if (error instanceof Refusal) throw error;
    throw new Refusal(`${entry.file}: not a gzip file of lines (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (rows !== entry.rows) throw new Refusal(`${entry.file}: ${rows} rows, manifest.json says ${entry.rows}`);
}

/** Checks the whole export and stages verified copies of its files; refuses (exit 2, one line) at the first problem. */
export async function stageExport(reader: ExportReader, signal: AbortSignal): Promise<StagedExport> {
  const listed = await reader.list();
  const listedManifest = listed.find((file) => file.name === manifestFile);
  if (!listedManifest) throw new Refusal(`${reader.shown}: no manifest.json: the export is incomplete (an export writes it last) or this is no export`);
  if (listedManifest.bytes > maxManifestBytes) throw new Refusal(`${manifestFile}: over ${maxManifestBytes} bytes: not an export's`);
  const manifest = parseManifest(await readSmall(reader, manifestFile, maxManifestBytes));
  if (manifest.schema.bytes > maxSchemaBytes) throw new Refusal(`${manifest.schema.file}: over ${maxSchemaBytes} bytes: not an export's`);
  checkListing(manifest, listed, reader.shown);
  // mkdtemp makes the folder 0700: the verified copies are this process's alone.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "db-import-"));
  const remove = () => fs.rmSync(folder, { recursive: true, force: true });
  try {
    for (const entry of [manifest.schema, ...manifest.tables]) {
      if (signal.aborted) throw new Interrupted("interrupted");
      await copyVerified(reader, entry, folder);
    }
    const schema = parseSchemaFile(fs.readFileSync(path.join(folder, manifest.schema.file), "utf8"), manifest);
    for (const [index, entry] of manifest.tables.entries()) {
      if (signal.aborted) throw new Interrupted("interrupted");
      await checkRows(entry, path.join(folder, entry.file), exportedFields(storedTables(schema)[index]).length);
    }
    return { manifest, schema, pathOf: (file) => path.join(folder, file), remove };
  } catch (error) {
    remove();
    throw error;
  }
}
