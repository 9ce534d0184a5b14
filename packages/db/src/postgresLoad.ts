// How a PostgreSQL target takes rows. COPY ... FROM STDIN (pg-copy-streams), one COPY per
// table kept open across its batches, so the server parses one batch while the source reads
// the next. On PGlite served by pglite-socket, COPY FROM STDIN loses the wire protocol's
// synchronisation (electric-sql/pglite#911), so there rows go in batched INSERTs instead.
// Which one is decided by what the server says it is, never by a setting.
import type { ClientBase } from "pg";
import { type CopyStreamQuery, from as copyFrom } from "pg-copy-streams";
import { copyText } from "./copyFormat";
import type { Row } from "./postgresSource";
import type { ColumnModel, TableModel } from "./schemaModel";
import { quoteIdent, sqlName } from "./schemaModel";

export type LoaderKind = "copy" | "insert";

/**
 * COPY, unless the server's version() says it is PGlite: "PostgreSQL 18.6 (PGlite 0.5.14) on
 * wasm32-unknown-emscripten, compiled by emcc ...". PostgreSQL built for WebAssembly under
 * another name counts as PGlite too.
 */
export function loaderKindFor(serverVersion: string): LoaderKind {
  return /\bPGlite\b|emscripten/i.test(serverVersion) ? "insert" : "copy";
}

export interface TableLoader {
  readonly kind: LoaderKind;
  /** Writes a batch of rows (values as PostgreSQL prints them) into `columns` of `table`. */
  write(table: TableModel, columns: ColumnModel[], rows: Row[]): Promise<void>;
  /** Ends the load under way (the server checks the last rows): before any other statement. */
  finish(): Promise<void>;
  /** Stops the load under way without ending it; the caller rolls the transaction back. */
  cancel(): Promise<void>;
}

/** The loader for the server `client` is connected to (asked once, with version()). */
export async function openLoader(client: ClientBase): Promise<TableLoader> {
  const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
  return loaderKindFor(rows[0].version) === "copy" ? new CopyLoader(client) : new InsertLoader(client);
}

/** `"schema"."table"`: the tables of every schema the copy reads. */
const relation = (table: TableModel): string => sqlName(table);

function columnList(columns: ColumnModel[]): string {
  return columns.map((column) => quoteIdent(column.name)).join(", ");
}

/**
 * One COPY ... FROM STDIN. A write waits while the connection's buffer is full (one batch
 * in memory at a time); the server's error, which may come after later rows were sent, is
 * kept and thrown by the next call.
 */
class CopyIn {
  private readonly stream: CopyStreamQuery;
  private failure: Error | undefined;

  constructor(client: ClientBase, statement: string) {
    this.stream = client.query(copyFrom(statement));
    this.stream.on("error", (error: Error) => (this.failure ??= error));
  }

  async write(text: string): Promise<void> {
    this.throwFailure();
    if (!this.stream.write(text)) await this.until("drain");
  }

  /** CopyDone, then waits until the server has checked and stored every row. */
  async end(): Promise<void> {
    this.throwFailure();
    this.stream.end();
    await this.until("finish");
  }

  /** CopyFail (the server discards the COPY), then waits for the server's answer. */
  async cancel(): Promise<void> {
    // After the server's error the COPY is over and pg-copy-streams has let go of the connection.
    if (this.failure || this.stream.writableFinished) return;
    const closed = this.until("close").catch(() => undefined);
    this.stream.destroy(new Error("the run stopped before the copy ended"));
    await closed;
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure;
  }

  private until(event: "drain" | "finish" | "close"): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        this.stream.off(event, done);
        this.stream.off("error", failed);
        if (error) reject(error);
        else resolve();
      };
      const done = () => settle();
      const failed = (error: Error) => settle(error);
      this.stream.on(event, done);
      if (event !== "close") this.stream.on("error", failed);
    });
  }
}

class CopyLoader implements TableLoader {
  readonly kind = "copy";
  private open: { table: TableModel; copy: CopyIn } | undefined;

  constructor(private readonly client: ClientBase) {}

  async write(table: TableModel, columns: ColumnModel[], rows: Row[]): Promise<void> {
    if (this.open?.table !== table) {
      await this.finish();
      // COPY writes the values given for identity columns, GENERATED ALWAYS included.
      this.open = { table, copy: new CopyIn(this.client, `COPY ${relation(table)} (${columnList(columns)}) FROM STDIN`) };
    }
    await this.open.copy.write(copyText(rows));
  }

  async finish(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.copy.end();
  }

  async cancel(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.copy.cancel();
  }
}

/**
 * One statement and one parameter per batch: the rows as a JSON array, turned back into rows
 * by json_populate_recordset, each value through its column type's own input function (the
 * text the source printed). Far fewer round trips and parses than a VALUES list per row.
 */
class InsertLoader implements TableLoader {
  readonly kind = "insert";
  private readonly statements = new Map<TableModel, string>();

  constructor(private readonly client: ClientBase) {}

  async write(table: TableModel, columns: ColumnModel[], rows: Row[]): Promise<void> {
    const names = columns.map((column) => JSON.stringify(column.name));
    const rawJson = columns.map((column) => column.typeName === "json" || column.typeName === "jsonb");
    const objects = rows.map((row) => `{${row.map((value, i) => `${names[i]}:${value === null ? "null" : rawJson[i] ? value : JSON.stringify(value)}`).join(",")}}`);
    await this.client.query(this.statement(table, columns), [`[${objects.join(",")}]`]);
  }

  private statement(table: TableModel, columns: ColumnModel[]): string {
    let text = this.statements.get(table);
    if (!text) {
      const overriding = columns.some((column) => column.identity?.always) ? " OVERRIDING SYSTEM VALUE" : "";
      const list = columnList(columns);
      text = `INSERT INTO ${relation(table)} (${list})${overriding} SELECT ${list} FROM json_populate_recordset(NULL::${relation(table)}, $1::json)`;
      this.statements.set(table, text);
    }
    return text;
  }

  async finish(): Promise<void> {}

  async cancel(): Promise<void> {}
}
