// The lock, the durable writes, the interrupt cleanup and the writer's I/O steps, in this
// process (no child process): fast enough to kill the `lock-writer` mutation group's mutants
// one test run each. What a live child does on a signal or a kill is tested in
// stackFileWriter.test.ts; here the same decisions are driven by hand (a signal handler called
// with process.exit replaced, fs functions replaced for a failure).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { syncFolder, writeAllSync } from "../tools/common/durableWrite";
import { FileLock, LockRefused, isRunning, lockFileOf, readLockHolder } from "../tools/common/fileLock";
import { onInterrupt } from "../tools/common/interruptCleanup";
import { EditRefused, InspectedTarget, PlannedEdit, StackFileEdit, editStackFile, inspectTarget, readStackSource, stackFileEntries, writeBackup } from "../tools/common/stackFileWriter";
import { committed, folderWith, leftovers, read, stackPath, temporaryFolder } from "./stackFileTools";

// The module object the tools read their fs functions from at each call (see fullDisk.test.ts).
const nodeFs = require("node:fs") as Record<string, unknown>;
const replaced: [name: string, original: unknown][] = [];
/** Replaces `fs[name]` until the end of the test. */
function replaceFs<K extends keyof typeof fs>(name: K, by: (original: (typeof fs)[K]) => unknown): void {
  const original = nodeFs[name] as (typeof fs)[K];
  replaced.push([name, original]);
  nodeFs[name] = by(original);
}
/** Counts the calls of `fs[name]`, calling through. */
function countCalls(name: "fsyncSync" | "closeSync" | "linkSync"): { calls: unknown[][] } {
  const seen = { calls: [] as unknown[][] };
  replaceFs(name, (original) => (...args: unknown[]) => {
    seen.calls.push(args);
    return (original as (...a: unknown[]) => unknown)(...args);
  });
  return seen;
}
afterEach(() => {
  for (const [name, original] of replaced.splice(0).reverse()) nodeFs[name] = original;
});

const noSpace = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
/** A pid no process has: above the kernel's pid_max (at most 2^22). */
const deadPid = 2 ** 22 + 12345;
const holderOf = (fields: object) => ({ pid: 4242, hostname: "ci-runner-7", startedAt: "2026-12-07T10:00:00.000Z", command: "env-sync --from staging --to dev", ...fields });
const modeOf = (file: string) => fs.statSync(file).mode & 0o7777;

/** A file to lock, in a new folder, and its lock file. */
function lockTarget(): { file: string; lockFile: string } {
  const file = path.join(temporaryFolder("lock-test-"), "Pulumi.dev.yaml");
  fs.writeFileSync(file, "config: {}\n");
  return { file, lockFile: lockFileOf(file) };
}

async function refusal(promise: Promise<unknown>, type: typeof LockRefused | typeof EditRefused): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected a refusal"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof type, String(error));
  return (error as Error).message;
}

/** Output written to stderr while `run` runs (and not shown). */
async function stderrOf<T>(run: () => Promise<T>, onWrite: (text: string) => void = () => undefined): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    onWrite(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), stderr };
  } finally {
    process.stderr.write = original;
  }
}

