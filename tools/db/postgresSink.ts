// A PostgreSQL target: everything in one transaction, so an interrupted run (a kill, a lost
// connection, a failed constraint) leaves the target as it was. An advisory lock keeps two
// runs into one database from interleaving, and the emptiness check runs under it.
import type { Client } from "pg";
import { postgresHoldsObjects } from "./catalog";
import { constraintStatements, dropEverythingQuery, runStatements, sequenceResetStatements, tableStatements } from "./ddlPostgres";
import { Refusal } from "./errors";
import { connectPostgres, type Row } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { keyOf, quoteIdent, schemaName, sqlName } from "./schemaModel";
import type { RowSink } from "./sink";
import type { Endpoint } from "./urls";

/** pg_advisory_xact_lock key of the db tool's writes ("tbdb" in ASCII). */
const writeLockKey = 0x74626462;

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
    // Names resolve as the source's catalog printed them (public unqualified); function bodies are checked when they run, as pg_dump does.
    await this.client.query("SET LOCAL search_path = public; SET LOCAL check_function_bodies = false");
    await this.client.query("SELECT pg_advisory_xact_lock($1)", [writeLockKey]);
    if (await postgresHoldsObjects(this.client)) {
      if (!replace) throw new Refusal(`the target ${this.shown} is not empty (it holds tables, views, sequences or types): pass --replace to drop them and copy anew`);
      const { rows } = await this.client.query<{ statement: string }>(dropEverythingQuery, [schemaName]);
      for (const { statement } of rows) await this.client.query(statement);
    }
    await runStatements(this.client, tableStatements(schema));
    return { notes: [] };
  }

  /**
   * One statement and one parameter per batch: the rows as a JSON array, turned back into rows
   * by json_populate_recordset, each value through its column type's own input function (the
   * text the source printed). Far fewer round trips and parses than a VALUES list per row.
   */
  async writeRows(table: TableModel, rows: Row[]): Promise<void> {
    const columns = this.columnsToWrite(table);
    const names = columns.map((column) => JSON.stringify(column.name));
    const rawJson = columns.map((column) => column.typeName === "json" || column.typeName === "jsonb");
    const objects = rows.map((row) => `{${row.map((value, i) => `${names[i]}:${value === null ? "null" : rawJson[i] ? value : JSON.stringify(value)}`).join(",")}}`);
    await this.client!.query(this.insertStatement(table, columns), [`[${objects.join(",")}]`]);
  }

  private insertStatement(table: TableModel, columns: ColumnModel[]): string {
    let text = this.insertText.get(keyOf(table));
    if (!text) {
      const overriding = columns.some((column) => column.identity?.always) ? " OVERRIDING SYSTEM VALUE" : "";
      const list = columns.map((column) => quoteIdent(column.name)).join(", ");
      const relation = sqlName(table);
      text = `INSERT INTO ${relation} (${list})${overriding} SELECT ${list} FROM json_populate_recordset(NULL::${relation}, $1::json)`;
      this.insertText.set(keyOf(table), text);
    }
    return text;
  }

  async complete(): Promise<void> {
    const client = this.client!;
    await runStatements(client, [...constraintStatements(this.schema!), ...sequenceResetStatements(this.schema!)]);
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
