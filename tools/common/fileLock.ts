// An exclusive lock on one file for a whole read-modify-write: a lock file beside it,
// created with O_EXCL so that exactly one run holds it. A second run waits a bounded time,
// then says who holds it, since when, and what to check. A lock whose holder is gone is
// explained, never broken silently: deleting it is a person's decision (`--break-lock
// <pid>@<host>` removes exactly that holder's lock), since the tool cannot know what that run
// left undone, nor whether a run on another host still runs. A lock file whose content could
// not be written (a full disk) is removed by the run that created it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeAllSync } from "./durableWrite";
import { onInterrupt } from "./interruptCleanup";

/** The lock could not be taken: exit 2 with the message. */
export class LockRefused extends Error {}

/** What a lock file says about the run holding it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** The command line of the holder, e.g. `env-sync --from staging --to dev`. */
  command: string;
}

/** A lock's holder, as `--break-lock <pid>@<host>` names it. */
export interface HolderName {
  pid: number;
  hostname: string;
}

export interface LockOptions {
  /** How long to wait for a held lock before refusing. */
  timeoutSeconds: number;
  /** Written into the lock file, so a waiting run can say who holds it. */
  command: string;
  /** Remove the lock this holder left (a person checked that it is gone), then take it. */
  breakLock?: HolderName;
}

const pollMilliseconds = 100;
/** A lock file is a few hundred bytes; anything longer is not one of ours. */
const maxLockFileBytes = 4096;

/** `Pulumi.dev.yaml` -> `Pulumi.dev.yaml.lock`, in the same folder. */
export const lockFileOf = (file: string) => `${file}.lock`;

/** A lock this process holds. */
export class FileLock {
  private released = false;
  private readonly cancelInterruptCleanup: () => void;

  /** `fd` stays open while the lock is held: its inode cannot be reused, so identity checks stay sound. */
  private constructor(
    readonly lockFile: string,
    private readonly fd: number,
  ) {
    this.cancelInterruptCleanup = onInterrupt(() => this.release());
  }

  /** Takes the lock on `file`, waiting up to `timeoutSeconds` for another run to release it. */
  static async acquire(file: string, options: LockOptions): Promise<FileLock> {
    const lockFile = lockFileOf(file);
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    if (options.breakLock !== undefined) breakLock(file, lockFile, options.breakLock);
    for (;;) {
      const fd = tryCreateLockFile(lockFile, options.command);
      if (fd !== undefined) return new FileLock(lockFile, fd);
      const holder = readLockHolder(lockFile);
      if (holder !== undefined && holder.hostname === os.hostname() && !isRunning(holder.pid)) {
        throw new LockRefused(staleLockMessage(file, lockFile, holder));
      }
      if (Date.now() >= deadline) throw new LockRefused(heldLockMessage(file, lockFile, holder, options.timeoutSeconds));
      await sleep(pollMilliseconds);
    }
  }

  /** Is the lock file still the one this run created (not deleted, not replaced by another run's)? */
  isHeld(): boolean {
    if (this.released) return false;
    try {
      const current = fs.lstatSync(this.lockFile, { bigint: true });
      const mine = fs.fstatSync(this.fd, { bigint: true });
      return current.dev === mine.dev && current.ino === mine.ino;
    } catch {
      return false;
    }
  }

  /** Removes the lock file, only if it is still this run's. Safe to call more than once. */
  release(): void {
    if (this.released) return;
    if (this.isHeld()) fs.rmSync(this.lockFile, { force: true });
    this.released = true;
    fs.closeSync(this.fd);
    this.cancelInterruptCleanup();
  }
}

/**
 * Creates the lock file exclusively (never through a link); undefined when it exists. When
 * its content cannot be written (no space left), the file is removed again: an empty lock
 * would refuse every later run.
 */
function tryCreateLockFile(lockFile: string, command: string): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command };
  try {
    writeAllSync(fd, `${JSON.stringify(holder)}\n`);
  } catch (error) {
    removeIfSame(lockFile, fd);
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}

/** Removes `file` if it is still the file `fd` has open (not one another run created since). */
function removeIfSame(file: string, fd: number): void {
  const opened = fs.fstatSync(fd, { bigint: true });
  const named = fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
  if (named !== undefined && named.dev === opened.dev && named.ino === opened.ino) fs.rmSync(file, { force: true });
}