describe("the file lock", () => {
  it("writes who holds it into a new lock file (mode 644), and removes it on release, once", async () => {
    const { file, lockFile } = lockTarget();
    const before = Date.now();
    const lock = await FileLock.acquire(file, { timeoutSeconds: 0, command: "env-sync --from staging --to dev" });
    assert.equal(lock.lockFile, `${file}.lock`);
    const text = fs.readFileSync(lockFile, "utf8");
    assert.ok(text.endsWith("}\n"), text);
    const holder = JSON.parse(text);
    assert.deepEqual(Object.keys(holder), ["pid", "hostname", "startedAt", "command"]);
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.hostname, os.hostname());
    assert.equal(holder.command, "env-sync --from staging --to dev");
    assert.ok(Date.parse(holder.startedAt) >= before - 1 && Date.parse(holder.startedAt) <= Date.now(), holder.startedAt);
    assert.deepEqual(readLockHolder(lockFile), holder);
    assert.equal(modeOf(lockFile) & ~process.umask(), 0o644 & ~process.umask());
    assert.equal(lock.isHeld(), true);
    lock.release();
    assert.equal(fs.existsSync(lockFile), false);
    assert.equal(lock.isHeld(), false);
    lock.release();
    const again = await FileLock.acquire(file, { timeoutSeconds: 0, command: "again" });
    assert.equal(again.isHeld(), true);
    again.release();
  });

  it("never removes a lock file another run put in its place, and says it no longer holds it", async () => {
    const { file, lockFile } = lockTarget();
    const lock = await FileLock.acquire(file, { timeoutSeconds: 0, command: "first" });
    fs.rmSync(lockFile);
    assert.equal(lock.isHeld(), false, "removed");
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({})));
    assert.equal(lock.isHeld(), false, "replaced by another file");
    lock.release();
    assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(holderOf({})));
  });

  it("waits for a live holder on this host for --lock-timeout, then says who holds it and what to check", async () => {
    const { file, lockFile } = lockTarget();
    const live = { pid: process.pid, hostname: os.hostname(), startedAt: new Date(Date.now() - 125_000).toISOString(), command: "promote --from dev --to staging" };
    fs.writeFileSync(lockFile, JSON.stringify(live));
    const started = Date.now();
    const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 0.3, command: "second" }), LockRefused);
    const waitedMs = Date.now() - started;
    assert.ok(waitedMs >= 300 && waitedMs < 5000, `waited ${waitedMs} ms`);
    assert.equal(
      message,
      `Pulumi.dev.yaml is locked by another run: pid ${process.pid} on ${os.hostname()} since ${live.startedAt} (promote --from dev --to staging), 2 min ago; waited 0.3 s (--lock-timeout). ` +
        `Run again when it has finished; if pid ${process.pid} is no env-sync or promote (its number taken by another process since the holder was killed), delete ${lockFile}`,
    );
  });

  it("takes the lock as soon as its holder releases it, within the timeout", async () => {
    const { file, lockFile } = lockTarget();
    const first = await FileLock.acquire(file, { timeoutSeconds: 0, command: "first" });
    setTimeout(() => first.release(), 250);
    const started = Date.now();
    const second = await FileLock.acquire(file, { timeoutSeconds: 10, command: "second" });
    assert.ok(Date.now() - started >= 200, "it waited");
    assert.equal(JSON.parse(fs.readFileSync(lockFile, "utf8")).command, "second");
    second.release();
  });

  it("refuses at once a lock whose holder is dead on this host (explained, kept)", async () => {
    const { file, lockFile } = lockTarget();
    const dead = { pid: deadPid, hostname: os.hostname(), startedAt: "2026-12-07T10:00:00.000Z", command: "env-sync --from staging --to dev" };
    fs.writeFileSync(lockFile, JSON.stringify(dead));
    const started = Date.now();
    const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 5, command: "second" }), LockRefused);
    assert.ok(Date.now() - started < 2000, "without waiting for the timeout");
    assert.equal(
      message,
      `Pulumi.dev.yaml is locked by pid ${deadPid} on ${os.hostname()} since 2026-12-07T10:00:00.000Z (env-sync --from staging --to dev), which is not running any more (killed or crashed mid-run); nothing was written. ` +
        `If no env-sync or promote is running, delete ${lockFile} and run again`,
    );
    assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(dead));
  });

  it("cannot tell a dead pid on another host: it waits, then names the host and --break-lock", async () => {
    const { file, lockFile } = lockTarget();
    const other = holderOf({ pid: deadPid, startedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    fs.writeFileSync(lockFile, JSON.stringify(other));
    const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "second" }), LockRefused);
    assert.equal(
      message,
      `Pulumi.dev.yaml is locked by another run: pid ${deadPid} on ci-runner-7 since ${other.startedAt} (env-sync --from staging --to dev), 3 days ago; waited 0 s (--lock-timeout). ` +
        `Its host is not this one (${os.hostname()}), so this run cannot tell whether it still runs. ` +
        `Check that no env-sync or promote runs on ci-runner-7 (a cancelled CI job, another machine), then run again with --break-lock ${deadPid}@ci-runner-7, or delete ${lockFile}`,
    );
  });

  it("refuses a lock file that does not say who holds it, after the timeout", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, "");
    const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "second" }), LockRefused);
    assert.equal(
      message,
      `Pulumi.dev.yaml is locked by a run that does not say who it is (${lockFile} is empty or not a lock file); waited 0 s. If no env-sync or promote is running, delete ${lockFile} and run again`,
    );
  });

  it("shows a holder's control characters escaped", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({ startedAt: "x\ty", command: "a\nb\rc\u0001\u001f\u007f\u009f\u2028\u2029 d" })));
    const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "second" }), LockRefused);
    assert.ok(message.includes("since x\\ty (a\\nb\\rc\\u0001\\u001f\\u007f\\u009f\\u2028\\u2029 d), an unknown time ago"), message);
  });

  it("removes a lock file whose content could not be written (a full disk), and says why", async () => {
    const { file, lockFile } = lockTarget();
    replaceFs("writeSync", () => () => 0);
    const error = await FileLock.acquire(file, { timeoutSeconds: 0, command: "full" }).then(
      () => assert.fail("expected ENOSPC"),
      (caught: NodeJS.ErrnoException) => caught,
    );
    assert.equal(error.message, "ENOSPC: no space left on device, write");
    assert.equal(error.code, "ENOSPC");
    assert.equal(error.syscall, "write");
    assert.equal(fs.existsSync(lockFile), false);
  });

  it("leaves a lock file another run created meanwhile when its own write fails", async () => {
    const { file, lockFile } = lockTarget();
    const others = JSON.stringify(holderOf({}));
    replaceFs("writeSync", () => () => {
      fs.rmSync(lockFile);
      fs.writeFileSync(lockFile, others);
      throw noSpace();
    });
    await assert.rejects(FileLock.acquire(file, { timeoutSeconds: 0, command: "full" }), /ENOSPC/);
    assert.equal(fs.readFileSync(lockFile, "utf8"), others);
  });

  it("passes on an error other than an existing lock file", async () => {
    const file = path.join(temporaryFolder("lock-test-"), "no-such-folder", "Pulumi.dev.yaml");
    await assert.rejects(FileLock.acquire(file, { timeoutSeconds: 0, command: "x" }), { code: "ENOENT" });
  });
});

