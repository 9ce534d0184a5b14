// A PostgreSQL target: everything in one transaction, so an interrupted run (a kill, a lost
// connection, a failed constraint) leaves the target as it was. An advisory lock keeps two
// runs into one database from interleaving, and the emptiness check runs under it. Rows go
// in with COPY FROM STDIN, or batched INSERTs on PGlite (postgresLoad.ts).
import type { Client } from "pg";
import { postgresHoldsObjects } from "./catalog";
import { constraintStatements, dropEverythingQuery, runStatements, sequenceResetStatements, tableStatements } from "./ddlPostgres";
import { Refusal } from "./errors";
import { type LoaderKind, type TableLoader, openLoader } from "./postgresLoad";
import { connectPostgres, type Row } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { quoteIdent, schemaName } from "./schemaModel";
import type { RowSink } from "./sink";
import type { Endpoint } from "./urls";

/** pg_advisory_xact_lock key of the db tool's writes ("tbdb" in ASCII). */
const writeLockKey = 0x74626462;

export class PostgresSink implements RowSink {
  readonly shown: string;
  private client: Client | undefined;
  private schema: SchemaModel | undefined;
  private loader: TableLoader | undefined;

  constructor(private readonly endpoint: Extract<Endpoint, { kind: "postgres" }>) {
    this.shown = endpoint.shown;
  }

  columnsToWrite(table: TableModel): ColumnModel[] {
    return table.columns.filter((column) => !column.generated);
  }

  selectExpression(column: ColumnModel): string {
    return quoteIdent(column.name);
  }

  async prepare(schema: SchemaModel, { replace }: { replace: boolean }): Promise<{ notes: string[] }> {
    this.schema = schema;
    this.client = await connectPostgres(this.endpoint, "trading-bot db (target)");
    await this.client.query("BEGIN");
    // Names resolve as the source's catalog printed them (public unqualified); function bodies are checked when they run, as pg_dump does.
    await this.client.query("SET LOCAL search_path = public; SET LOCAL check_function_bodies = false");
    await this.client.query("SELECT pg_advisory_xact_lock($1)", [writeLockKey]);
    if (await postgresHoldsObjects(this.client)) {
      if (!replace) throw new Refusal(`the target ${this.shown} is not empty (it holds tables, views, sequences or types): pass --replace to drop them and copy anew`);
      const { rows } = await this.client.query<{ statement: string }>(dropEverythingQuery, [schemaName]);
      for (const { statement } of rows) await this.client.query(statement);
    }
    await runStatements(this.client, tableStatements(schema));
    this.loader = await openLoader(this.client);
    return { notes: [] };
  }

  /** How rows go in: "copy" (COPY FROM STDIN) or "insert" (PGlite); known once prepared. */
  get loading(): LoaderKind | undefined {
    return this.loader?.kind;
  }

  async writeRows(table: TableModel, rows: Row[]): Promise<void> {
    await this.loader!.write(table, this.columnsToWrite(table), rows);
  }

  async complete(): Promise<void> {
    const client = this.client!;
    await this.loader!.finish();
    await runStatements(client, [...constraintStatements(this.schema!), ...sequenceResetStatements(this.schema!)]);
    await client.query("COMMIT");
    this.client = undefined;
    await client.end();
  }

  async abort(): Promise<void> {
    const client = this.client;
    const loader = this.loader;
    this.client = undefined;
    this.loader = undefined;
    if (!client) return;
    await loader?.cancel().catch(() => undefined);
    // Closing the connection without COMMIT rolls back; ROLLBACK first says so explicitly.
    await client.query("ROLLBACK").catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
