// A lock left by a run on another host (each CI container has its own host name) is
// explained: its file, its holder, its age and what to check; `--break-lock <pid>@<host>`
// removes exactly that holder's lock. Run in this process: what is tested is the decision and
// its words (live processes and signals are tested in stackFileWriter.test.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import { ageOf, parseHolderName } from "../tools/common/fileLock";
import { main as envSync } from "../tools/envSync/index";
import { inProcess, repoRoot } from "./helpers";
import { committed, folderWith, read, stackPath } from "./stackFileTools";

const staging = committed("staging").replace("logFormat: json", "logFormat: text");
const context = { projectRoot: repoRoot };
/** A holder on another host, whose lock is 26 hours old when the test writes it. */
const otherHostHolder = () => ({ pid: 4242, hostname: "ci-runner-7", startedAt: new Date(Date.now() - 26 * 3600_000).toISOString(), command: "env-sync --from staging --to dev" });

function lockedFolder(holder: object): { folder: string; lockFile: string } {
  const folder = folderWith({ dev: committed("dev"), staging });
  const lockFile = `${stackPath(folder, "dev")}.lock`;
  fs.writeFileSync(lockFile, JSON.stringify(holder));
  return { folder, lockFile };
}

describe("a lock another host left", () => {
  it("is explained with its file, holder, age and what to check, and kept", async () => {
    const otherHost = otherHostHolder();
    const { startedAt } = otherHost;
    const { folder, lockFile } = lockedFolder(otherHost);
    const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder, "--lock-timeout", "0"], context));
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `env-sync: Pulumi.dev.yaml is locked by another run: pid 4242 on ci-runner-7 since ${startedAt} (env-sync --from staging --to dev), 26 h 0 min ago; waited 0 s (--lock-timeout). ` +
        `Its host is not this one (${os.hostname()}), so this run cannot tell whether it still runs. ` +
        `Check that no env-sync or promote runs on ci-runner-7 (a cancelled CI job, another machine), then run again with --break-lock 4242@ci-runner-7, or delete ${lockFile}\n`,
    );
    assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(otherHost));
    assert.equal(read(folder, "dev"), committed("dev"));
  });

  it("is removed by --break-lock naming exactly its holder, and the edit goes on", async () => {
    const { startedAt } = otherHostHolder();
    const { folder, lockFile } = lockedFolder({ ...otherHostHolder(), startedAt });
    const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder, "--break-lock", "4242@ci-runner-7"], context));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, `removed the lock ${lockFile} of pid 4242 on ci-runner-7 since ${startedAt} (env-sync --from staging --to dev) (--break-lock)\n`);
    assert.match(read(folder, "dev"), /logFormat: text/);
    assert.equal(fs.existsSync(lockFile), false, "and the run's own lock is released");
  });

  const wrongHolders: [given: string, message: (lockFile: string) => string][] = [
    ["4243@ci-runner-7", () => "--break-lock 4243@ci-runner-7: Pulumi.dev.yaml is locked by pid 4242 on ci-runner-7, not by 4243@ci-runner-7; nothing removed"],
    ["4242@CI-RUNNER-7", () => "--break-lock 4242@CI-RUNNER-7: Pulumi.dev.yaml is locked by pid 4242 on ci-runner-7, not by 4242@CI-RUNNER-7; nothing removed"],
    ["4242@ci-runner", () => "--break-lock 4242@ci-runner: Pulumi.dev.yaml is locked by pid 4242 on ci-runner-7, not by 4242@ci-runner; nothing removed"],
  ];
  for (const [given, message] of wrongHolders) {
    it(`is kept when --break-lock names another holder (${given})`, async () => {
      const otherHost = otherHostHolder();
      const { folder, lockFile } = lockedFolder(otherHost);
      const sync = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder, "--break-lock", given], context));
      assert.deepEqual(sync, { status: 2, stdout: "", stderr: `env-sync: ${message(lockFile)}\n` });
      assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(otherHost));
    });
  }

  it("is kept when its holder runs on this host, whatever --break-lock says", async () => {
    const live = { ...otherHostHolder(), pid: process.pid, hostname: os.hostname() };
    const { folder, lockFile } = lockedFolder(live);
    const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder, "--break-lock", `${process.pid}@${os.hostname()}`], context));
    assert.deepEqual(run, { status: 2, stdout: "", stderr: `env-sync: --break-lock ${process.pid}@${os.hostname()}: pid ${process.pid} still runs on this host; let it finish, nothing removed\n` });
    assert.equal(fs.readFileSync(lockFile, "utf8"), JSON.stringify(live));
  });

  it("--break-lock with no lock to break just edits", async () => {
    const folder = folderWith({ dev: committed("dev"), staging });
    const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder, "--break-lock", "4242@ci-runner-7"], context));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
  });

  it("--break-lock takes <pid>@<host> only", async () => {
    for (const given of ["4242", "@ci", "0@ci", "-1@ci", "42@", "42@a b", "x@ci"]) {
      assert.equal(parseHolderName(given), undefined, given);
      const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "--break-lock", given], context));
      assert.equal(run.status, 2, given);
      assert.equal(run.stderr, `error: option '--break-lock <pid@host>' argument '${given}' is invalid. give the holder a lock refusal names, as <pid>@<host>\n`);
    }
    assert.deepEqual(parseHolderName("4242@ci-runner-7.internal"), { pid: 4242, hostname: "ci-runner-7.internal" });
  });
});

describe("a lock's age, as the refusal says it", () => {
  const now = Date.parse("2026-12-07T12:00:00.000Z");
  const cases: [startedAt: string, age: string][] = [
    ["2026-12-07T11:59:58.500Z", "1 s"],
    ["2026-12-07T11:59:00.000Z", "1 min"],
    ["2026-12-07T11:15:00.000Z", "45 min"],
    ["2026-12-07T09:05:00.000Z", "2 h 55 min"],
    ["2026-12-05T12:00:00.001Z", "47 h 59 min"],
    ["2026-12-05T12:00:00.000Z", "2 days"],
    ["2026-12-07T12:00:01.000Z", "an unknown time"],
    ["not a time", "an unknown time"],
  ];
  for (const [startedAt, age] of cases) it(`${startedAt}: ${age}`, () => assert.equal(ageOf(startedAt, now), age));
});
