// The PostgreSQL source: one connection, one read-only REPEATABLE READ transaction for the
// whole run (one consistent snapshot while production keeps writing), rows streamed through
// a cursor in batches as PostgreSQL's own text, never a whole table in memory (one batch in
// hand, the next one on its way).
import { Client, type ClientBase } from "pg";
import Cursor from "pg-cursor";
import { type Catalog, readCatalog } from "./catalog";
import type { Endpoint } from "./urls";
import type { SchemaModel } from "./schemaModel";

/** Every value as the server's text output (or null): no parsing, no precision lost, no time zone shifted. */
export const textTypes = { getTypeParser: () => (value: string) => value };

/**
 * Rows read per round trip (and written per batch). Small enough that a batch of ordinary rows
 * dies in V8's young generation, which --optimize-for-size keeps small (index.ts): with 5,000 a
 * batch outlived it, and the collector's work on the old generation doubled a copy's CPU time.
 */
export const batchRows = 500;

export type Row = (string | null)[];

export interface PostgresSource {
  client: ClientBase;
  schema: SchemaModel;
  /** Objects the tool cannot copy, by object key, with the line saying why. */
  unsupported: Map<string, string>;
  /** Streams the rows of a query in batches; the callback may be async (back-pressure). */
  stream(sql: string, params: unknown[], onBatch: (rows: Row[]) => Promise<void> | void): Promise<number>;
  close(): Promise<void>;
}

export async function connectPostgres(endpoint: Extract<Endpoint, { kind: "postgres" }>, applicationName: string): Promise<Client> {
  const client = new Client({ connectionString: endpoint.url, application_name: applicationName });
  // An error on an idle connection (the server went away) surfaces on the next query instead of crashing the process.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/**
 * The database's name and oid and its server's start time: equal for two connections to one
 * database through different names (a DNS alias, an IP address), different for two servers.
 */
export async function serverIdentity(client: ClientBase): Promise<string> {
  const { rows } = await client.query<{ identity: string }>(
    // to_char, not extract(epoch ...): the same text whatever the session's time zone or extra_float_digits.
    "SELECT concat_ws(' ', current_database(), (SELECT oid FROM pg_database WHERE datname = current_database()), to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')) AS identity",
  );
  return rows[0].identity;
}

/** Catalog text relative to the schema public (objects elsewhere qualified), times in one form: ISO, in UTC. */
async function setSession(client: ClientBase): Promise<void> {
  await client.query("SET LOCAL datestyle = 'ISO, YMD'; SET LOCAL timezone = 'UTC'; SET LOCAL search_path = public");
}

/**
 * Opens the run's snapshot. `check` judges the catalog (refusing what the run cannot copy):
 * first in a short transaction before the snapshot opens, so a refusal comes before any work,
 * then again on the snapshot's own catalog, which is the one the run copies.
 */
export async function openPostgresSource(endpoint: Extract<Endpoint, { kind: "postgres" }>, check?: (catalog: Catalog) => void): Promise<PostgresSource> {
  const client = await connectPostgres(endpoint, "trading-bot db (source)");
  try {
    if (check) {
      await client.query("BEGIN READ ONLY");
      await setSession(client);
      check(await readCatalog(client));
      await client.query("COMMIT");
    }
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await setSession(client);
    const catalog = await readCatalog(client);
    check?.(catalog);
    const { schema, unsupported } = catalog;
    return { client, schema, unsupported, stream: (sql, params, onBatch) => streamRows(client, sql, params, onBatch), close: () => closeSource(client) };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function streamRows(client: ClientBase, sql: string, params: unknown[], onBatch: (rows: Row[]) => Promise<void> | void): Promise<number> {
  const cursor = client.query(new Cursor<Row>(sql, params, { rowMode: "array", types: textTypes }));
  // One batch read ahead: the server sends the next rows while this process writes the last ones.
  const readAhead = () => {
    const rows = cursor.read(batchRows);
    rows.catch(() => undefined); // awaited below, unless onBatch failed first
    return rows;
  };
  let total = 0;
  try {
    for (let next = readAhead(); ; ) {
      const rows = await next;
      if (rows.length === 0) return total;
      next = readAhead();
      total += rows.length;
      await onBatch(rows);
    }
  } finally {
    await cursor.close();
  }
}

async function closeSource(client: Client): Promise<void> {
  try {
    await client.query("ROLLBACK");
  } finally {
    await client.end();
  }
}
