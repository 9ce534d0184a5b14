// A PostgreSQL target: everything in one transaction, so an interrupted run (a kill, a lost
// connection, a failed constraint) leaves the target as it was. An advisory lock keeps two
// runs into one database from interleaving, and the emptiness check runs under it.
import type { Client } from "pg";
import { postgresHoldsObjects } from "./catalog";
import { constraintStatements, dropEverythingQuery, sequenceResetStatements, tableStatements } from "./ddlPostgres";
import { Refusal } from "./errors";
import { connectPostgres, type Row } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { quoteIdent, schemaName } from "./schemaModel";
import type { RowSink } from "./sink";
import type { Endpoint } from "./urls";

/** pg_advisory_xact_lock key of the db tool's writes ("tbdb" in ASCII). */
const writeLockKey = 0x74626462;
/** PostgreSQL takes at most 65535 parameters in one statement. */
const maxParameters = 65535;

export class PostgresSink implements RowSink {
  readonly shown: string;
  private client: Client | undefined;
  private schema: SchemaModel | undefined;
  private readonly insertText = new Map<string, string>();

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
    await this.client.query("SELECT pg_advisory_xact_lock($1)", [writeLockKey]);
    if (await postgresHoldsObjects(this.client)) {
      if (!replace) throw new Refusal(`the target ${this.shown} is not empty (its schema ${schemaName} holds tables or types): pass --replace to drop them and copy anew`);
      const { rows } = await this.client.query<{ statement: string }>(dropEverythingQuery, [schemaName]);
      for (const { statement } of rows) await this.client.query(statement);
    }
    for (const statement of tableStatements(schema)) await this.client.query(statement);
    return { notes: [] };
  }

  async writeRows(table: TableModel, rows: Row[]): Promise<void> {
    const columns = this.columnsToWrite(table);
    const perStatement = Math.max(1, Math.min(1000, Math.floor(maxParameters / Math.max(1, columns.length))));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      await this.client!.query(this.insertStatement(table, columns, chunk.length), chunk.flat());
    }
  }

  private insertStatement(table: TableModel, columns: ColumnModel[], rowCount: number): string {
    const cacheKey = `${table.name}\u0000${rowCount}`;
    const cached = this.insertText.get(cacheKey);
    if (cached) return cached;
    const overriding = columns.some((column) => column.identity?.always) ? " OVERRIDING SYSTEM VALUE" : "";
    const values = Array.from({ length: rowCount }, (_, row) => `(${columns.map((_, i) => `$${row * columns.length + i + 1}`).join(", ")})`);
    const text = `INSERT INTO ${quoteIdent(schemaName)}.${quoteIdent(table.name)} (${columns.map((c) => quoteIdent(c.name)).join(", ")})${overriding} VALUES ${values.join(", ")}`;
    if (this.insertText.size < 64) this.insertText.set(cacheKey, text);
    return text;
  }

  async complete(): Promise<void> {
    const client = this.client!;
    for (const statement of [...constraintStatements(this.schema!), ...sequenceResetStatements(this.schema!)]) await client.query(statement);
    await client.query("COMMIT");
    this.client = undefined;
    await client.end();
  }

  async abort(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // Closing the connection without COMMIT rolls back; ROLLBACK first says so explicitly.
    await client.query("ROLLBACK").catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
