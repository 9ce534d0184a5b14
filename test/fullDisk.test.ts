// A full disk at each write of an edit leaves nothing behind: no lock that refuses every later
// run, no backup under a good backup's name that holds half a file, the target as it was.
// On a real small file system (tmpfs, when this machine lets a test mount one) and, always,
// with the failure injected where the writers write.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as envSync } from "../tools/envSync/index";
import { inProcess, repoRoot } from "./helpers";
import { backupsIn, committed, folderWith, runTool, stackPath } from "./stackFileTools";

const pageBytes = 4096;

/** A tmpfs of `bytes` mounted on a new folder, or undefined when this machine does not allow it (not root, no mount). */
function mountTmpfs(bytes: number): string | undefined {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "full-disk-"));
  if (spawnSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", folder]).status === 0) return folder;
  fs.rmdirSync(folder);
  return undefined;
}

/** Fills the file system of `folder` until exactly `pages` pages are free. */
function leaveFree(folder: string, pages: number): void {
  const free = Number(fs.statfsSync(folder).bavail);
  assert.ok(free >= pages, `the file system has ${free} pages free`);
  fs.writeFileSync(path.join(folder, "filler"), Buffer.alloc((free - pages) * pageBytes));
  assert.equal(Number(fs.statfsSync(folder).bavail), pages);
}

/** Lock and temporary files beside the stack files. */
const locksAndTemporaries = (folder: string) => fs.readdirSync(folder).filter((name) => name.endsWith(".lock") || name.endsWith(".tmp"));

/** What a failed edit must leave: the target as it was, and no lock, backup or temporary file (the backup folder may stay, empty). */
function assertNothingLeft(folder: string, dev: string): void {
  assert.equal(fs.readFileSync(stackPath(folder, "dev"), "utf8"), dev);
  assert.deepEqual(locksAndTemporaries(folder), [], "no lock or temporary file");
  assert.deepEqual(backupsIn(folder), [], "no backup, whole or not, nor its temporary file");
}

const staging = committed("staging").replace("logFormat: json", "logFormat: text");
const noSpace = "env-sync: ENOSPC: no space left on device, write\n";

describe("a full disk while env-sync edits a stack file (a real tmpfs)", () => {
  let folder: string | undefined;
  before(function () {
    folder = mountTmpfs(64 * 1024);
    // Without a mount (not root, or no tmpfs) the injected failures below still run.
    if (folder === undefined) this.skip();
  });
  after(() => {
    if (folder !== undefined) spawnSync("umount", [folder]);
  });
  beforeEach(() => {
    for (const name of fs.readdirSync(folder!)) fs.rmSync(path.join(folder!, name), { recursive: true, force: true });
    fs.writeFileSync(stackPath(folder!, "dev"), committed("dev"));
    fs.writeFileSync(stackPath(folder!, "staging"), staging);
  });

  for (const [what, pages] of [["no space at all", 0], ["room for the lock only", 1]] as const) {
    it(`${what}: exit 2 with one line, no lock left, no backup, the target as it was`, () => {
      leaveFree(folder!, pages);
      const run = runTool("envSync", folder!, ["--from", "staging", "--to", "dev"]);
      assert.deepEqual({ status: run.status, stderr: run.stderr }, { status: 2, stderr: noSpace });
      fs.rmSync(path.join(folder!, "filler"));
      assertNothingLeft(folder!, committed("dev"));
      assert.equal(runTool("envSync", folder!, ["--from", "staging", "--to", "dev"]).status, 0, "the next run is not refused");
    });
  }

  it("room for the lock and a backup, not the new file: the backup is whole, the target as it was", () => {
    leaveFree(folder!, 3);
    const run = runTool("envSync", folder!, ["--from", "staging", "--to", "dev"]);
    assert.deepEqual({ status: run.status, stderr: run.stderr }, { status: 2, stderr: noSpace });
    assert.equal(fs.readFileSync(stackPath(folder!, "dev"), "utf8"), committed("dev"));
    assert.deepEqual(locksAndTemporaries(folder!), []);
    const backups = backupsIn(folder!);
    assert.equal(backups.length, 1);
    assert.equal(fs.readFileSync(path.join(folder!, ".pulumi-backups", backups[0]), "utf8"), committed("dev"));
  });
});

describe("a full disk while env-sync edits a stack file (the failure injected)", () => {
  // The module object itself: the tools' `import * as fs` reads its functions from it at each call.
  const nodeFs = require("node:fs") as { writeSync: typeof fs.writeSync };
  const realWriteSync = nodeFs.writeSync;
  afterEach(() => {
    nodeFs.writeSync = realWriteSync;
  });

  /** fs.writeSync writes `budget` more bytes, then fails as a full disk does. */
  function diskWithRoomFor(budget: number): void {
    let left = budget;
    nodeFs.writeSync = ((fd: number, buffer: NodeJS.ArrayBufferView, offset?: number, length?: number) => {
      const wanted = length ?? buffer.byteLength;
      if (left <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
      const written = realWriteSync(fd, buffer, offset, Math.min(wanted, left));
      left -= written;
      return written;
    }) as typeof fs.writeSync;
  }

  const lockBytes = 200;
  for (const [what, budget] of [["no space at all", 0], ["room for part of the lock", 20], ["room for the lock and half a backup", lockBytes + 2000]] as const) {
    it(`${what}: exit 2 with one line, no lock left, no backup, the target as it was`, async () => {
      const folder = folderWith({ dev: committed("dev"), staging });
      diskWithRoomFor(budget);
      const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder], { projectRoot: repoRoot }));
      nodeFs.writeSync = realWriteSync;
      assert.deepEqual({ status: run.status, stderr: run.stderr }, { status: 2, stderr: noSpace });
      assertNothingLeft(folder, committed("dev"));
    });
  }
});
