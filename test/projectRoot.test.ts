// The project is the checkout you are in: two checkouts that share one node_modules (a
// `git worktree` whose node_modules is a link to the main checkout's) never touch each
// other's files. The tools run from a JavaScript copy cached under node_modules, so the
// project must come from the launcher that was started, not from where the copy lives.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./helpers";
import { backupsIn, fingerprint } from "./stackFileTools";

const git = (...args: string[]) => execFileSync("git", ["-C", repoRoot, ...args], { encoding: "utf8" });

describe("a git worktree whose node_modules is the main checkout's", () => {
  let worktree: string;
  const run = (tool: string, ...args: string[]) =>
    spawnSync(process.execPath, [path.join(worktree, "tools", "launch.js"), tool, ...args], { cwd: worktree, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

  before(() => {
    worktree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "worktree-")), "checkout");
    git("worktree", "add", "--quiet", "--detach", worktree, "HEAD");
    // The code under test is this checkout's, committed or not (new files too).
    for (const file of git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0").filter(Boolean)) {
      if (fs.existsSync(path.join(repoRoot, file))) fs.copyFileSync(path.join(repoRoot, file), path.join(worktree, file));
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(worktree, "node_modules"));
  });
  after(() => git("worktree", "remove", "--force", worktree));

  it("env-sync edits the worktree's stack file from the worktree's source, and nothing in the main checkout", () => {
    const mainDev = fingerprint(path.join(repoRoot, "Pulumi.dev.yaml"));
    const mainBackups = backupsIn(repoRoot);
    const staging = path.join(worktree, "Pulumi.staging.yaml");
    fs.writeFileSync(staging, fs.readFileSync(staging, "utf8").replace("logFormat: json", "logFormat: text"));
    const sync = run("envSync", "--from", "staging", "--to", "dev");
    assert.equal(sync.status, 0, sync.stderr);
    assert.match(fs.readFileSync(path.join(worktree, "Pulumi.dev.yaml"), "utf8"), /^ {4}logFormat: text$/m);
    assert.deepEqual(fingerprint(path.join(repoRoot, "Pulumi.dev.yaml")), mainDev, "the main checkout's dev file is untouched");
    assert.deepEqual(backupsIn(repoRoot), mainBackups, "no backup in the main checkout");
    assert.equal(backupsIn(worktree).length, 1, "the backup is the worktree's");
  });

  it("the plan judges the worktree's prod file, not the main checkout's", () => {
    const prod = path.join(worktree, "Pulumi.prod.yaml");
    fs.writeFileSync(prod, fs.readFileSync(prod, "utf8").replace("monthlyUsd: 300", "monthlyUsd: 100"));
    const plan = run("plan", "prod");
    assert.equal(plan.status, 1, "over the worktree's budget of 100 USD");
    assert.match(plan.stdout, /total \(budget 100\.00\)/);
  });
});
