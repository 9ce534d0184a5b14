// `import`: an export into PostgreSQL or SQLite, exactly as `subset` (or `schema`) would have
// written it: checked whole first (exportCheck.ts), loaded through the same sinks (one
// transaction, or a SQLite file built beside the target and renamed), then verified against
// the export, since the source is not reachable from the target: the schema, the row counts,
// no reference to a missing row.
import { ChecksFailed, Interrupted } from "./errors";
import { stageExport, gzipLines, type StagedExport } from "./exportCheck";
import { exportedFields, fieldPositions, parseLine } from "./exportFormat";
import { type ExportLocation, exportReader } from "./exportStore";
import { type Row, batchRows } from "./postgresSource";
import { Progress } from "./progress";
import { storedTables } from "./schemaModel";
import type { RowSink } from "./sink";
import { intoSink, sinkFor } from "./sync";
import { syncRecordTableName } from "./syncRecord";
import { openTargetReader } from "./targetReader";
import type { Endpoint } from "./urls";
import { importCountProblems } from "./verify";

export interface ImportOptions {
  replace: boolean;
  /** Aborted by SIGINT / SIGTERM: the load stops between two batches. */
  signal: AbortSignal;
}

/** Streams one table's verified file into the sink, in batches, in the form the sink selects. */
async function loadTable(staged: StagedExport, index: number, sink: RowSink, progress: Progress, signal: AbortSignal): Promise<void> {
  const entry = staged.manifest.tables[index];
  const table = storedTables(staged.schema)[index];
  const width = exportedFields(table).length;
  const positions = fieldPositions(table, sink);
  let batch: Row[] = [];
  const flush = async () => {
    if (signal.aborted) throw new Interrupted("interrupted");
    await sink.writeRows(table, batch);
    progress.add(batch.length);
    batch = [];
  };
  let line = 0;
  for await (const text of gzipLines(staged.pathOf(entry.file))) {
    line++;
    const values = parseLine(text, width, () => `${entry.file}: line ${line}`);
    batch.push(positions.map((position) => values[position]));
    if (batch.length >= batchRows) await flush();
  }
  if (batch.length > 0) await flush();
}

/** The target against the export: its schema, then its row counts and references. */
async function verifyAgainstExport(target: Endpoint, staged: StagedExport): Promise<string[]> {
  const reader = await openTargetReader(target, staged.schema);
  try {
    const problems = await reader.schemaProblems(staged.schema);
    const tables = staged.manifest.tables.map((entry) => ({ table: entry.name, count: entry.rows }));
    return [...problems, ...(await importCountProblems(staged.schema, reader, tables))];
  } finally {
    await reader.close();
  }
}

export async function importExport(location: ExportLocation, target: Endpoint, options: ImportOptions): Promise<void> {
  const staged = await stageExport(await exportReader(location), options.signal);
  try {
    const { manifest } = staged;
    const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
    process.stderr.write(`db: ${location.shown}: manifest.json and its ${manifest.tables.length + 1} files check out (${manifest.type}, ${rows} rows, from ${manifest.source.stack ?? "an unnamed source"} at ${manifest.createdAt})\n`);
    const sink = sinkFor(target);
    await intoSink(sink, staged.schema, options.replace, async () => {
      const progress = new Progress();
      for (const index of manifest.tables.keys()) {
        progress.startTable(manifest.tables[index].name);
        await loadTable(staged, index, sink, progress, options.signal);
        progress.endTable();
      }
    });
    const problems = await verifyAgainstExport(target, staged);
    if (problems.length > 0) throw new ChecksFailed(problems);
    // The subset's record (syncRecord.ts) travels with the data but is not counted as data.
    const data = manifest.tables.filter((table) => table.name !== syncRecordTableName);
    const dataRows = data.reduce((sum, table) => sum + table.rows, 0);
    console.log(`Imported the ${manifest.type} export ${location.shown} into ${sink.shown}: ${data.length} tables, ${dataRows} rows; verified against the export (schema, row counts, references).`);
  } finally {
    staged.remove();
  }
}
