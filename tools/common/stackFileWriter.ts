// The one way tools edit a stack file (env-sync, promote): refuse a target that is, or may be,
// another stack's file; hold a lock for the whole read-modify-write; validate the new content
// before it touches the disk; back the old content up without overwriting any backup; replace
// the file by renaming a synced temporary file over it, so that a kill at any instant leaves
// the old file or the new one. Comments, key order, line endings and mode bits are kept.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { diffLines } from "diff";
import YAML, { Document } from "yaml";
import { StackConfigError, parseStackConfig } from "../../stacks/config";
import { environmentKey, productionReason } from "../../packages/stack-files/src/production";
import { StackFileContent, StackFileError, StackFileRead, StackFileRole, parseStackFile, readStackFile, stackFileProductionReason } from "../../packages/stack-files/src/stackFile";
import { parseProgramConfig, withPlaceholderSecrets } from "../engine/stackFile";
import { syncFolder, writeAllSync } from "./durableWrite";
import { FileLock, LockOptions } from "./fileLock";
import { onInterrupt } from "./interruptCleanup";

/** Refused: exit 2 with the message (one line). Nothing was written. */
export class EditRefused extends Error {}

/** Where the old content goes before a stack file is replaced, under the stack files' folder. */
export const backupFolder = ".pulumi-backups";

/** Which file a path opens: the same device and inode is the same file, whatever its name. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

export const sameFile = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino;

/** A stack file read for editing, with what the production guard needs. */
export interface StackText {
  stack: string;
  fileName: string;
  /** The file's text exactly as on disk (line endings included). */
  text: string;
  /** The text parsed with comments, for editing. */
  document: Document;
  /** The file's `config` as Pulumi reads it (packages/stack-files/src/stackFile.ts): aliases and merge keys applied, keys in the current form. */
  config: Record<string, unknown>;
  /** Keys the file spells otherwise (`<ns>:config:<name>`, no namespace): current key -> as written. */
  respelledKeys: Record<string, string>;
  /** `trading-bot:environment` as Pulumi reads it (undefined when absent, a SecretValue when encrypted). */
  environment: unknown;
  /** Why the stack is production (packages/stack-files/src/production.ts), or undefined. */
  productionReason: string | undefined;
}

/** A target stack file that passed the link and identity checks. */
export interface InspectedTarget extends StackText {
  directory: string;
  file: string;
  /** fstat of the file that was opened and read (the path's only name). */
  stat: fs.BigIntStats;
}

// ---- reading ----

/** Reads through the one stack-file reader; its refusals are this writer's. */
function read(directory: string, stack: string, role: StackFileRole): StackFileRead {
  try {
    return readStackFile(directory, stack, role);
  } catch (error) {
    if (error instanceof StackFileError) throw new EditRefused(error.message);
    throw error;
  }
}

function stackTextOf(file: StackFileContent & { text: string }): StackText {
  return {
    stack: file.stack,
    fileName: file.fileName,
    text: file.text,
    document: YAML.parseDocument(file.text),
    config: file.config,
    respelledKeys: file.respelledKeys,
    environment: file.config[environmentKey],
    productionReason: stackFileProductionReason(file),
  };
}

/** Stack file text as a StackText (tests; the tools read files). Refusals as EditRefused. */
export function parseStackText(stack: string, text: string): StackText {
  try {
    return stackTextOf({ ...parseStackFile(stack, text), text });
  } catch (error) {
    if (error instanceof StackFileError) throw new EditRefused(error.message);
    throw error;
  }
}