describe("--break-lock in the lock itself", () => {
  it("removes exactly the named holder's lock on another host, says so, and takes the lock", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({})));
    const { result: lock, stderr } = await stderrOf(() => FileLock.acquire(file, { timeoutSeconds: 0, command: "mine", breakLock: { pid: 4242, hostname: "ci-runner-7" } }));
    assert.equal(stderr, `removed the lock ${lockFile} of pid 4242 on ci-runner-7 since 2026-12-07T10:00:00.000Z (env-sync --from staging --to dev) (--break-lock)\n`);
    assert.equal(JSON.parse(fs.readFileSync(lockFile, "utf8")).command, "mine");
    lock.release();
  });

  it("removes a dead holder's lock on this host", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({ pid: deadPid, hostname: os.hostname() })));
    const { result: lock } = await stderrOf(() => FileLock.acquire(file, { timeoutSeconds: 0, command: "mine", breakLock: { pid: deadPid, hostname: os.hostname() } }));
    assert.equal(JSON.parse(fs.readFileSync(lockFile, "utf8")).command, "mine");
    lock.release();
  });

  it("refuses a lock file that names nobody, and one it cannot open, removing nothing", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, "{}");
    const breakLock = { pid: 4242, hostname: "ci-runner-7" };
    assert.equal(
      await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "x", breakLock }), LockRefused),
      "--break-lock 4242@ci-runner-7: Pulumi.dev.yaml is locked by a run that does not say who it is, not by 4242@ci-runner-7; nothing removed",
    );
    assert.equal(fs.readFileSync(lockFile, "utf8"), "{}");
    fs.rmSync(lockFile);
    fs.symlinkSync("elsewhere", lockFile);
    assert.equal(
      await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "x", breakLock }), LockRefused),
      `--break-lock 4242@ci-runner-7: cannot open ${lockFile} (ELOOP); remove it by hand after checking its holder`,
    );
    assert.equal(fs.readlinkSync(lockFile), "elsewhere");
  });

  it("refuses a holder that matches in pid only or in host only", async () => {
    const { file, lockFile } = lockTarget();
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({})));
    for (const breakLock of [{ pid: 4242, hostname: "ci-runner-8" }, { pid: 4243, hostname: "ci-runner-7" }]) {
      const message = await refusal(FileLock.acquire(file, { timeoutSeconds: 0, command: "x", breakLock }), LockRefused);
      assert.equal(message, `--break-lock ${breakLock.pid}@${breakLock.hostname}: Pulumi.dev.yaml is locked by pid 4242 on ci-runner-7, not by ${breakLock.pid}@${breakLock.hostname}; nothing removed`);
    }
    assert.deepEqual(readLockHolder(lockFile), holderOf({}));
  });
});

