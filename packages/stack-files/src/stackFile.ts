// The one reader of stack files (`Pulumi.<stack>.yaml`): the plan, env-sync, promote, stacks
// and the data tool all read through it, and it reads a file the way the Pulumi CLI does, so
// that no tool decides from another reading than the one `pulumi up` deploys:
// - YAML as the CLI's library reads it: a leading byte order mark dropped, `<<` merge keys and
//   aliases applied, `!!binary` decoded to text; duplicate keys, unknown tags and more than one
//   document refused, and wherever the CLI's library (yaml.v3) and the `yaml` package part
//   ways (line breaks only yaml.v3 knows, control characters, keys that are not text, two merge
//   keys, lenient base64: packages/stack-files/src/cliYaml.ts), refused too; text that is not UTF-8 refused;
// - config keys as the CLI parses them: `<ns>:<name>`; the legacy `<ns>:config:<name>` and a key
//   with no namespace (the CLI gives it the project's) mapped to that form, a file that holds two
//   spellings of one key refused (the CLI would keep one of them, at random);
// - `secure:` values as SecretValue (the CLI decrypts them; nothing here can);
// - the file opened first and checked through the open descriptor (a regular file of bounded
//   size; for a file about to be written, also no link and no other name), never blocking on a
//   FIFO, and read no further than the size limit.
// Hostile input is refused with one line: StackFileError. Imports only `yaml` and stacks/'s
// own small modules: the data tool uses it outside this project too.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML, { Document, visit } from "yaml";
import { cliDocumentProblem, cliTextProblem } from "./cliYaml";
import { environmentKey, productionReason, projectName } from "./production";
import { SecretValue } from "./secretValue";
import { stackNameProblem } from "./stackName";
import { markYamlSource } from "./yamlSource";

export class StackFileError extends Error {}

/** The largest stack file read: the committed ones hold about 7 KiB. */
export const stackFileMaxBytes = 1024 * 1024;
/** How many alias expansions a stack file may make (the `yaml` package's own default, explicit). */
export const stackFileMaxAliasCount = 100;

/** A stack file's content as the Pulumi CLI reads it. */
export interface StackFileContent {
  stack: string;
  /** `Pulumi.<stack>.yaml` */
  fileName: string;
  /** Config values by key in the `<ns>:<name>` form; secure values (at the top or inside) as SecretValue. */
  config: Record<string, unknown>;
  /** Keys holding a secure value, at the top or inside. */
  secretKeys: string[];
  /** Keys the file spells otherwise (legacy `<ns>:config:<name>`, or no namespace): current key -> as written. */
  respelledKeys: Record<string, string>;
}

/** A stack file read from disk. */
export interface StackFileRead extends StackFileContent {
  /** Its path. */
  file: string;
  /** Its text exactly as on disk (line endings and byte order mark included). */
  text: string;
  /** fstat of the descriptor it was read through. */
  stat: fs.BigIntStats;
}

/**
 * How a file is opened. `source`: only read, so it may be reached through a link and is judged
 * by its content. `target`: about to be written, so the path itself must be the only name of a
 * regular file (no symbolic link, no hard link).
 */
export type StackFileRole = "source" | "target";

// ---- the project folder ----

/**
 * Names the Pulumi CLI reads in a folder, in every extension it reads (encoding.Exts: .json,
 * .yaml, .yml) and in any case (a disk may ignore case): a project or stack file, a policy
 * pack's, a plugin's. No tool writes anything else under such a name (the plan's --json, the
 * db tool's SQLite target): Pulumi.json, read before Pulumi.yaml, would break every command.
 */
export const pulumiFileNamePattern = /^pulumi(policy|plugin)?(\..+)?\.(json|ya?ml)$/i;

/** How a refusal names what pulumiFileNamePattern matches. */
export const pulumiFileNamesShown = "Pulumi.yaml, Pulumi.json, Pulumi.<stack>.yaml, PulumiPolicy.yaml, any case";

/** Is `file` inside a `.pulumi` folder (any case), where the CLI keeps a file backend's state (`.pulumi/stacks/...`) and its own settings? */
export function insidePulumiFolder(file: string): boolean {
  return path
    .resolve(file)
    .split(path.sep)
    .some((part) => part.toLowerCase() === ".pulumi");
}

/** How a refusal says why nothing is written inside a `.pulumi` folder. */
export const pulumiFolderShown = "a .pulumi folder, where the Pulumi CLI keeps a file backend's state and its own settings";

