// Where a command reads and writes, decided in a fixed order: the target's stack first (a
// production target is refused before the Pulumi CLI runs and before any connection), then
// the source's (production needs --yes), then the URLs (from the options, from environment
// variables, or from the stacks' databaseUrl outputs), then "is the target the source?": by
// URL, then (both PostgreSQL) by asking each server which database it is.
import { Refusal } from "./errors";
import { connectPostgres, serverIdentity } from "./postgresSource";
import { sourceProductionReason, stackDatabaseUrl, targetProductionReason } from "./stacks";
import { type Endpoint, parseDatabaseUrl, refuseSameDatabase } from "./urls";

export interface SideOptions {
  from?: string;
  fromUrl?: string;
  /** The name of an environment variable holding the source URL (a secret never on a command line). */
  fromEnv?: string;
  fromStack?: string;
  to?: string;
  toUrl?: string;
  /** The name of an environment variable holding the target URL. */
  toEnv?: string;
  toStack?: string;
  yes?: boolean;
  /** The folder of the stack files (Pulumi.<stack>.yaml), where pulumi runs. */
  cwd: string;
}

export type PostgresEndpoint = Extract<Endpoint, { kind: "postgres" }>;

/** The target's stack name; refuses a production one. Touches no database and runs no CLI. */
export function guardTarget(options: SideOptions): string {
  const byUrl = options.toUrl !== undefined || options.toEnv !== undefined;
  if (options.to !== undefined && (byUrl || options.toStack !== undefined)) {
    throw new Refusal("give the target either as --to <stack> or as --to-url <url> (or --to-env <variable>) with --to-stack <stack>, not both");
  }
  if (options.toUrl !== undefined && options.toEnv !== undefined) throw new Refusal("give the target's URL either with --to-url or with --to-env, not both");
  if (options.to === undefined && !byUrl) throw new Refusal("no target: give --to <stack>, or --to-url <url> (or --to-env <variable>) with --to-stack <stack>");
  if (byUrl && options.toStack === undefined) {
    const option = options.toUrl !== undefined ? "--to-url" : "--to-env";
    throw new Refusal(`${option} needs --to-stack <stack>: the stack the target database belongs to, so the production guard applies`);
  }
  const stack = (options.to ?? options.toStack)!;
  const reason = targetProductionReason(stack, options.cwd);
  if (reason) throw new Refusal(`refusing to write to the stack ${stack}: it is production (${reason}); data flows from production down, never into it`);
  return stack;
}

/** The source's stack name (undefined for an unnamed URL); refuses production without --yes. */
export function guardSource(options: SideOptions): string | undefined {
  const byUrl = options.fromUrl !== undefined || options.fromEnv !== undefined;
  if (options.from !== undefined && (byUrl || options.fromStack !== undefined)) {
    throw new Refusal("give the source either as --from <stack> or as --from-url <url> / --from-env <variable> (with --from-stack <stack>), not both");
  }
  if (options.fromUrl !== undefined && options.fromEnv !== undefined) throw new Refusal("give the source's URL either with --from-url or with --from-env, not both");
  if (options.from === undefined && !byUrl) throw new Refusal("no source: give --from <stack>, --from-url <url> or --from-env <variable>");
  const stack = options.from ?? options.fromStack;
  if (stack === undefined) {
    const option = options.fromUrl !== undefined ? "--from-url" : "--from-env";
    if (!options.yes) throw new Refusal(`${option} names no stack, so it may be production: name it with --from-stack <stack>, or pass --yes to confirm you are authorised to read it`);
    return undefined;
  }
  const production = sourceProductionReason(stack, options.cwd);
  if (!production) return stack;
  const status = `${production.certain ? "is" : "may be"} production (${production.reason})`;
  if (!options.yes) throw new Refusal(`the source stack ${stack} ${status}: pass --yes to confirm you are authorised to copy from it`);
  const what = production.certain ? `the production stack ${stack}` : `the stack ${stack}, which may be production`;
  process.stderr.write(`db: reading from ${what} (--yes given)\n`);
  return stack;
}