describe("what a lock file is read as", () => {
  const cases: [what: string, content: string | undefined][] = [
    ["pid 0", JSON.stringify(holderOf({ pid: 0 }))],
    ["a negative pid", JSON.stringify(holderOf({ pid: -1 }))],
    ["a fractional pid", JSON.stringify(holderOf({ pid: 1.5 }))],
    ["a pid as text", JSON.stringify(holderOf({ pid: "4242" }))],
    ["a pid past 2^53", JSON.stringify(holderOf({ pid: 2 ** 53 }))],
    ["no host", JSON.stringify(holderOf({ hostname: 7 }))],
    ["no time", JSON.stringify(holderOf({ startedAt: 7 }))],
    ["no command", JSON.stringify(holderOf({ command: null }))],
    ["a host that would run a command", JSON.stringify(holderOf({ hostname: "a;b" }))],
    ["a host starting with a dash", JSON.stringify(holderOf({ hostname: "-ci" }))],
    ["a host with a space inside", JSON.stringify(holderOf({ hostname: "ci runner" }))],
    ["a host of 254 characters", JSON.stringify(holderOf({ hostname: `a${"b".repeat(253)}` }))],
    ["not JSON", "pid 4242"],
    ["longer than 4096 bytes", JSON.stringify(holderOf({})).padEnd(4097, " ")],
    ["no file", undefined],
  ];
  for (const [what, content] of cases) {
    it(`nobody: ${what}`, () => {
      const { lockFile } = lockTarget();
      if (content !== undefined) fs.writeFileSync(lockFile, content);
      assert.equal(readLockHolder(lockFile), undefined);
    });
  }

  it("nobody: a folder or a link", () => {
    const { lockFile } = lockTarget();
    fs.mkdirSync(lockFile);
    assert.equal(readLockHolder(lockFile), undefined);
    const other = lockTarget();
    fs.writeFileSync(`${other.lockFile}.real`, JSON.stringify(holderOf({})));
    fs.symlinkSync(`${other.lockFile}.real`, other.lockFile);
    assert.equal(readLockHolder(other.lockFile), undefined);
  });

  const holders: [what: string, holder: object][] = [
    ["a host of 253 characters with dots, dashes and underscores", holderOf({ hostname: `a${"b._-".repeat(63)}`.padEnd(253, "c") })],
    ["this host, whatever its name", holderOf({ hostname: os.hostname() })],
    ["pid 1", holderOf({ pid: 1 })],
  ];
  for (const [what, holder] of holders) {
    it(`its holder: ${what}`, () => {
      const { lockFile } = lockTarget();
      fs.writeFileSync(lockFile, JSON.stringify(holder));
      assert.deepEqual(readLockHolder(lockFile), holder);
    });
  }

  it("its holder: a file of exactly 4096 bytes", () => {
    const { lockFile } = lockTarget();
    fs.writeFileSync(lockFile, JSON.stringify(holderOf({})).padEnd(4096, " "));
    assert.deepEqual(readLockHolder(lockFile), holderOf({}));
  });

  it("a pid runs when signal 0 reaches it, or when it belongs to another user (EPERM)", () => {
    assert.equal(isRunning(process.pid), true);
    assert.equal(isRunning(deadPid), false);
    const realKill = process.kill;
    try {
      process.kill = (() => {
        throw Object.assign(new Error("kill EPERM"), { code: "EPERM" });
      }) as typeof process.kill;
      assert.equal(isRunning(4242), true);
    } finally {
      process.kill = realKill;
    }
  });
});

describe("durable writes", () => {
  it("writes all of the text when each write writes only part of it", () => {
    const file = path.join(temporaryFolder("durable-"), "out");
    const fd = fs.openSync(file, "w");
    const sizes: number[] = [];
    replaceFs("writeSync", (original) => (fd: number, buffer: Buffer, offset: number, length: number) => {
      sizes.push(length);
      return original(fd, buffer, offset, Math.min(length, 3));
    });
    writeAllSync(fd, "héllo wörld");
    fs.closeSync(fd);
    assert.equal(fs.readFileSync(file, "utf8"), "héllo wörld");
    assert.deepEqual(sizes, [13, 10, 7, 4, 1]);
  });

  it("fails as a full disk does when a write writes nothing", () => {
    const fd = fs.openSync(path.join(temporaryFolder("durable-"), "out"), "w");
    replaceFs("writeSync", () => () => 0);
    assert.throws(() => writeAllSync(fd, "x"), { message: "ENOSPC: no space left on device, write", code: "ENOSPC", syscall: "write" });
    fs.closeSync(fd);
  });

  it("writes nothing for empty text", () => {
    replaceFs("writeSync", () => () => assert.fail("no write for empty text"));
    writeAllSync(0, "");
  });

  it("syncs a folder through a descriptor it closes, also when the sync fails", () => {
    const folder = temporaryFolder("durable-");
    const syncs = countCalls("fsyncSync");
    const closes = countCalls("closeSync");
    syncFolder(folder);
    assert.equal(syncs.calls.length, 1);
    assert.deepEqual(closes.calls, [syncs.calls[0]]);
    replaceFs("fsyncSync", () => () => {
      throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    });
    assert.throws(() => syncFolder(folder), /EIO/);
    assert.equal(closes.calls.length, 2);
  });
});