/**
 * Refuses a folder where the Pulumi CLI would read other stack files than these tools: another
 * project file (the CLI reads Pulumi.json before Pulumi.yaml, and a stack's file then is
 * Pulumi.<stack>.json), a Pulumi.yaml that names another project, moves the stack files
 * (`stackConfigDir`) or gives every stack config of its own (`config`). A folder without
 * Pulumi.yaml (the data tool's -C) has no project file to check.
 */
export function checkProjectFolder(directory: string, project: string = projectName): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch (error) {
    throw new StackFileError(`cannot read the folder ${directory} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const other = entries.find((entry) => /^pulumi\.(json|ya?ml)$/i.test(entry) && entry !== "Pulumi.yaml");
  if (other !== undefined) {
    throw new StackFileError(`${other} in ${directory}: the Pulumi CLI would read it as the project file, and its stack files would not be the ones these tools read; keep Pulumi.yaml only`);
  }
  if (!entries.includes("Pulumi.yaml")) return refuseEnclosingProject(directory);
  const projectFile = parseYaml(readBounded(path.join(directory, "Pulumi.yaml"), "Pulumi.yaml", "source").text, "Pulumi.yaml");
  const body = (projectFile ?? {}) as Record<string, unknown>;
  if (body.name !== project) throw new StackFileError(`Pulumi.yaml names the project ${JSON.stringify(body.name ?? null)}; this program is ${project}`);
  for (const key of ["stackConfigDir", "config"]) {
    if (key in body) {
      throw new StackFileError(`Pulumi.yaml sets ${key}: every stack's settings live in Pulumi.<stack>.yaml beside it, where every tool reads them; remove ${key}`);
    }
  }
}

/** A project file as the CLI looks for one (findProjectInDir): Pulumi.json, .yaml or .yml, not a folder. */
const projectFileNamePattern = /^pulumi\.(json|ya?ml)$/i;

/**
 * The CLI looks for its project file from its working folder upwards (DetectProjectPathFrom):
 * run in a folder without one, it deploys the stacks of the nearest folder above that has one,
 * from that folder's stack files. A folder without Pulumi.yaml is accepted only outside any
 * project (the data tool's image, a folder of copies in /tmp).
 */
function refuseEnclosingProject(directory: string): void {
  const real = fs.realpathSync(directory);
  for (let folder = path.dirname(real); ; folder = path.dirname(folder)) {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      // An unreadable folder: the CLI stops its search there too (a permission error).
      return;
    }
    if (entries.some((entry) => projectFileNamePattern.test(entry.name) && !isFolder(path.join(folder, entry.name)))) {
      throw new StackFileError(`${real} has no Pulumi.yaml but ${folder} above it has: the Pulumi CLI run there reads the stack files of ${folder}, not these; give -C ${folder}`);
    }
    if (folder === path.dirname(folder)) return;
  }
}

function isFolder(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

// ---- opening ----

/** Opens `file` without blocking (a FIFO opens at once) and, for a target, without following a link. */
function openFile(file: string, fileName: string, role: StackFileRole): number {
  const noFollow = role === "target" ? (fs.constants.O_NOFOLLOW ?? 0) : 0;
  try {
    return fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | noFollow);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new StackFileError(`${fileName} does not exist in ${path.dirname(file)}`);
    if (code === "ELOOP" && role === "target") {
      throw new StackFileError(`${fileName} is a symbolic link; a stack file must be a regular file of its own`);
    }
    throw new StackFileError(`${fileName}: cannot open it (${code ?? (error as Error).message})`);
  }
}

/** Checks what the descriptor opened: a regular file, and for a target the path's only name. */
function checkOpened(fd: number, file: string, fileName: string, role: StackFileRole): fs.BigIntStats {
  const stat = fs.fstatSync(fd, { bigint: true });
  if (!stat.isFile()) throw new StackFileError(`${fileName} is not a regular file`);
  if (stat.size > BigInt(stackFileMaxBytes)) throw tooLarge(fileName, Number(stat.size));
  if (role === "target") {
    // The name, checked after the open: had it been swapped for a link in between, O_NOFOLLOW refused it.
    const named = fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
    if (named === undefined || named.dev !== stat.dev || named.ino !== stat.ino) {
      throw new StackFileError(`${fileName} was replaced while it was being read; run again`);
    }
    if (stat.nlink > 1n) {
      throw new StackFileError(`${fileName} has ${stat.nlink} hard links, so another name (maybe a production stack's file) opens the same file; a stack file must have exactly one`);
    }
  }
  return stat;
}

