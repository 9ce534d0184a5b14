// The safe stack file writer (tools/common/stackFileWriter.ts): crash, signals, concurrent runs
// and the lock through env-sync and promote as child processes; the file's form (line endings,
// mode bits, backups) through env-sync in this process; its pure pieces in-process.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { describeSystemError } from "../tools/common/stackFileCli";
import { stackFileMaxBytes } from "../packages/stack-files/src/stackFile";
import { EditRefused, keepLineEndings, keepUntouchedLines, parseStackText, productionTwin, writeBackup } from "../tools/common/stackFileWriter";
import { main as envSyncMain } from "../tools/envSync/index";
import { inProcess, repoRoot } from "./helpers";
import { backupsIn, committed, fingerprint, folderWith, leftovers, pauseAt, pauseMarker, read, runTool, startTool, stackPath, temporaryFolder } from "./stackFileTools";

/** A source whose shared keys differ from dev's (env-sync staging -> dev changes two lines). */
const staging = committed("dev").replace("logFormat: json", "logFormat: text").replace("symbol: BTCUSDT", "symbol: ETHUSDT");
const configOf = (text: string) => (YAML.parse(text) as { config: Record<string, any> }).config;

/** env-sync run in this process, for what it writes (signals, crashes and the lock need a child process). */
const envSyncHere = (folder: string, args: string[]) => inProcess(() => envSyncMain(["-C", folder, ...args], { projectRoot: repoRoot }));

let syncedDevText: Promise<string> | undefined;
/** dev as env-sync --from staging --to dev leaves it, made once in its own folder (the tests only read it). */
function syncedDev(): Promise<string> {
  syncedDevText ??= (async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = await envSyncHere(folder, ["--from", "staging", "--to", "dev"]);
    assert.equal(run.status, 0, run.stderr);
    return read(folder, "dev");
  })();
  return syncedDevText;
}

/** The writer's steps, in order, as its test hook names them. */
const steps = ["locked", "backed up", "temporary file created", "temporary file written", "temporary file synced", "renamed", "folder synced"];

describe("the stack file writer survives SIGKILL at any step", () => {
  it("leaves the target byte for byte the old or the new file, whatever step the kill lands on (and observes both)", async () => {
    const expected = await syncedDev();
    const seen: Record<string, "old" | "new"> = {};
    for (const step of steps) {
      const folder = folderWith({ dev: committed("dev"), staging });
      const writer = startTool("envSync", folder, ["--from", "staging", "--to", "dev"], pauseAt(step, 60000));
      await writer.waitForStderr(pauseMarker(step));
      writer.child.kill("SIGKILL");
      const end = await writer.finished;
      assert.equal(end.signal, "SIGKILL");
      const after = read(folder, "dev");
      assert.ok(after === committed("dev") || after === expected, `after a kill at "${step}" the target is neither file: ${JSON.stringify(after.slice(0, 200))}`);
      seen[step] = after === expected ? "new" : "old";
    }
    // Before the rename the old file, from the rename on the new one: never anything else.
    assert.deepEqual(seen, {
      locked: "old",
      "backed up": "old",
      "temporary file created": "old",
      "temporary file written": "old",
      "temporary file synced": "old",
      renamed: "new",
      "folder synced": "new",
    });
    const outcomes = Object.values(seen);
    const count = (outcome: string) => outcomes.filter((seenOutcome) => seenOutcome === outcome).length;
    console.log(`      SIGKILL at ${steps.length} steps: ${count("old")} left the old file, ${count("new")} the new one, 0 anything else`);
  });

  it("explains the lock a killed run leaves, naming the file to delete, and writes nothing", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const writer = startTool("envSync", folder, ["--from", "staging", "--to", "dev"], pauseAt("temporary file written", 60000));
    await writer.waitForStderr(pauseMarker("temporary file written"));
    const killedPid = writer.child.pid as number;
    writer.child.kill("SIGKILL");
    await writer.finished;
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    const holder = JSON.parse(fs.readFileSync(lockFile, "utf8"));
    const run = runTool("envSync", folder, ["--from", "staging", "--to", "dev"]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `env-sync: Pulumi.dev.yaml is locked by pid ${killedPid} on ${os.hostname()} since ${holder.startedAt} (env-sync --from staging --to dev), which is not running any more (killed or crashed mid-run); nothing was written. ` +
        `If no env-sync or promote is running, delete ${lockFile} and run again\n`,
    );
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.ok(fs.existsSync(lockFile), "a stale lock is explained, never broken silently");
  });
});

