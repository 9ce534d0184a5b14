// `export`: `subset` (or `schema`) with the same rules, snapshot, fail-closed checks and
// anonymisation, into the files of an export (a new folder or a new S3 prefix) instead of a
// database. What is written: exportFormat.ts. No URL, host or key is in any of it.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExportType } from "./exportFormat";
import { ExportSink } from "./exportSink";
import { type ExportLocation, exportWriter } from "./exportStore";
import type { PostgresEndpoint } from "./guards";
import { copySchema, copySubset } from "./sync";

export interface ExportOptions {
  type: ExportType;
  out: ExportLocation;
  rulesFile: string;
  rulesShown: string;
  /** The source's stack, or null for an unnamed URL (confirmed with --yes). */
  sourceStack: string | null;
  signal: AbortSignal;
  /** Written into the manifest: toolIdentity(). */
  tool: { name: string; version: string };
}

/** The tool's name and version, from the project's package.json (the image has it too). */
export function toolIdentity(projectRoot: string): { name: string; version: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { name: string; version: string };
  return { name: `${manifest.name} db`, version: manifest.version };
}

/** The location is checked (it must hold nothing) before the source is read; a failed export leaves no folder behind. */
export async function exportDatabase(source: PostgresEndpoint, options: ExportOptions): Promise<void> {
  const rulesSha256 = options.type === "subset" ? crypto.createHash("sha256").update(fs.readFileSync(options.rulesFile)).digest("hex") : null;
  const writer = await exportWriter(options.out);
  await writer.open();
  try {
    const sink = new ExportSink(writer, { type: options.type, sourceStack: options.sourceStack, rulesSha256, tool: options.tool }, options.signal);
    if (options.type === "schema") await copySchema(source, sink, { replace: false });
    else await copySubset(source, sink, { rulesFile: options.rulesFile, rulesShown: options.rulesShown, replace: false, signal: options.signal });
  } catch (error) {
    await writer.abort();
    throw error;
  }
  console.log(`Wrote the ${options.type} export ${options.out.shown} (manifest.json last).`);
}