/** The URL held by an environment variable; refused (naming the variable, never the value) when unset or empty. */
export function urlFromEnvironment(variable: string, option: string, environment: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new Refusal(`${option}: ${JSON.stringify(variable)} is not the name of an environment variable`);
  const value = environment[variable];
  if (value === undefined || value === "") throw new Refusal(`${option} ${variable}: the environment variable ${variable} is not set or empty`);
  return value;
}

interface Side {
  stack?: string;
  url?: string;
  env?: string;
}

async function endpointOf(side: Side, role: "from" | "to", cwd: string): Promise<Endpoint> {
  if (side.url !== undefined) return parseDatabaseUrl(side.url, `--${role}-url`);
  // A URL from the environment or from a stack output is a secret: messages never quote it.
  if (side.env !== undefined) return parseDatabaseUrl(urlFromEnvironment(side.env, `--${role}-env`), `--${role}-env ${side.env}`, { secret: true });
  return parseDatabaseUrl(await stackDatabaseUrl(side.stack!, cwd), `the databaseUrl output of ${side.stack}`, { secret: true });
}

const sourceSide = (options: SideOptions): Side => ({ stack: options.from, url: options.fromUrl, env: options.fromEnv });
const targetSide = (options: SideOptions): Side => ({ stack: options.to, url: options.toUrl, env: options.toEnv });

/** Where a stack's task mounts its SQLite volume (EFS): stacks/tradingBot.ts's sqliteMountPath. */
const taskVolumeFolder = "/data/";

/** The target's endpoint; a SQLite file that a stack output (--to) places inside its task is out of reach from here. */
async function targetEndpoint(options: SideOptions): Promise<Endpoint> {
  const target = await endpointOf(targetSide(options), "to", options.cwd);
  if (options.to !== undefined && target.kind === "sqlite" && target.file.startsWith(taskVolumeFolder)) {
    throw new Refusal(
      `${options.to}'s database is a SQLite file inside its task (${target.file} on EFS); run the tool there (the env-sync workflow's data sync) or give --to-url`,
    );
  }
  return target;
}

export function requirePostgres(endpoint: Endpoint, role: string): PostgresEndpoint {
  if (endpoint.kind !== "postgres") throw new Refusal(`the ${role} must be PostgreSQL; ${endpoint.shown} is SQLite`);
  return endpoint;
}

/** Guards both sides, then resolves their URLs; the source is always PostgreSQL. */
export async function resolveSourceAndTarget(options: SideOptions): Promise<{ sourceStack: string | undefined; source: PostgresEndpoint; target: Endpoint }> {
  guardTarget(options);
  const sourceStack = guardSource(options);
  const target = await targetEndpoint(options);
  const source = requirePostgres(await endpointOf(sourceSide(options), "from", options.cwd), "source");
  refuseSameDatabase(source, target);
  if (target.kind === "postgres") await refuseSameServer(source, target);
  return { sourceStack, source, target };
}

async function identityOf(endpoint: PostgresEndpoint): Promise<string> {
  const client = await connectPostgres(endpoint, "trading-bot db (guard)");
  try {
    return await serverIdentity(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Two URLs the text check cannot tell apart as one (a DNS alias, an IP address of the server) are one database when the servers say so. */
async function refuseSameServer(source: PostgresEndpoint, target: PostgresEndpoint): Promise<void> {
  // One at a time, each closed before anything else opens: no snapshot is held yet.
  const sourceIdentity = await identityOf(source);
  if ((await identityOf(target)) === sourceIdentity) {
    throw new Refusal(`the target ${target.shown} is the source's database under another name: refusing to write a database onto itself`);
  }
}

/** Guards the target, then resolves its URL (seed and import have no source). */
export async function resolveTarget(options: SideOptions): Promise<Endpoint> {
  guardTarget(options);
  return targetEndpoint(options);
}

/** Guards the source, then resolves its URL (export has no target database); always PostgreSQL. */
export async function resolveSource(options: SideOptions): Promise<{ stack: string | undefined; source: PostgresEndpoint }> {
  const stack = guardSource(options);
  return { stack, source: requirePostgres(await endpointOf(sourceSide(options), "from", options.cwd), "source") };
}