describe("the stack file writer and interruptions", () => {
  for (const [signal, status] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`removes its lock and temporary file on ${signal} and leaves the old file (exit ${status})`, async () => {
      const folder = folderWith({ dev: committed("dev"), staging });
      const writer = startTool("envSync", folder, ["--from", "staging", "--to", "dev"], pauseAt("temporary file written", 60000));
      await writer.waitForStderr(pauseMarker("temporary file written"));
      assert.equal(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp") || name.endsWith(".lock")).length, 2, "lock and temporary file exist mid-run");
      writer.child.kill(signal);
      const end = await writer.finished;
      assert.equal(end.status, status);
      assert.equal(read(folder, "dev"), committed("dev"));
      assert.deepEqual(fs.readdirSync(folder).sort(), [".pulumi-backups", "Pulumi.dev.yaml", "Pulumi.staging.yaml"]);
    });
  }

  it("removes the lock only if it is still its own, and then refuses to write", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    const writer = startTool("envSync", folder, ["--from", "staging", "--to", "dev"], pauseAt("locked", 1000));
    await writer.waitForStderr(pauseMarker("locked"));
    // Someone deletes the lock by hand and another run takes it.
    fs.rmSync(lockFile);
    const other = JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command: "another run" });
    fs.writeFileSync(lockFile, other);
    const end = await writer.finished;
    assert.equal(end.status, 2);
    assert.match(end.stderr, new RegExp(`^env-sync: refusing to write Pulumi\\.dev\\.yaml: its lock file ${lockFile.replace(/[.]/g, "\\.")} was removed or replaced while this run held it; nothing written$`, "m"));
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.equal(fs.readFileSync(lockFile, "utf8"), other, "the other run's lock stays");
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".tmp")), []);
  });
});

describe("the stack file writer checks the target again under the lock", () => {
  /** Starts a sync into dev that pauses at `step`, lets `swap` change dev meanwhile, and returns how it ended. */
  async function swapDuring(step: string, swap: (folder: string) => void) {
    const folder = folderWith({ dev: committed("dev"), staging, prod: committed("prod") });
    const prodBefore = fingerprint(stackPath(folder, "prod"));
    const writer = startTool("envSync", folder, ["--from", "staging", "--to", "dev"], pauseAt(step, 1500));
    await writer.waitForStderr(pauseMarker(step));
    swap(folder);
    const end = await writer.finished;
    assert.deepEqual(fingerprint(stackPath(folder, "prod")), prodBefore, "prod's bytes and mtime");
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".lock") || name.endsWith(".tmp")), []);
    return end;
  }
  const linkToProd = (folder: string) => {
    fs.rmSync(stackPath(folder, "dev"));
    fs.symlinkSync("Pulumi.prod.yaml", stackPath(folder, "dev"));
  };

  it("refuses a target swapped for a link to prod while the run waited for its lock", async () => {
    const end = await swapDuring("locked", linkToProd);
    assert.equal(end.status, 2);
    assert.equal(end.stderr, `${pauseMarker("locked")}env-sync: Pulumi.dev.yaml is a symbolic link; a stack file must be a regular file of its own\n`);
  });

  it("refuses to rename over a target swapped for a link to prod after it was read", async () => {
    const end = await swapDuring("temporary file synced", linkToProd);
    assert.equal(end.status, 2);
    assert.equal(
      end.stderr,
      `${pauseMarker("temporary file synced")}env-sync: refusing to write Pulumi.dev.yaml: it was replaced, linked or removed while this run held its lock; nothing written\n`,
    );
  });

  it("refuses to rename over a target given a second name (a hard link) after it was read", async () => {
    const end = await swapDuring("temporary file synced", (folder) => fs.linkSync(stackPath(folder, "dev"), path.join(folder, "elsewhere.yaml")));
    assert.equal(end.status, 2);
    assert.match(end.stderr, /env-sync: refusing to write Pulumi\.dev\.yaml: it was replaced, linked or removed while this run held its lock; nothing written\n$/);
  });
});

