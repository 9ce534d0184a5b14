// Database URLs: the PostgreSQL forms pg accepts and the app's SQLite form. Parsed once, so
// that "is the target the source?" compares what the URLs point at, not how they are spelt.
import * as fs from "node:fs";
import * as path from "node:path";
import { insidePulumiFolder, pulumiFileNamePattern, pulumiFileNamesShown, pulumiFolderShown } from "../../stack-files/src/stackFile";
import { Refusal } from "./errors";

export type Endpoint =
  | {
      kind: "postgres";
      /** The URL as given: holds the password, never printed. */
      url: string;
      /** host:port/database, lower-cased host, default port, loopback spelt one way. */
      identity: string;
      /** The URL without its password, for messages. */
      shown: string;
    }
  | {
      kind: "sqlite";
      /** The absolute path of the file, through symbolic links when it exists. */
      file: string;
      identity: string;
      shown: string;
    };

const loopbackNames = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const defaultPostgresPort = "5432";

/**
 * `postgres://` / `postgresql://` (with any query pg accepts) or `sqlite:////abs/file.db` /
 * `sqlite:///relative.db`. A `secret` text (from the environment, a stack output) is never
 * quoted in a message, only its scheme.
 */
export function parseDatabaseUrl(text: string, option: string, { secret = false }: { secret?: boolean } = {}): Endpoint {
  if (/^sqlite:\/\/\//i.test(text)) return parseSqliteUrl(text, option);
  if (/^postgres(ql)?:\/\//i.test(text)) return parsePostgresUrl(text, option);
  throw new Refusal(`${option}: ${describeUnknownUrl(text, secret)} is not a database URL: use postgres://, postgresql:// or sqlite:////absolute/path.db`);
}

function describeUnknownUrl(text: string, secret: boolean): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  if (scheme) return `a ${scheme}: URL`;
  return secret ? "the value" : JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

function parsePostgresUrl(text: string, option: string): Endpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Refusal(`${option}: the PostgreSQL URL cannot be parsed`);
  }
  // pg takes a socket folder or host from ?host= over the authority part.
  const rawHost = url.searchParams.get("host") ?? decodeURIComponent(url.hostname);
  const host = loopbackNames.has(rawHost.toLowerCase()) ? "localhost" : rawHost.toLowerCase().replace(/\/+$/, "");
  const port = url.port || url.searchParams.get("port") || defaultPostgresPort;
  const user = decodeURIComponent(url.username);
  // pg connects to the database named like the user when the URL names none.
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, "")) || user;
  const shownUrl = new URL(text);
  if (shownUrl.password) shownUrl.password = "***";
  if (shownUrl.searchParams.has("password")) shownUrl.searchParams.set("password", "***");
  return { kind: "postgres", url: text, identity: `postgres:${host}:${port}/${database}`, shown: shownUrl.toString() };
}


function parseSqliteUrl(text: string, option: string): Endpoint {
  // sqlite:////abs/path -> /abs/path; sqlite:///relative.db -> relative.db (from the working folder).
  const rest = decodeURIComponent(text.replace(/^sqlite:\/\/\//i, "").replace(/\?.*$/, ""));
  if (rest === "" || rest.endsWith("/")) throw new Refusal(`${option}: the SQLite URL names no file`);
  const file = resolveFile(path.resolve(rest));
  // By the name given and the name it resolves to: a link named like a stack file, or to one.
  for (const name of new Set([path.basename(rest), path.basename(file)])) {
    if (pulumiFileNamePattern.test(name)) throw new Refusal(`${option}: ${name} is named like a file the Pulumi CLI reads (${pulumiFileNamesShown}): such a file is never used as a database`);
  }
  if (insidePulumiFolder(rest) || insidePulumiFolder(file)) throw new Refusal(`${option}: ${path.resolve(rest)} is inside ${pulumiFolderShown}: a database is never written there`);
  return { kind: "sqlite", file, identity: `sqlite:${fileIdentity(file)}`, shown: `sqlite:///${file}` };
}

/** The real path of a file, or of its folder when the file does not exist yet. */
function resolveFile(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return file;
    }
  }
}

/** Device and inode when the file exists (two hard links are one file), else its path. */
function fileIdentity(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return file;
  }
}

/** Refuses a target that is the source, however the two URLs are spelt. */
export function refuseSameDatabase(source: Endpoint, target: Endpoint): void {
  if (source.identity === target.identity) {
    throw new Refusal(`the target is the source (${target.shown}): refusing to write a database onto itself`);
  }
}
