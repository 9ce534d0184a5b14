// Where a command reads and writes, decided in a fixed order: the target's stack first (a
// production target is refused before the Pulumi CLI runs and before any connection), then
// the source's (production needs --yes), then the URLs (from the options or from the
// stacks' databaseUrl outputs), then "is the target the source?".
import { Refusal } from "./errors";
import { sourceProductionReason, stackDatabaseUrl, targetProductionReason } from "./stacks";
import { type Endpoint, parseDatabaseUrl, refuseSameDatabase } from "./urls";

export interface SideOptions {
  from?: string;
  fromUrl?: string;
  fromStack?: string;
  to?: string;
  toUrl?: string;
  toStack?: string;
  yes?: boolean;
  /** The folder of the stack files (Pulumi.<stack>.yaml), where pulumi runs. */
  cwd: string;
}

export type PostgresEndpoint = Extract<Endpoint, { kind: "postgres" }>;

/** The target's stack name; refuses a production one. Touches no database and runs no CLI. */
export function guardTarget(options: SideOptions): string {
  if (options.to !== undefined && (options.toUrl !== undefined || options.toStack !== undefined)) {
    throw new Refusal("give the target either as --to <stack> or as --to-url <url> with --to-stack <stack>, not both");
  }
  if (options.to === undefined && options.toUrl === undefined) throw new Refusal("no target: give --to <stack>, or --to-url <url> with --to-stack <stack>");
  if (options.toUrl !== undefined && options.toStack === undefined) {
    throw new Refusal("--to-url needs --to-stack <stack>: the stack the target database belongs to, so the production guard applies");
  }
  const stack = (options.to ?? options.toStack)!;
  const reason = targetProductionReason(stack, options.cwd);
  if (reason) throw new Refusal(`refusing to write to the stack ${stack}: it is production (${reason}); data flows from production down, never into it`);
  return stack;
}

/** The source's stack name (undefined for an unnamed URL); refuses production without --yes. */
export function guardSource(options: SideOptions): string | undefined {
  if (options.from !== undefined && (options.fromUrl !== undefined || options.fromStack !== undefined)) {
    throw new Refusal("give the source either as --from <stack> or as --from-url <url> (with --from-stack <stack>), not both");
  }
  if (options.from === undefined && options.fromUrl === undefined) throw new Refusal("no source: give --from <stack> or --from-url <url>");
  const stack = options.from ?? options.fromStack;
  if (stack === undefined) {
    if (!options.yes) throw new Refusal("--from-url names no stack, so it may be production: name it with --from-stack <stack>, or pass --yes to confirm you are authorised to read it");
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

async function endpointOf(stack: string | undefined, url: string | undefined, option: string, cwd: string): Promise<Endpoint> {
  return parseDatabaseUrl(url ?? (await stackDatabaseUrl(stack!, cwd)), url !== undefined ? option : `the databaseUrl output of ${stack}`);
}

/** Where a stack's task mounts its SQLite volume (EFS): stacks/tradingBot.ts's sqliteMountPath. */
const taskVolumeFolder = "/data/";

/** The target's endpoint; a SQLite file that a stack output places inside its task is out of reach from here. */
async function targetEndpoint(options: SideOptions): Promise<Endpoint> {
  const target = await endpointOf(options.to, options.toUrl, "--to-url", options.cwd);
  if (options.toUrl === undefined && target.kind === "sqlite" && target.file.startsWith(taskVolumeFolder)) {
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
export async function resolveSourceAndTarget(options: SideOptions): Promise<{ source: PostgresEndpoint; target: Endpoint }> {
  guardTarget(options);
  guardSource(options);
  const target = await targetEndpoint(options);
  const source = requirePostgres(await endpointOf(options.from, options.fromUrl, "--from-url", options.cwd), "source");
  refuseSameDatabase(source, target);
  return { source, target };
}

/** Guards the target, then resolves its URL (seed has no source). */
export async function resolveTarget(options: SideOptions): Promise<Endpoint> {
  guardTarget(options);
  return targetEndpoint(options);
}