describe("the stack file writer refuses hostile stack files in one line", () => {
  const aliasBomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]"]
    .map((line) => `  ${line}`)
    .join("\n");
  const cases: [string, string, string][] = [
    ["invalid YAML", "config: [1, 2\n", "Pulumi.qa.yaml line 2: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:"],
    ["a key given twice", "config:\n  a: 1\n  a: 2\n", "Pulumi.qa.yaml line 3: not valid YAML: Map keys must be unique at line 3, column 3:"],
    ["two documents", "config: {}\n---\nconfig: {}\n", "Pulumi.qa.yaml line 2: not valid YAML: Source contains multiple documents; please use YAML.parseAllDocuments() at line 2, column 1:"],
    ["an alias bomb", `config:\n${aliasBomb}\n`, 'Pulumi.qa.yaml: its YAML aliases expand beyond 100 (an alias bomb, "billion laughs"): write the values out'],
    ["config that is not a mapping", "config: 3\n", 'Pulumi.qa.yaml: "config" must be a mapping of keys to values'],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseStackText("qa", text), (error: Error) => error instanceof EditRefused && error.message === message);
    });
  }

  it("sees production through a merge key, as the Pulumi CLI reads it", () => {
    const read = parseStackText("qa", "base: &base\n  trading-bot:environment: production\nconfig:\n  <<: *base\n");
    assert.equal(read.productionReason, "its stack file says trading-bot:environment: production");
  });

  it("refuses, as a child process, an alias bomb target and a file over the size limit (exit 2, no stack trace)", () => {
    const bigText = `# ${"x".repeat(stackFileMaxBytes)}\nconfig: {}\n`;
    const folder = folderWith({ staging, qa: `config:\n${aliasBomb}\n`, big: bigText });
    const bomb = runTool("envSync", folder, ["--from", "staging", "--to", "qa"]);
    assert.equal(bomb.status, 2);
    assert.equal(bomb.stderr, 'env-sync: Pulumi.qa.yaml: its YAML aliases expand beyond 100 (an alias bomb, "billion laughs"): write the values out\n');
    const big = runTool("envSync", folder, ["--from", "staging", "--to", "big"]);
    assert.equal(big.status, 2);
    assert.equal(big.stderr, "env-sync: Pulumi.big.yaml is 1.0 MiB; a stack file may hold at most 1 MiB\n");
    assert.deepEqual(leftovers(folder), []);
  });
});

describe("the stack file writer and concurrent runs", () => {
  const digest = `123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot@sha256:${"0123456789abcdef".repeat(4)}`;
  /** dev with a pinned image, a staging stack to write, and qa whose shared keys differ from staging's. */
  function promotionFolder(): string {
    const dev = committed("dev").replace(/image: \S+trading-bot:dev/, `image: ${digest}`);
    const stagingStack = committed("dev").replace("environment: development", "environment: staging");
    const qa = stagingStack.replace("logFormat: json", "logFormat: text");
    return folderWith({ dev, staging: stagingStack, qa });
  }
  const bothChanges = (text: string) => {
    const app = configOf(text)["trading-bot:app"];
    return { image: app.image === digest, logFormat: app.logFormat === "text" };
  };

  it("lets a second run wait for the lock, then apply its change on top of the first's (both changes kept)", async () => {
    const folder = promotionFolder();
    const first = startTool("envSync", folder, ["--from", "qa", "--to", "staging"], pauseAt("locked", 1500));
    await first.waitForStderr(pauseMarker("locked"));
    const second = startTool("promote", folder, ["--from", "dev", "--to", "staging"]);
    const [a, b] = await Promise.all([first.finished, second.finished]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.deepEqual(bothChanges(read(folder, "staging")), { image: true, logFormat: true });
    assert.equal(backupsIn(folder).length, 2);
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith(".lock") || name.endsWith(".tmp")), []);
  });

  it("never loses the change of a run that exits 0 when two start at once (5 rounds)", async () => {
    for (let round = 0; round < 5; round++) {
      const folder = promotionFolder();
      const runs = [startTool("envSync", folder, ["--from", "qa", "--to", "staging"]), startTool("promote", folder, ["--from", "dev", "--to", "staging"])];
      const [sync, promote] = await Promise.all(runs.map((run) => run.finished));
      // The second waits for the first's lock (10 s by default, far more than a run takes): both succeed.
      assert.equal(sync.status, 0, `round ${round}: ${sync.stderr}`);
      assert.equal(promote.status, 0, `round ${round}: ${promote.stderr}`);
      assert.deepEqual(bothChanges(read(folder, "staging")), { image: true, logFormat: true }, `round ${round}: a change is gone`);
    }
  });

  it("refuses after --lock-timeout while another live run holds the lock, saying who (exit 2)", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    const startedAt = new Date(Date.now() - 90 * 60_000 - 5000).toISOString();
    const holder = { pid: process.pid, hostname: os.hostname(), startedAt, command: "promote --from dev --to staging" };
    fs.writeFileSync(lockFile, JSON.stringify(holder));
    const run = runTool("envSync", folder, ["--from", "staging", "--to", "dev", "--lock-timeout", "0.5"]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `env-sync: Pulumi.dev.yaml is locked by another run: pid ${process.pid} on ${os.hostname()} since ${startedAt} (promote --from dev --to staging), 1 h 30 min ago; waited 0.5 s (--lock-timeout). ` +
        `Run again when it has finished; if pid ${process.pid} is no env-sync or promote (its number taken by another process since the holder was killed), delete ${lockFile}\n`,
    );
    assert.equal(read(folder, "dev"), committed("dev"));
    assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(holder), "another run's lock is never removed");
    assert.deepEqual(backupsIn(folder), []);
  });

  it("explains a stale lock (its pid is not running on this host) instead of breaking it (exit 2)", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const folder = folderWith({ dev: committed("dev"), staging });
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    fs.writeFileSync(lockFile, JSON.stringify({ pid: gone, hostname: os.hostname(), startedAt: "2025-01-31T12:00:00.000Z", command: "env-sync --from staging --to dev" }));
    const run = runTool("envSync", folder, ["--from", "staging", "--to", "dev"]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `env-sync: Pulumi.dev.yaml is locked by pid ${gone} on ${os.hostname()} since 2025-01-31T12:00:00.000Z (env-sync --from staging --to dev), which is not running any more (killed or crashed mid-run); nothing was written. ` +
        `If no env-sync or promote is running, delete ${lockFile} and run again\n`,
    );
    assert.ok(fs.existsSync(lockFile));
    assert.equal(read(folder, "dev"), committed("dev"));
  });

  it("refuses a lock file that does not say who holds it once --lock-timeout is over (exit 2)", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const lockFile = `${stackPath(folder, "dev")}.lock`;
    fs.writeFileSync(lockFile, "");
    const run = runTool("envSync", folder, ["--from", "staging", "--to", "dev", "--lock-timeout", "0"]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `env-sync: Pulumi.dev.yaml is locked by a run that does not say who it is (${lockFile} is empty or not a lock file); waited 0 s. If no env-sync or promote is running, delete ${lockFile} and run again\n`,
    );
  });

  it("refuses a --lock-timeout that is not a number of seconds (exit 2)", () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = runTool("envSync", folder, ["--from", "staging", "--to", "dev", "--lock-timeout", "soon"]);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "error: option '--lock-timeout <seconds>' argument 'soon' is invalid. allowed: seconds from 0 to 3600\n");
  });
});