function statOrUndefined(file: string, stat: typeof fs.statSync | typeof fs.lstatSync): fs.BigIntStats | undefined {
  try {
    return stat(file, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
}

/** Reads a stack file that is only read (a source): it may be a link; it must be a regular file. */
export function readStackSource(directory: string, stack: string): StackText {
  return stackTextOf(read(directory, stack, "source"));
}

// ---- the target guard ----

/** A stack file of the folder and the file its name opens (undefined when it opens nothing). */
export interface StackFileEntry {
  fileName: string;
  stack: string;
  identity: FileIdentity | undefined;
}

/** Every `Pulumi.<stack>.yaml` (any case, `.yml` too) in a folder, with the file each name opens. */
export function stackFileEntries(directory: string): StackFileEntry[] {
  return fs.readdirSync(directory).flatMap((fileName) => {
    const match = /^pulumi\.(.+)\.ya?ml$/i.exec(fileName);
    if (!match) return [];
    return [{ fileName, stack: match[1], identity: statOrUndefined(path.join(directory, fileName), fs.statSync) }];
  });
}

/**
 * The production stack file that `target` is, under another name: a hard link, a link, or on
 * a disk that ignores case (where `Pulumi.Prod.yaml` opens `Pulumi.prod.yaml` with no link).
 * An entry sharing the target's file is production by its name or by the content they share.
 */
export function productionTwin(target: FileIdentity, targetFileName: string, entries: StackFileEntry[], sharedEnvironment: unknown): string | undefined {
  const twin = entries.find(
    (entry) =>
      entry.fileName !== targetFileName &&
      entry.identity !== undefined &&
      sameFile(entry.identity, target) &&
      productionReason(entry.stack, sharedEnvironment) !== undefined,
  );
  return twin?.fileName;
}

/**
 * Checks a stack file as the target of an edit and reads it: its name, links, hard links, and
 * identity with any production stack's file. Whether production itself may be written is the
 * caller's decision (see `productionReason` on the result).
 */
export function inspectTarget(directory: string, stack: string): InspectedTarget {
  const file = read(directory, stack, "target");
  const target = { ...stackTextOf(file), directory, file: file.file, stat: file.stat };
  const twin = productionTwin(file.stat, file.fileName, stackFileEntries(directory), target.environment);
  if (twin !== undefined) throw new EditRefused(`refusing to write ${file.fileName}: it is the same file as ${twin}, a production stack's file`);
  return target;
}

// ---- new content ----

/** The edit's text with the line endings (and byte order mark) of the file it replaces. */
export function keepLineEndings(before: string, after: string): string {
  const lf = after.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  const body = before.includes("\r\n") ? lf.replace(/\n/g, "\r\n") : lf;
  return before.startsWith("\uFEFF") ? `\uFEFF${body}` : body;
}

/** The text with LF line endings, for diffs. */
export const lfText = (text: string) => text.replace(/\r\n/g, "\n");

/** How an edited stack file document is written back (no line folding). */
export const stackFileToString = { lineWidth: 0 } as const;

const sameMeaning = (a: string, b: string) => {
  try {
    return JSON.stringify(YAML.parse(a)) === JSON.stringify(YAML.parse(b));
  } catch {
    return false;
  }
};

/**
 * The edited text with every line the edit does not change exactly as in the original: the
 * `yaml` round trip rewrites some untouched lines (`[a]` becomes `[ a ]`). The edit is the
 * line difference between the round trip of the unchanged document (`roundTrip`) and the
 * edited one, applied to the original lines; when that would not mean the same as `edited`,
 * `edited` itself.
 */
export function keepUntouchedLines(original: string, roundTrip: string, edited: string): string {
  const originalLines = lfText(original).split("\n");
  if (roundTrip.split("\n").length !== originalLines.length) return edited;
  let result = "";
  let index = 0;
  for (const part of diffLines(roundTrip, edited)) {
    const count = part.count ?? 0;
    if (part.added) result += part.value;
    else if (part.removed) index += count;
    else {
      result += originalLines.slice(index, index + count).map((line) => `${line}\n`).join("");
      index += count;
    }
  }
  return sameMeaning(result, edited) ? result : edited;
}

/** What the stack config schema says about stack file text: one line per problem, none when valid. */
export function stackTextProblems(stack: string, text: string): string[] {
  try {
    const file = withPlaceholderSecrets(parseProgramConfig(stack, text));
    parseStackConfig(stack, file.config, (key) => file.secretKeys.includes(key));
    return [];
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    if (error instanceof StackFileError) return [error.message];
    // Anything else (parseStackFile already turns the YAML library's alias limit into a
    // StackFileError): still one line, never a stack trace.
    // Stryker disable next-line ArrayDeclaration,StringLiteral: no stack file text reaches this line (the tests found none); it stays for what the libraries may throw one day
    return [`Pulumi.${stack}.yaml: ${(error as Error).message.split("\n")[0]}`];
  }
}

// ---- writing ----

/**
 * Test hook, for the crash, interruption and lock tests only: with
 * STACK_FILE_WRITER_TEST_PAUSE=<step>:<milliseconds> (e.g. `renamed:60000`), the writer says
 * on stderr when it reaches that step and waits that long before going on. It only delays:
 * every step does the same with or without it.
 */
async function testPause(step: string): Promise<void> {
  const hook = /^(.+):(\d+)$/.exec(process.env.STACK_FILE_WRITER_TEST_PAUSE ?? "");
  if (hook === null || hook[1] !== step) return;
  process.stderr.write(`stack-file-writer: test pause at ${step}\n`);
  await sleep(Number(hook[2]));
}

/** `2025-01-31T12-00-00-000Z`: an ISO time that is a valid file name everywhere. */
const fileTime = (time: Date) => time.toISOString().replace(/[:.]/g, "-");

/** Opens the backup folder, refusing one that is a link or not a folder. */
function backupFolderOf(directory: string): string {
  const folder = path.join(directory, backupFolder);
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = fs.lstatSync(folder);
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw new EditRefused(`refusing to back up into ${backupFolder}: it is ${stat.isSymbolicLink() ? "a symbolic link" : "not a folder"}; make it a plain folder`);
  return folder;
}

/**
 * Writes `text` to `<backupFolder>/<fileName>.<time>.<pid>`, or with `.1`, `.2`, ... appended
 * when that name is taken. The content goes to a temporary file first, synced, then gets its
 * name with link(), which never replaces a file (nor follows a link): a backup under its final
 * name is always whole (a full disk leaves none), and never replaces another.
 */
export function writeBackup(directory: string, fileName: string, text: string, mode: number, time = new Date(), pid = process.pid): string {
  const folder = backupFolderOf(directory);
  const base = path.join(folder, `${fileName}.${fileTime(time)}.${pid}`);
  const temporary = temporaryFileFor(base);
  const cancelCleanup = onInterrupt(() => fs.rmSync(temporary, { force: true }));
  try {
    writeSynced(temporary, text, mode);
    for (let attempt = 0; ; attempt++) {
      const candidate = attempt === 0 ? base : `${base}.${attempt}`;
      try {
        fs.linkSync(temporary, candidate);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST" && attempt < 1000) continue;
        throw error;
      }
      syncFolder(folder);
      return candidate;
    }
  } finally {
    fs.rmSync(temporary, { force: true });
    cancelCleanup();
  }
}

/** Writes `text` to a new file (created exclusively, never through a link) with `mode`, synced to disk. */
function writeSynced(file: string, text: string, mode: number): void {
  const fd = fs.openSync(file, "wx", mode);
  try {
    writeAllSync(fd, text);
    fs.fchmodSync(fd, mode); // the umask may have narrowed the mode given to open
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses to rename over a target that is no longer the checked file, or without the lock. */
function checkBeforeRename(target: InspectedTarget, lock: FileLock): void {
  const now = statOrUndefined(target.file, fs.lstatSync);
  if (now === undefined || now.isSymbolicLink() || now.nlink > 1n || !sameFile(now, target.stat)) {
    throw new EditRefused(`refusing to write ${target.fileName}: it was replaced, linked or removed while this run held its lock; nothing written`);
  }
  if (!lock.isHeld()) throw new EditRefused(`refusing to write ${target.fileName}: its lock file ${lock.lockFile} was removed or replaced while this run held it; nothing written`);
  // The same file, written in place since it was read (an editor's save takes no lock): the
  // rename would lose that change. This run itself never touches the target before the rename.
  if (now.size !== target.stat.size || now.mtimeNs !== target.stat.mtimeNs || now.ctimeNs !== target.stat.ctimeNs) {
    throw new EditRefused(`refusing to write ${target.fileName}: it was changed while this run held its lock (an editor or a tool that takes no lock); nothing written, run again`);
  }
}

/** A new name beside `file` for its replacement: hidden, unique to this run. */
const temporaryFileFor = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);

/** Writes `text` to `temporary` (created exclusively, never through a link) with `mode`, synced to disk. */
async function writeTemporary(temporary: string, text: string, mode: number): Promise<void> {
  const fd = fs.openSync(temporary, "wx", mode);
  try {
    await testPause("temporary file created");
    writeAllSync(fd, text);
    await testPause("temporary file written");
    fs.fchmodSync(fd, mode); // the umask may have narrowed the mode given to open
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces the target with `text`: backup, temporary file, fsync, rename, fsync of the folder. */
async function replaceTarget(target: InspectedTarget, text: string, lock: FileLock): Promise<string> {
  const mode = Number(target.stat.mode & 0o7777n);
  const backup = writeBackup(target.directory, target.fileName, target.text, mode);
  await testPause("backed up");
  const temporary = temporaryFileFor(target.file);
  // After the rename the temporary name no longer exists: removing it then is a no-op.
  const removeTemporary = () => fs.rmSync(temporary, { force: true });
  const cancelCleanup = onInterrupt(removeTemporary);
  try {
    await writeTemporary(temporary, text, mode);
    await testPause("temporary file synced");
    checkBeforeRename(target, lock);
    // rename replaces the name itself: had the target become a link since the check, the
    // link would be replaced, never the file it points to.
    fs.renameSync(temporary, target.file);
    await testPause("renamed");
    syncFolder(target.directory);
    await testPause("folder synced");
  } finally {
    removeTemporary();
    cancelCleanup();
  }
  return backup;
}

// ---- the whole edit ----

/** What an edit would change: `updatedText` (the edited document written with `stackFileToString`) undefined means nothing to change. */
export interface PlannedEdit {
  updatedText: string | undefined;
}

export interface StackFileEdit<P extends PlannedEdit> {
  directory: string;
  stack: string;
  /** Print and validate the change, write nothing, take no lock. */
  dryRun: boolean;
  lock: LockOptions;
  /** Throws EditRefused for a target this edit must not write (e.g. production). Called before the lock and again under it. */
  admit(target: InspectedTarget): void;
  /** The change, from the target as read under the lock. */
  plan(target: InspectedTarget): P;
}

export type EditOutcome<P extends PlannedEdit> = { plan: P; target: InspectedTarget } & (
  | { kind: "unchanged" }
  | { kind: "invalid"; updatedText: string; problems: string[] }
  | { kind: "dry-run"; updatedText: string }
  | { kind: "written"; updatedText: string; backupFile: string }
);

type Prepared<P extends PlannedEdit> =
  | Extract<EditOutcome<P>, { kind: "unchanged" | "invalid" }>
  | { kind: "ready"; plan: P; target: InspectedTarget; updatedText: string };

/** The writers edit keys in the `<ns>:<name>` form only; another spelling would be a second key. */
function refuseRespelledKeys(target: StackText): void {
  const [key, written] = Object.entries(target.respelledKeys)[0] ?? [];
  if (key === undefined) return;
  throw new EditRefused(`refusing to write ${target.fileName}: it spells ${key} as ${written}, which the tools do not edit; write it as ${key} (the Pulumi CLI reads both)`);
}

/** Plans and validates the edit of an admitted target. */
function prepare<P extends PlannedEdit>(target: InspectedTarget, edit: StackFileEdit<P>): Prepared<P> {
  refuseRespelledKeys(target);
  const plan = edit.plan(target);
  if (plan.updatedText === undefined) return { kind: "unchanged", plan, target };
  const edited = keepUntouchedLines(target.text, target.document.toString(stackFileToString), plan.updatedText);
  const updatedText = keepLineEndings(target.text, edited);
  const problems = stackTextProblems(target.stack, updatedText);
  if (problems.length > 0) return { kind: "invalid", plan, target, updatedText, problems };
  refuseEnvironmentChange(target, updatedText);
  return { kind: "ready", plan, target, updatedText };
}

/**
 * No tool edits a stack's environment, so an edit that changes it as Pulumi reads it (an anchor
 * copied over an alias, a merge key) is refused: production must never be the side effect of
 * an edit that was admitted for what the file said before.
 */
function refuseEnvironmentChange(target: StackText, updatedText: string): void {
  const before = JSON.stringify(target.environment);
  const after = JSON.stringify(parseStackFile(target.stack, updatedText).config[environmentKey]);
  if (after === before) return;
  throw new EditRefused(`refusing to write ${target.fileName}: the edit would change ${environmentKey} from ${before} to ${after}, which no tool here edits; nothing written`);
}

/**
 * Edits one stack file safely (see the top of this file). Refusals throw EditRefused or
 * LockRefused; a change the schema refuses comes back as `invalid`, with nothing written.
 */
export async function editStackFile<P extends PlannedEdit>(edit: StackFileEdit<P>): Promise<EditOutcome<P>> {
  // Checked before the lock too, so that a refused target leaves not even a lock file.
  const unlocked = inspectTarget(edit.directory, edit.stack);
  edit.admit(unlocked);
  if (edit.dryRun) {
    const prepared = prepare(unlocked, edit);
    return prepared.kind === "ready" ? { ...prepared, kind: "dry-run" } : prepared;
  }

  const lock = await FileLock.acquire(unlocked.file, edit.lock);
  try {
    await testPause("locked");
    // Again under the lock: another run may have replaced the file meanwhile.
    const target = inspectTarget(edit.directory, edit.stack);
    edit.admit(target);
    const prepared = prepare(target, edit);
    if (prepared.kind !== "ready") return prepared;
    const backupFile = await replaceTarget(target, prepared.updatedText, lock);
    return { ...prepared, kind: "written", backupFile };
  } finally {
    lock.release();
  }
}
