// Real databases for the db tool's tests: PGlite (a real PostgreSQL build) served over the
// wire protocol by pglite-socket, so the tool's pg path is the one used against RDS (each a
// database as initdb left it: see pglitePool.ts); or,
// with TEST_DATABASE_URL, a fresh database on that server per call, dropped afterwards.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { readSchema } from "../src/catalog";
import { main } from "../src/index";
import { giveBack, takeDatabase } from "./pglitePool";

export const serverUrl = process.env.TEST_DATABASE_URL;
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** A URL as the tool prints it: the password replaced by ***. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

export interface TestDatabase {
  url: string;
  /** The URL as the tool prints it. */
  shown: string;
  /** A client on the database; the caller ends it. */
  connect(): Promise<Client>;
  /** Runs SQL on a short-lived connection and returns the rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function withDatabase(url: string, drop: () => Promise<void>): TestDatabase {
  const connect = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    return client;
  };
  return {
    url,
    shown: shownUrl(url),
    connect,
    async query<T>(sql: string, params: unknown[] = []) {
      const client = await connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    drop,
  };
}

let counter = 0;

/**
 * DROP DATABASE ... WITH (FORCE) as the test role. An autovacuum worker analysing freshly loaded
 * tables belongs to no role the test role may signal (before PostgreSQL 18's
 * pg_signal_autovacuum_worker), so FORCE fails with 42501 while one is there: try again until
 * it has gone (it takes well under the 5 s allowed).
 */
async function dropServerDatabase(server: string, name: string): Promise<void> {
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "42501" || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database. */
export async function createDatabase(): Promise<TestDatabase> {
  if (serverUrl) {
    const name = `tbdb_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return withDatabase(url.toString(), () => dropServerDatabase(serverUrl, name));
  }
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await takeDatabase();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 16 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  return withDatabase(`postgresql://postgres@127.0.0.1:${port}/postgres`, async () => {
    await server.stop();
    await giveBack(db);
  });
}

/** The tool's model of `database`'s schema, read as the tool reads it. */
export async function schemaOf(database: TestDatabase) {
  const client = await database.connect();
  try {
    return await readSchema(client);
  } finally {
    await client.end();
  }
}

/** pg_dump, when this machine has one (Debian puts it under /usr/lib/postgresql/<version>/bin). */
export function findPgDump(): string | undefined {
  const onPath = spawnSync("pg_dump", ["--version"]);
  if (onPath.status === 0) return "pg_dump";
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, "bin", "pg_dump")).find((file) => fs.existsSync(file));
}

/** `pg_dump --schema-only` without what differs between two databases by nature (comments, \restrict keys). */
export function schemaDump(pgDump: string, url: string): string {
  const text = execFileSync(pgDump, ["--schema-only", "--no-owner", "--no-privileges", "--dbname", url], { encoding: "utf8" });
  return text
    .split("\n")
    .filter((line) => !line.startsWith("--") && !/^\\(un)?restrict /.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * How long one run of the tool may take in a test: well under mocha's 120 s, so that a run
 * that never ends (a copy blocked on its own source's locks after a missing `await`) fails
 * with a message saying so, instead of a timeout that names no cause.
 */
export const runDbLimitMs = 60_000;

/** `work`'s result, or a rejection naming `what` once `limitMs` has passed (`work` may still be running then). */
export async function withinLimit<T>(work: Promise<T>, what: string, limitMs = runDbLimitMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish in ${limitMs / 1000} s: it waits for something that never comes (a copy blocked on its own source after a missing await?)`)),
      limitMs,
    );
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `npm run db -- <args>` in this process with `env` added to the environment; captures its output. Fails after `runDbLimitMs`. */
export async function runDb(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const output = { stdout: "", stderr: "" };
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);
  const capture = (stream: "stdout" | "stderr") => ((chunk: string | Uint8Array) => {
    output[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  try {
    const code = await withinLimit(main(args, { projectRoot: repoRoot }), `npm run db -- ${args.join(" ")}`);
    return { code, ...output };
  } finally {
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A TCP server that accepts connections and records them: a database the tool must never reach. */
export async function connectionRecorder(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgresql://app:secret@127.0.0.1:${port}/trading`,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A folder with a fake `pulumi` that records its arguments and prints the URL given for the
 * stack in `urls`; put `bin` first on PATH.
 */
export function fakePulumi(urls: Record<string, string>): { bin: string; calls: () => string[][] } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  const bin = path.join(folder, "bin");
  fs.mkdirSync(bin);
  const record = path.join(folder, "calls.jsonl");
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify(args) + "\\n");
const urls = ${JSON.stringify(urls)};
const stack = args[args.indexOf("--stack") + 1];
if (!(stack in urls)) { process.stderr.write("error: no stack named '" + stack + "' found\\n"); process.exit(255); }
process.stdout.write(urls[stack] + "\\n");
`;
  fs.writeFileSync(path.join(bin, "pulumi"), script, { mode: 0o755 });
  return {
    bin,
    calls: () => (fs.existsSync(record) ? fs.readFileSync(record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : []),
  };
}

export function tempFolder(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `db-${label}-`));
}