describe("the interrupt cleanup", () => {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const listenerCounts = () => signals.map((signal) => process.listenerCount(signal));
  /** Calls the handler this module added for `signal`, with process.exit recording its code. */
  function interrupt(signal: (typeof signals)[number], before: number[]): number[] {
    const handler = process.listeners(signal).at(-1) as (signal: NodeJS.Signals) => void;
    assert.equal(process.listenerCount(signal), before[signals.indexOf(signal)] + 1);
    const codes: number[] = [];
    const realExit = process.exit;
    process.exit = ((code: number) => void codes.push(code)) as typeof process.exit;
    try {
      handler(signal);
    } finally {
      process.exit = realExit;
    }
    return codes;
  }

  it("handles the three signals while a cleanup is pending, and stops when the last one is cancelled", () => {
    const before = listenerCounts();
    const cancelFirst = onInterrupt(() => undefined);
    const cancelSecond = onInterrupt(() => undefined);
    assert.deepEqual(listenerCounts(), before.map((count) => count + 1));
    cancelFirst();
    assert.deepEqual(listenerCounts(), before.map((count) => count + 1));
    cancelSecond();
    assert.deepEqual(listenerCounts(), before);
  });

  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`runs every pending cleanup on ${signal}, even after one fails, then exits ${status}`, () => {
      const before = listenerCounts();
      const ran: string[] = [];
      const cancelFirst = onInterrupt(() => {
        ran.push("first");
        throw new Error("cleanup failed");
      });
      const cancelSecond = onInterrupt(() => ran.push("second"));
      const cancelled = onInterrupt(() => ran.push("cancelled"));
      cancelled();
      assert.deepEqual(interrupt(signal, before), [status]);
      assert.deepEqual(ran, ["first", "second"]);
      cancelFirst();
      cancelSecond();
      const cancelThird = onInterrupt(() => ran.push("third"));
      assert.deepEqual(interrupt(signal, before), [status]);
      assert.deepEqual(ran, ["first", "second", "third"], "the cleanups that ran are not run again");
      cancelThird();
      assert.deepEqual(listenerCounts(), before);
    });
  }
});