/** UTF-8 as the CLI's library reads it: invalid bytes refused, a byte order mark kept in the text (parsing drops it). */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads at most the size limit through the descriptor: a file that grows after fstat is refused, not read on. */
function readAtMost(fd: number, fileName: string): string {
  const buffer = Buffer.alloc(stackFileMaxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  if (length > stackFileMaxBytes) throw tooLarge(fileName, length);
  try {
    return strictUtf8.decode(buffer.subarray(0, length));
  } catch {
    throw new StackFileError(`${fileName} is not UTF-8 text, which the Pulumi CLI refuses; save it as UTF-8`);
  }
}

function readBounded(file: string, fileName: string, role: StackFileRole): { text: string; stat: fs.BigIntStats } {
  const fd = openFile(file, fileName, role);
  try {
    const stat = checkOpened(fd, file, fileName, role);
    return { text: readAtMost(fd, fileName), stat };
  } finally {
    fs.closeSync(fd);
  }
}

function tooLarge(fileName: string, bytes: number): StackFileError {
  return new StackFileError(`${fileName} is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a stack file may hold at most ${stackFileMaxBytes / 1024 / 1024} MiB`);
}

/**
 * Reads `Pulumi.<stack>.yaml` from `directory` as the Pulumi CLI would, after checking the
 * folder and the file. `project` is the Pulumi project the folder holds (the bootstrap's is
 * another): a key without a namespace is its.
 */
export function readStackFile(directory: string, stack: string, role: StackFileRole = "source", project: string = projectName): StackFileRead {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new StackFileError(nameProblem);
  checkProjectFolder(directory, project);
  const fileName = `Pulumi.${stack}.yaml`;
  const file = path.join(directory, fileName);
  const { text, stat } = readBounded(file, fileName, role);
  return { ...parseStackFile(stack, text, project), file, text, stat };
}

// ---- parsing ----

/** Parses the text of a stack file as the Pulumi CLI does. */
export function parseStackFile(stack: string, text: string, project: string = projectName): StackFileContent {
  const fileName = `Pulumi.${stack}.yaml`;
  if (Buffer.byteLength(text) > stackFileMaxBytes) throw tooLarge(fileName, Buffer.byteLength(text));
  const body = parseYaml(text, fileName);
  if (body === null || body === undefined) return { stack, fileName, config: {}, secretKeys: [], respelledKeys: {} };
  if (typeof body !== "object" || Array.isArray(body)) throw new StackFileError(`${fileName}: a stack file is a mapping with a config key`);
  refuseEscImports(body as Record<string, unknown>, fileName);
  const rawConfig = (body as Record<string, unknown>).config;
  if (rawConfig === null || rawConfig === undefined) return { stack, fileName, config: {}, secretKeys: [], respelledKeys: {} };
  if (typeof rawConfig !== "object" || Array.isArray(rawConfig)) throw new StackFileError(`${fileName}: "config" must be a mapping of keys to values`);
  return { stack, fileName, ...configOf(rawConfig as Record<string, unknown>, fileName, project) };
}

/** The CLI ignores keys it does not know; it reads config from ESC environments too, which nothing offline can. */
function refuseEscImports(body: Record<string, unknown>, fileName: string): void {
  if ("environment" in body) {
    throw new StackFileError(`${fileName}: environment imports Pulumi ESC environments, whose config no tool here can read offline; keep every setting in the stack file`);
  }
}

/** The YAML as plain values the way the CLI's library reads it; one line for anything else. */
function parseYaml(text: string, fileName: string): unknown {
  const textProblem = cliTextProblem(text);
  if (textProblem !== undefined) throw new StackFileError(`${fileName} ${textProblem}`);
  const document = YAML.parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new StackFileError(`${fileName}${line ? ` line ${line}` : ""}: not valid YAML: ${problem.message.split("\n")[0]}`);
  }
  const documentProblem = cliDocumentProblem(document, text);
  if (documentProblem !== undefined) throw new StackFileError(`${fileName} ${documentProblem}`);
  return decodeBinary(toJS(document, fileName), fileName);
}

