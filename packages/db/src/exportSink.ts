// `export`'s sink: the rows `subset` would write into a database go into files instead (the
// format is in exportFormat.ts), one gzip NDJSON file per table streamed to the store as
// batches arrive (one batch in memory at a time), then schema.json, then the manifest, last.
import * as crypto from "node:crypto";
import { once } from "node:events";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { Interrupted } from "./errors";
import { type ExportType, type Manifest, type ManifestTable, exportedFields, formatName, formatVersion, schemaFile, tableFileName } from "./exportFormat";
import type { ExportWriter } from "./exportStorage";
import { DigestStream } from "./exportStore";
import type { Row } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { keyOf, quoteIdent, storedTables } from "./schemaModel";
import type { RowSink } from "./sink";

export interface ExportMetadata {
  type: ExportType;
  /** The source's stack; null for an unnamed URL (confirmed with --yes). */
  sourceStack: string | null;
  /** SHA-256 of the rules file (subset), or null (schema). */
  rulesSha256: string | null;
  tool: { name: string; version: string };
}

/** One table's file: rows -> NDJSON -> gzip -> hash and count -> the store. */
class TableFileWriter {
  rows = 0;
  private readonly gzip = zlib.createGzip();
  private readonly digest = new DigestStream();
  private readonly stored: Promise<void>;

  constructor(
    writer: ExportWriter,
    readonly table: string,
    readonly file: string,
  ) {
    this.gzip.on("error", (error) => this.digest.destroy(error));
    this.stored = writer.put(file, this.gzip.pipe(this.digest));
    // Observed by write() and close(); this keeps an early failure from going unhandled meanwhile.
    this.stored.catch(() => undefined);
  }

  async write(rows: Row[]): Promise<void> {
    this.rows += rows.length;
    let text = "";
    for (const row of rows) text += `${JSON.stringify(row)}\n`;
    if (!this.gzip.write(text)) {
      // Wait for the store to take what is buffered; fail with it if it fails instead.
      await Promise.race([once(this.gzip, "drain"), this.stored.then(() => Promise.reject(new Error(`${this.file}: the store stopped reading`)))]);
    }
  }

  async close(): Promise<ManifestTable> {
    this.gzip.end();
    await this.stored;
    return { name: this.table, file: this.file, rows: this.rows, bytes: this.digest.bytes, sha256: this.digest.sha256() };
  }

  /** Stops the file: the store's write (a file, an upload) fails and lets go of it. */
  destroy(): void {
    this.gzip.destroy(new Error(`${this.file}: the export stopped`));
  }
}

export class ExportSink implements RowSink {
  readonly shown: string;
  private schema: SchemaModel | undefined;
  private current: TableFileWriter | undefined;
  private readonly done = new Map<string, ManifestTable>();
  /** Per table, the columns in line order; a column's SQLite form is a copy, told apart here. */
  private readonly lineColumns = new Map<string, ColumnModel[]>();
  private readonly expressions = new Map<ColumnModel, string>();

  constructor(
    private readonly writer: ExportWriter,
    private readonly metadata: ExportMetadata,
    private readonly signal?: AbortSignal,
  ) {
    this.shown = writer.shown;
  }

  /** Every column as PostgreSQL prints it, then SQLite's other forms: copies with the same name, so the same rule anonymises them. */
  columnsToWrite(table: TableModel): ColumnModel[] {
    let columns = this.lineColumns.get(keyOf(table));
    if (!columns) {
      columns = exportedFields(table).map(({ column, expression }) => {
        if (expression === quoteIdent(column.name)) return column;
        const copy = { ...column };
        this.expressions.set(copy, expression);
        return copy;
      });
      this.lineColumns.set(keyOf(table), columns);
    }
    return columns;
  }

  selectExpression(column: ColumnModel): string {
    return this.expressions.get(column) ?? quoteIdent(column.name);
  }

  /** The writer was opened (its location checked) before the source was read; `replace` does not apply to an export. */
  async prepare(schema: SchemaModel): Promise<{ notes: string[] }> {
    this.schema = schema;
    return { notes: [] };
  }

  async writeRows(table: TableModel, rows: Row[]): Promise<void> {
    if (this.current?.table !== keyOf(table)) this.current = await this.nextFile(keyOf(table));
    await this.current.write(rows);
  }

  /** Closes the file being written and opens the table's own. */
  private async nextFile(table: string): Promise<TableFileWriter> {
    await this.closeCurrent();
    const position = storedTables(this.schema!).findIndex((t) => keyOf(t) === table) + 1;
    return new TableFileWriter(this.writer, table, tableFileName(position, table));
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) this.done.set(current.table, await current.close());
  }

  async complete(): Promise<void> {
    await this.closeCurrent();
    const schema = this.schema!;
    // A table no row was written to still gets its (empty) file.
    if (this.metadata.type === "subset") {
      for (const table of storedTables(schema).filter((t) => !this.done.has(keyOf(t)))) {
        this.current = await this.nextFile(keyOf(table));
        await this.closeCurrent();
      }
    }
    const schemaBytes = Buffer.from(`${JSON.stringify(schema, null, 1)}\n`);
    await this.writer.put(schemaFile, Readable.from([schemaBytes]));
    if (this.signal?.aborted) throw new Interrupted("interrupted");
    const manifest: Manifest = {
      format: formatName,
      formatVersion,
      type: this.metadata.type,
      createdAt: new Date().toISOString(),
      tool: this.metadata.tool,
      source: { stack: this.metadata.sourceStack },
      rulesSha256: this.metadata.rulesSha256,
      schema: { file: schemaFile, bytes: schemaBytes.length, sha256: crypto.createHash("sha256").update(schemaBytes).digest("hex") },
      tables: this.metadata.type === "subset" ? storedTables(schema).map((table) => this.done.get(keyOf(table))!) : [],
    };
    await this.writer.finish(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  }

  async abort(): Promise<void> {
    this.current?.destroy();
    this.current = undefined;
    await this.writer.abort();
  }
}