describe("backups", () => {
  const time = new Date("2025-01-31T12:00:00.000Z");

  it("creates the backup folder (mode 700) and writes a whole backup with the file's mode, synced, leaving no temporary file", () => {
    const folder = temporaryFolder("backup-test-");
    const umask = process.umask(0o077);
    let backup: string;
    const syncs = countCalls("fsyncSync");
    try {
      backup = writeBackup(folder, "Pulumi.dev.yaml", "old text\n", 0o640, time, 77);
    } finally {
      process.umask(umask);
    }
    assert.equal(backup, path.join(folder, ".pulumi-backups", "Pulumi.dev.yaml.2025-01-31T12-00-00-000Z.77"));
    assert.equal(fs.readFileSync(backup, "utf8"), "old text\n");
    assert.equal(modeOf(backup), 0o640, "the file's mode, not the umask's");
    assert.equal(modeOf(path.join(folder, ".pulumi-backups")), 0o700);
    assert.deepEqual(fs.readdirSync(path.join(folder, ".pulumi-backups")), ["Pulumi.dev.yaml.2025-01-31T12-00-00-000Z.77"]);
    assert.equal(syncs.calls.length, 2, "the file and the folder");
  });

  it("uses the time and pid of the run by default", () => {
    const folder = temporaryFolder("backup-test-");
    const before = Date.now();
    const backup = path.basename(writeBackup(folder, "Pulumi.dev.yaml", "x\n", 0o600));
    const match = /^Pulumi\.dev\.yaml\.(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.(\d+)$/.exec(backup);
    assert.ok(match, backup);
    assert.ok(Math.abs(Date.parse(`${match[1]}:${match[2]}:${match[3]}.${match[4]}Z`) - before) < 5000);
    assert.equal(Number(match[5]), process.pid);
  });

  it("refuses a backup folder that is a link or a file, and passes on other errors", () => {
    const linked = temporaryFolder("backup-test-");
    fs.symlinkSync(temporaryFolder("elsewhere-"), path.join(linked, ".pulumi-backups"));
    assert.throws(() => writeBackup(linked, "Pulumi.dev.yaml", "x\n", 0o600, time), {
      constructor: EditRefused,
      message: "refusing to back up into .pulumi-backups: it is a symbolic link; make it a plain folder",
    });
    const file = temporaryFolder("backup-test-");
    fs.writeFileSync(path.join(file, ".pulumi-backups"), "");
    assert.throws(() => writeBackup(file, "Pulumi.dev.yaml", "x\n", 0o600, time), {
      constructor: EditRefused,
      message: "refusing to back up into .pulumi-backups: it is not a folder; make it a plain folder",
    });
    assert.throws(() => writeBackup(path.join(file, "missing"), "Pulumi.dev.yaml", "x\n", 0o600, time), { code: "ENOENT" });
  });

  it("on a full disk leaves no backup and no temporary file", () => {
    const folder = temporaryFolder("backup-test-");
    replaceFs("writeSync", () => () => 0);
    assert.throws(() => writeBackup(folder, "Pulumi.dev.yaml", "old text\n", 0o600, time), /ENOSPC/);
    assert.deepEqual(fs.readdirSync(path.join(folder, ".pulumi-backups")), []);
  });

  it("gives up after 1000 taken names, and passes on other link errors", () => {
    const folder = temporaryFolder("backup-test-");
    const links = countCalls("linkSync");
    replaced.pop();
    replaceFs("linkSync", () => (...args: unknown[]) => {
      links.calls.push(args);
      throw Object.assign(new Error("EEXIST: file already exists, link"), { code: "EEXIST" });
    });
    assert.throws(() => writeBackup(folder, "Pulumi.dev.yaml", "x\n", 0o600, time, 5), /EEXIST/);
    assert.equal(links.calls.length, 1001);
    assert.equal(links.calls[1000][1], path.join(folder, ".pulumi-backups", "Pulumi.dev.yaml.2025-01-31T12-00-00-000Z.5.1000"));
    replaceFs("linkSync", () => () => {
      throw Object.assign(new Error("EXDEV: cross-device link"), { code: "EXDEV" });
    });
    assert.throws(() => writeBackup(folder, "Pulumi.dev.yaml", "x\n", 0o600, time, 5), /EXDEV/);
    assert.deepEqual(fs.readdirSync(path.join(folder, ".pulumi-backups")), []);
  });
});

describe("the stack files of a folder", () => {
  it("lists Pulumi.<stack>.yaml and .yml in any case, with the file each name opens", () => {
    const folder = folderWith({ dev: "config: {}\n" });
    fs.writeFileSync(path.join(folder, "PULUMI.Qa.YML"), "config: {}\n");
    fs.writeFileSync(path.join(folder, "Pulumi.yaml"), "name: x\n");
    fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml.bak"), "");
    fs.writeFileSync(path.join(folder, "xPulumi.dev.yaml"), "");
    fs.symlinkSync("missing", path.join(folder, "Pulumi.gone.yaml"));
    fs.symlinkSync("Pulumi.loop.yaml", path.join(folder, "Pulumi.loop.yaml"));
    const entries = stackFileEntries(folder).sort((a, b) => a.stack.localeCompare(b.stack));
    const dev = fs.statSync(stackPath(folder, "dev"), { bigint: true });
    const qa = fs.statSync(path.join(folder, "PULUMI.Qa.YML"), { bigint: true });
    assert.deepEqual(
      entries.map(({ fileName, stack, identity }) => ({ fileName, stack, identity: identity && { dev: identity.dev, ino: identity.ino } })),
      [
        { fileName: "Pulumi.dev.yaml", stack: "dev", identity: { dev: dev.dev, ino: dev.ino } },
        { fileName: "Pulumi.gone.yaml", stack: "gone", identity: undefined },
        { fileName: "Pulumi.loop.yaml", stack: "loop", identity: undefined },
        { fileName: "PULUMI.Qa.YML", stack: "Qa", identity: { dev: qa.dev, ino: qa.ino } },
      ],
    );
  });

  it("passes on an error other than a name that opens nothing", () => {
    const folder = folderWith({ dev: "config: {}\n" });
    replaceFs("statSync", () => () => {
      throw Object.assign(new Error("EIO: i/o error, stat"), { code: "EIO" });
    });
    assert.throws(() => stackFileEntries(folder), /EIO/);
  });

  it("refuses a target that is a production stack's file under another name", () => {
    const folder = folderWith({ qa: committed("dev") });
    // Pulumi.qa.yaml is a regular file of its own; Pulumi.prod.yaml, a link to it, names production.
    fs.symlinkSync("Pulumi.qa.yaml", stackPath(folder, "prod"));
    assert.throws(() => inspectTarget(folder, "qa"), { constructor: EditRefused, message: "refusing to write Pulumi.qa.yaml: it is the same file as Pulumi.prod.yaml, a production stack's file" });
  });

  it("turns the reader's refusals into the writer's, and reads a source through a link", () => {
    const folder = folderWith({ dev: committed("dev") });
    fs.symlinkSync("Pulumi.dev.yaml", stackPath(folder, "qa"));
    assert.throws(() => inspectTarget(folder, "qa"), { constructor: EditRefused, message: "Pulumi.qa.yaml is a symbolic link; a stack file must be a regular file of its own" });
    assert.equal(readStackSource(folder, "qa").text, committed("dev"));
    assert.throws(() => readStackSource(folder, "none"), EditRefused);
  });
});

describe("an edit of a stack file, in this process", () => {
  const staged = committed("dev").replace("logFormat: json", "logFormat: text");
  /** An edit of dev that sets logFormat to text; `during` runs under the lock, after the target is read. */
  function edit(folder: string, during: (target: InspectedTarget) => void = () => undefined, overrides: Partial<StackFileEdit<PlannedEdit>> = {}): Promise<unknown> {
    return editStackFile({
      directory: folder,
      stack: "dev",
      dryRun: false,
      lock: { timeoutSeconds: 0, command: "test" },
      admit: () => undefined,
      plan: (target) => {
        during(target);
        return { updatedText: target.text.replace("logFormat: json", "logFormat: text") };
      },
      ...overrides,
    });
  }

  it("writes the new text with the file's mode, backs up the old, and leaves no lock or temporary file", async () => {
    const folder = folderWith({ dev: committed("dev") });
    fs.chmodSync(stackPath(folder, "dev"), 0o600);
    const outcome = (await edit(folder)) as { kind: string; backupFile: string; updatedText: string };
    assert.equal(outcome.kind, "written");
    assert.equal(read(folder, "dev"), staged);
    assert.equal(outcome.updatedText, staged);
    assert.equal(modeOf(stackPath(folder, "dev")), 0o600);
    assert.equal(fs.readFileSync(outcome.backupFile, "utf8"), committed("dev"));
    assert.equal(modeOf(outcome.backupFile), 0o600);
    assert.deepEqual(leftovers(folder), [".pulumi-backups", `.pulumi-backups/${path.basename(outcome.backupFile)}`]);
  });

  it("takes no lock and writes nothing on a dry run, nor for an unchanged or invalid edit", async () => {
    const folder = folderWith({ dev: committed("dev") });
    const dryRun = (await edit(folder, () => assert.equal(fs.existsSync(`${stackPath(folder, "dev")}.lock`), false), { dryRun: true })) as { kind: string; updatedText: string };
    assert.deepEqual([dryRun.kind, dryRun.updatedText], ["dry-run", staged]);
    const unchanged = (await edit(folder, undefined, { plan: () => ({ updatedText: undefined }) })) as { kind: string };
    assert.equal(unchanged.kind, "unchanged");
    const invalid = (await edit(folder, undefined, { plan: (target) => ({ updatedText: target.text.replace("logFormat: json", "logFormat: loud") }) })) as { kind: string; problems: string[] };
    assert.equal(invalid.kind, "invalid");
    assert.ok(invalid.problems.length > 0);
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.deepEqual(leftovers(folder), []);
  });

  it("asks admit before the lock and again under it", async () => {
    const folder = folderWith({ dev: committed("dev") });
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    const admitted: boolean[] = [];
    await edit(folder, undefined, { admit: () => void admitted.push(fs.existsSync(lockFile)) });
    assert.deepEqual(admitted, [false, true]);
    const message = await refusal(edit(folder, undefined, { admit: () => {
      throw new EditRefused("not this one");
    } }), EditRefused);
    assert.equal(message, "not this one");
    assert.equal(fs.existsSync(lockFile), false);
  });

  it("refuses a target that spells a key otherwise", async () => {
    const folder = folderWith({ dev: committed("dev").replace("trading-bot:network:", "trading-bot:config:network:") });
    assert.equal(
      await refusal(edit(folder), EditRefused),
      "refusing to write Pulumi.dev.yaml: it spells trading-bot:network as trading-bot:config:network, which the tools do not edit; write it as trading-bot:network (the Pulumi CLI reads both)",
    );
  });

  const changes: [what: string, change: (file: string, lockFile: string) => void, refusal: (lockFile: string) => string][] = [
    ["replaced", (file) => {
      fs.writeFileSync(`${file}.new`, committed("dev"));
      fs.renameSync(`${file}.new`, file);
    }, () => "refusing to write Pulumi.dev.yaml: it was replaced, linked or removed while this run held its lock; nothing written"],
    ["removed", (file) => fs.rmSync(file), () => "refusing to write Pulumi.dev.yaml: it was replaced, linked or removed while this run held its lock; nothing written"],
    ["given a second name", (file) => fs.linkSync(file, `${file}.second`), () => "refusing to write Pulumi.dev.yaml: it was replaced, linked or removed while this run held its lock; nothing written"],
    ["swapped for a link to itself", (file) => {
      fs.renameSync(file, `${file}.real`);
      fs.symlinkSync(`${file}.real`, file);
    }, () => "refusing to write Pulumi.dev.yaml: it was replaced, linked or removed while this run held its lock; nothing written"],
    ["its lock removed", (_file, lockFile) => fs.rmSync(lockFile), (lockFile) => `refusing to write Pulumi.dev.yaml: its lock file ${lockFile} was removed or replaced while this run held it; nothing written`],
    ["written in place", (file) => fs.appendFileSync(file, "# an editor's save\n"), () => "refusing to write Pulumi.dev.yaml: it was changed while this run held its lock (an editor or a tool that takes no lock); nothing written, run again"],
  ];
  for (const [what, change, message] of changes) {
    it(`refuses to rename over a target ${what} under the lock, and leaves no temporary file`, async () => {
      const folder = folderWith({ dev: committed("dev") });
      const file = stackPath(folder, "dev");
      assert.equal(await refusal(edit(folder, () => change(file, `${file}.lock`)), EditRefused), message(`${file}.lock`));
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), []);
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });
  }

  it("stops at each step its test hook names, saying so, and only there", async () => {
    const folder = folderWith({ dev: committed("dev") });
    const file = stackPath(folder, "dev");
    const seen: Record<string, string[]> = {};
    const snapshot = () => fs.readdirSync(folder).filter((name) => name !== ".pulumi-backups").sort();
    const steps = ["locked", "backed up", "temporary file created", "temporary file written", "temporary file synced", "renamed", "folder synced"];
    try {
      for (const step of steps) {
        fs.writeFileSync(file, committed("dev"));
        process.env.STACK_FILE_WRITER_TEST_PAUSE = `${step}:1`;
        const { stderr } = await stderrOf(() => edit(folder), () => void (seen[step] = snapshot()));
        assert.equal(stderr, `stack-file-writer: test pause at ${step}\n`);
      }
      process.env.STACK_FILE_WRITER_TEST_PAUSE = "no such step:1";
      fs.writeFileSync(file, committed("dev"));
      assert.equal((await stderrOf(() => edit(folder))).stderr, "");
      process.env.STACK_FILE_WRITER_TEST_PAUSE = "locked:300";
      fs.writeFileSync(file, committed("dev"));
      const started = Date.now();
      await stderrOf(() => edit(folder));
      assert.ok(Date.now() - started >= 290, "it waits the milliseconds given");
    } finally {
      delete process.env.STACK_FILE_WRITER_TEST_PAUSE;
    }
    const temporary = /^\.Pulumi\.dev\.yaml\.(\d+)\.[0-9a-f]{12}\.tmp$/;
    assert.deepEqual(seen.locked, ["Pulumi.dev.yaml", "Pulumi.dev.yaml.lock"]);
    assert.deepEqual(seen["backed up"], ["Pulumi.dev.yaml", "Pulumi.dev.yaml.lock"]);
    for (const step of ["temporary file created", "temporary file written", "temporary file synced"]) {
      assert.equal(seen[step].length, 3, step);
      const match = temporary.exec(seen[step][0]);
      assert.ok(match, seen[step][0]);
      assert.equal(Number(match[1]), process.pid);
    }
    assert.deepEqual(seen.renamed, ["Pulumi.dev.yaml", "Pulumi.dev.yaml.lock"]);
  });

  it("writes the temporary file whole, with the target's mode whatever the umask", async () => {
    const folder = folderWith({ dev: committed("dev") });
    fs.chmodSync(stackPath(folder, "dev"), 0o664);
    const umask = process.umask(0o077);
    let temporaryText = "";
    let temporaryMode = 0;
    try {
      process.env.STACK_FILE_WRITER_TEST_PAUSE = "temporary file synced:1";
      await stderrOf(() => edit(folder), () => {
        const name = fs.readdirSync(folder).find((entry) => entry.endsWith(".tmp")) as string;
        temporaryText = fs.readFileSync(path.join(folder, name), "utf8");
        temporaryMode = modeOf(path.join(folder, name));
      });
    } finally {
      delete process.env.STACK_FILE_WRITER_TEST_PAUSE;
      process.umask(umask);
    }
    assert.equal(temporaryText, staged);
    assert.equal(temporaryMode, 0o664);
    assert.equal(modeOf(stackPath(folder, "dev")), 0o664);
  });

  it("syncs the backup, the temporary file and the folder before it returns", async () => {
    const folder = folderWith({ dev: committed("dev") });
    const syncs = countCalls("fsyncSync");
    await edit(folder);
    assert.equal(syncs.calls.length, 4, "backup file, backup folder, temporary file, stack folder");
  });

  it("on a full disk while writing the new file: the target as it was, a whole backup, no lock or temporary file", async () => {
    const folder = folderWith({ dev: committed("dev") });
    let writes = 0;
    replaceFs("writeSync", (original) => (...args: Parameters<typeof fs.writeSync>) => {
      writes += 1;
      if (writes === 3) return 0;
      return (original as (...a: unknown[]) => number)(...args);
    });
    await assert.rejects(edit(folder), /ENOSPC/);
    assert.equal(read(folder, "dev"), committed("dev"));
    const left = leftovers(folder);
    assert.equal(left.length, 2, String(left));
    assert.equal(fs.readFileSync(path.join(folder, left[1]), "utf8"), committed("dev"));
  });

  it("an interruption while it writes removes its lock and temporary file; the run then refuses to rename", async () => {
    const folder = folderWith({ dev: committed("dev") });
    const before = process.listenerCount("SIGTERM");
    const codes: number[] = [];
    const realExit = process.exit;
    let message = "";
    try {
      process.env.STACK_FILE_WRITER_TEST_PAUSE = "temporary file written:1";
      process.exit = ((code: number) => void codes.push(code)) as typeof process.exit;
      await stderrOf(async () => {
        message = await refusal(edit(folder), EditRefused);
      }, () => {
        assert.equal(process.listenerCount("SIGTERM"), before + 1);
        (process.listeners("SIGTERM").at(-1) as (signal: string) => void)("SIGTERM");
      });
    } finally {
      process.exit = realExit;
      delete process.env.STACK_FILE_WRITER_TEST_PAUSE;
    }
    assert.deepEqual(codes, [143]);
    assert.equal(message, `refusing to write Pulumi.dev.yaml: its lock file ${stackPath(folder, "dev")}.lock was removed or replaced while this run held it; nothing written`);
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp") || name.endsWith(".lock")), []);
    assert.equal(process.listenerCount("SIGTERM"), before);
  });
});