/** `1234@ci-runner-7` -> { pid: 1234, hostname: "ci-runner-7" }; undefined when it is not that form. */
export function parseHolderName(text: string): HolderName | undefined {
  const match = /^([1-9]\d{0,9})@(\S+)$/.exec(text);
  if (!match || !Number.isSafeInteger(Number(match[1]))) return undefined;
  return { pid: Number(match[1]), hostname: match[2] };
}

/**
 * Removes the lock `name` holds on `file`, and only that lock: refused when the lock file names
 * another holder (or none), or when its holder runs on this host. No lock: nothing to do.
 */
function breakLock(file: string, lockFile: string, name: HolderName): void {
  const shown = `${name.pid}@${name.hostname}`;
  let fd: number;
  try {
    fd = fs.openSync(lockFile, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new LockRefused(`--break-lock ${shown}: cannot open ${lockFile} (${(error as NodeJS.ErrnoException).code}); remove it by hand after checking its holder`);
  }
  try {
    const holder = holderOfDescriptor(fd);
    if (holder === undefined || holder.pid !== name.pid || holder.hostname !== name.hostname) {
      const actual = holder === undefined ? "a run that does not say who it is" : `pid ${holder.pid} on ${holder.hostname}`;
      throw new LockRefused(`--break-lock ${shown}: ${path.basename(file)} is locked by ${actual}, not by ${shown}; nothing removed`);
    }
    if (holder.hostname === os.hostname() && isRunning(holder.pid)) {
      throw new LockRefused(`--break-lock ${shown}: pid ${holder.pid} still runs on this host; let it finish, nothing removed`);
    }
    removeIfSame(lockFile, fd);
    process.stderr.write(`removed the lock ${lockFile} of ${describeHolder(holder)} (--break-lock)\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/** The holder a lock file names; undefined when it is gone, being written, or not a lock file of ours. */
export function readLockHolder(lockFile: string): LockHolder | undefined {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    return holderOfDescriptor(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The holder the open lock file names; undefined when it is not a lock file of ours. */
function holderOfDescriptor(fd: number): LockHolder | undefined {
  let text: string;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size > maxLockFileBytes) return undefined;
    text = fs.readFileSync(fd, "utf8");
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    // A pid of 0 or below would name a process group to process.kill.
    if (!Number.isSafeInteger(holder.pid) || (holder.pid as number) <= 0) return undefined;
    if (typeof holder.hostname !== "string" || typeof holder.startedAt !== "string" || typeof holder.command !== "string") return undefined;
    return holder as LockHolder;
  } catch {
    return undefined;
  }
}

/** Is a process with this pid alive on this host? (EPERM: alive, but another user's.) */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const describeHolder = (holder: LockHolder) => `pid ${holder.pid} on ${holder.hostname} since ${holder.startedAt} (${holder.command})`;

/** `3 h 20 min`, `45 s`: how long ago `startedAt` was (unknown for a time that does not parse). */
export function ageOf(startedAt: string, now = Date.now()): string {
  const seconds = Math.floor((now - Date.parse(startedAt)) / 1000);
  if (!Number.isFinite(seconds) || seconds < 0) return "an unknown time";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} days`;
}

function heldLockMessage(file: string, lockFile: string, holder: LockHolder | undefined, timeoutSeconds: number): string {
  const name = path.basename(file);
  if (holder === undefined) {
    return `${name} is locked by a run that does not say who it is (${lockFile} is empty or not a lock file); waited ${timeoutSeconds} s. If no env-sync or promote is running, delete ${lockFile} and run again`;
  }
  const held = `${name} is locked by another run: ${describeHolder(holder)}, ${ageOf(holder.startedAt)} ago; waited ${timeoutSeconds} s (--lock-timeout).`;
  if (holder.hostname === os.hostname()) return `${held} Run again when it has finished`;
  // Another host (each CI container has its own): this run cannot tell whether it still runs.
  return (
    `${held} Its host is not this one (${os.hostname()}), so this run cannot tell whether it still runs. ` +
    `Check that no env-sync or promote runs on ${holder.hostname} (a cancelled CI job, another machine), then run again with --break-lock ${holder.pid}@${holder.hostname}, or delete ${lockFile}`
  );
}

function staleLockMessage(file: string, lockFile: string, holder: LockHolder): string {
  return (
    `${path.basename(file)} is locked by ${describeHolder(holder)}, which is not running any more (killed or crashed mid-run); nothing was written. ` +
    `If no env-sync or promote is running, delete ${lockFile} and run again`
  );
}