describe("the stack file writer keeps the file's form", () => {
  it("keeps CRLF line endings", async () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const folder = folderWith({ dev: crlf(committed("dev")), staging });
    const run = await envSyncHere(folder, ["--from", "staging", "--to", "dev"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(read(folder, "dev"), crlf(await syncedDev()));
    assert.doesNotMatch(run.stdout, /\r/, "the diff is shown without carriage returns");
  });

  it("keeps the target's mode bits", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    fs.chmodSync(stackPath(folder, "dev"), 0o640);
    const run = await envSyncHere(folder, ["--from", "staging", "--to", "dev"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.statSync(stackPath(folder, "dev")).mode & 0o7777, 0o640);
    assert.equal(read(folder, "dev"), await syncedDev());
  });

  it("gives two runs two backups, each the file as it was before that run", async () => {
    const folder = folderWith({ dev: committed("dev"), staging, qa: committed("dev") });
    assert.equal((await envSyncHere(folder, ["--from", "staging", "--to", "dev"])).status, 0);
    const afterFirst = read(folder, "dev");
    assert.equal((await envSyncHere(folder, ["--from", "qa", "--to", "dev"])).status, 0);
    const backups = backupsIn(folder);
    assert.equal(backups.length, 2);
    const contents = backups.map((name) => fs.readFileSync(path.join(folder, ".pulumi-backups", name), "utf8")).sort();
    assert.deepEqual(contents, [committed("dev"), afterFirst].sort());
    assert.deepEqual(fs.readdirSync(folder).sort(), [".pulumi-backups", "Pulumi.dev.yaml", "Pulumi.qa.yaml", "Pulumi.staging.yaml"], "no lock or temporary file left");
  });
});

describe("the stack file writer's pieces", () => {
  const time = new Date("2025-01-31T12:00:00.000Z");

  it("never overwrites a backup: the same time and pid get .1, .2, and a file (or link) already there stays", () => {
    const folder = temporaryFolder("backup-test-");
    fs.mkdirSync(path.join(folder, ".pulumi-backups"));
    const taken = path.join(folder, ".pulumi-backups", "Pulumi.dev.yaml.2025-01-31T12-00-00-000Z.4242");
    fs.writeFileSync(taken, "an older backup\n");
    const decoy = path.join(folder, "decoy");
    fs.writeFileSync(decoy, "not a backup\n");
    fs.symlinkSync(decoy, `${taken}.1`);
    const first = writeBackup(folder, "Pulumi.dev.yaml", "first\n", 0o600, time, 4242);
    const second = writeBackup(folder, "Pulumi.dev.yaml", "second\n", 0o600, time, 4242);
    assert.equal(first, `${taken}.2`);
    assert.equal(second, `${taken}.3`);
    assert.equal(fs.readFileSync(taken, "utf8"), "an older backup\n");
    assert.equal(fs.readFileSync(decoy, "utf8"), "not a backup\n", "a link at a backup's name is never written through");
    assert.equal(fs.readFileSync(first, "utf8"), "first\n");
    assert.equal(fs.readFileSync(second, "utf8"), "second\n");
  });

  it("finds a production stack's file with the target's device and inode under another name (a disk that ignores case)", () => {
    const prodFile = { dev: 2049n, ino: 131075n };
    const entries = [
      { fileName: "Pulumi.dev.yaml", stack: "dev", identity: { dev: 2049n, ino: 131074n } },
      { fileName: "Pulumi.prod.yaml", stack: "prod", identity: prodFile },
      { fileName: "Pulumi.broken.yaml", stack: "broken", identity: undefined },
    ];
    // Pulumi.Prod.yaml opens Pulumi.prod.yaml with no link at all: the same dev and ino.
    assert.equal(productionTwin({ dev: 2049n, ino: 131075n }, "Pulumi.Prod.yaml", entries, "production"), "Pulumi.prod.yaml");
    assert.equal(productionTwin({ dev: 2049n, ino: 131075n }, "Pulumi.qa.yaml", entries, undefined), "Pulumi.prod.yaml", "prod by its name");
    // Same inode number on another device: another file.
    assert.equal(productionTwin({ dev: 2050n, ino: 131075n }, "Pulumi.qa.yaml", entries, "production"), undefined);
    // Its own entry is not a twin; dev's file under another name is not production.
    assert.equal(productionTwin(prodFile, "Pulumi.prod.yaml", entries, "production"), undefined);
    assert.equal(productionTwin({ dev: 2049n, ino: 131074n }, "Pulumi.qa.yaml", entries, "development"), undefined);
    // A non-production name sharing a file whose content says production.
    const live = [{ fileName: "Pulumi.live.yaml", stack: "live", identity: { dev: 7n, ino: 9n } }];
    assert.equal(productionTwin({ dev: 7n, ino: 9n }, "Pulumi.qa.yaml", live, "production"), "Pulumi.live.yaml");
    assert.equal(productionTwin({ dev: 7n, ino: 9n }, "Pulumi.qa.yaml", live, "staging"), undefined);
  });

  it("turns an operating-system error into one line, and leaves any other error to its stack trace", () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/srv/.Pulumi.dev.yaml.1.tmp'"), { code: "EACCES", syscall: "open" });
    assert.equal(describeSystemError(denied), "EACCES: permission denied, open '/srv/.Pulumi.dev.yaml.1.tmp'");
    assert.equal(describeSystemError(new TypeError("x is undefined")), undefined);
  });

  it("keeps every line an edit does not change as it was, however the YAML round trip writes it", () => {
    const original = "config:\n  a: [x]   # unpadded\n  b: { y: 1 }\n  c: old\n";
    const document = YAML.parseDocument(original);
    const roundTrip = document.toString({ lineWidth: 0 });
    assert.notEqual(roundTrip, original, "the round trip alone rewrites untouched lines");
    document.setIn(["config", "c"], "new");
    assert.equal(keepUntouchedLines(original, roundTrip, document.toString({ lineWidth: 0 })), original.replace("c: old", "c: new"));
    // When the original lines cannot be lined up with the round trip's, the edited text as the library writes it.
    const folded = "config: {\n  c: old }\n";
    const foldedDocument = YAML.parseDocument(folded);
    const foldedRoundTrip = foldedDocument.toString({ lineWidth: 0 });
    foldedDocument.setIn(["config", "c"], "new");
    const edited = foldedDocument.toString({ lineWidth: 0 });
    assert.equal(keepUntouchedLines(folded, foldedRoundTrip, edited), edited);
  });

  it("gives LF text back the CRLF endings and byte order mark of the file it replaces", () => {
    assert.equal(keepLineEndings("a: 1\r\nb: 2\r\n", "a: 1\nb: 3\n"), "a: 1\r\nb: 3\r\n");
    assert.equal(keepLineEndings("a: 1\nb: 2\n", "a: 1\nb: 3\n"), "a: 1\nb: 3\n");
    assert.equal(keepLineEndings("\uFEFFa: 1\r\n", "a: 2\n"), "\uFEFFa: 2\r\n");
  });
});