/** The document as plain values, with aliases limited and `.nan` / `.inf` kept as written. */
function toJS(document: Document, fileName: string): unknown {
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "number" && !Number.isFinite(node.value)) node.value = markYamlSource(node.source ?? String(node.value));
    },
  });
  try {
    return document.toJS({ maxAliasCount: stackFileMaxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new StackFileError(`${fileName}: its YAML aliases expand beyond ${stackFileMaxAliasCount} (an alias bomb, "billion laughs"): write the values out`);
    }
    throw new StackFileError(`${fileName}: not a usable stack file: ${(error as Error).message.split("\n")[0]}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `!!binary` values as the text their bytes hold, as the CLI's library hands them over. */
function decodeBinary(value: unknown, fileName: string): unknown {
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      throw new StackFileError(`${fileName}: a !!binary value is not UTF-8 text; write the value out`);
    }
  }
  if (Array.isArray(value)) return value.map((item) => decodeBinary(item, fileName));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decodeBinary(inner, fileName)]));
}

/**
 * A key as the CLI parses it: `<ns>:<name>`; `<ns>:config:<name>` is its legacy spelling, and a
 * key without a namespace belongs to the project. Anything else the CLI refuses, and so do we.
 */
export function currentKey(key: string, fileName: string, project: string = projectName): string {
  const parts = key.split(":");
  if (parts.length === 1) return `${project}:${key}`;
  if (parts.length === 2) return key;
  if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") return `${parts[0]}:${parts[2]}`;
  throw new StackFileError(`${fileName}: ${key} is not a config key the Pulumi CLI can read; write keys as <namespace>:<name>`);
}

function configOf(raw: Record<string, unknown>, fileName: string, project: string): Omit<StackFileContent, "stack" | "fileName"> {
  const entries: [string, unknown][] = [];
  const writtenAs = new Map<string, string>();
  const respelledKeys: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [written, value] of Object.entries(raw)) {
    const key = currentKey(written, fileName, project);
    const twin = writtenAs.get(key);
    if (twin !== undefined) {
      throw new StackFileError(`${fileName}: ${key} is written twice, as ${twin} and as ${written}; the Pulumi CLI would keep one of them at random: keep one`);
    }
    writtenAs.set(key, written);
    if (written !== key) respelledKeys[key] = written;
    const found = { secure: false };
    entries.push([key, withSecrets(value, { fileName, key, where: key }, found)]);
    if (found.secure) secretKeys.push(key);
  }
  // fromEntries defines each key: `config[key] = ...` would set the prototype for __proto__ and lose the key.
  return { config: Object.fromEntries(entries), secretKeys, respelledKeys };
}

/**
 * The value with each `secure:` entry (at the top or anywhere inside, as Pulumi allows)
 * replaced by a SecretValue. An entry that holds anything but one non-empty string is
 * refused, naming where it is and nothing of what it holds.
 */
function withSecrets(value: unknown, at: { fileName: string; key: string; where: string }, found: { secure: boolean }): unknown {
  if (Array.isArray(value)) return value.map((item, index) => withSecrets(item, { ...at, where: `${at.where}[${index}]` }, found));
  if (value === null || typeof value !== "object") return value;
  if ("secure" in value) {
    const entry = value as Record<string, unknown>;
    if (Object.keys(entry).length !== 1 || typeof entry.secure !== "string" || entry.secure.length === 0) {
      const stack = /^Pulumi\.(.+)\.yaml$/.exec(at.fileName)?.[1];
      const setting = at.where === at.key ? at.key : `--path '${at.where}'`;
      throw new StackFileError(
        `${at.fileName}: ${at.where} has a secure: entry that is not one non-empty string of ciphertext; ` +
          `set it again with: pulumi config set --secret ${setting} <value> --stack ${stack}`,
      );
    }
    found.secure = true;
    return new SecretValue(at.where, createHash("sha256").update(at.where).update("\u0000").update(entry.secure).digest("hex").slice(0, 16));
  }
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withSecrets(inner, { ...at, where: `${at.where}.${name}` }, found)]));
}

// ---- production ----

/** Why the stack of this file is production (packages/stack-files/src/production.ts), or undefined when it is not. */
export function stackFileProductionReason(content: StackFileContent, productionNames?: readonly string[]): string | undefined {
  return productionReason(content.stack, content.config[environmentKey], productionNames, content.respelledKeys[environmentKey]);
}
