// Running the tools that edit stack files (env-sync, promote) as child processes, on real
// files in a temporary folder, and what the tests look at afterwards.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./helpers";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const launcher = path.join(repoRoot, "tools", "launch.js");

/** Runs `node tools/launch.js <tool> -C <folder> ...args` to the end; a run that hangs is killed after a minute (status null). */
export function runTool(tool: "envSync" | "promote", folder: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, [launcher, tool, "-C", folder, ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A tool started in the background, with its output collected as it comes. */
export interface StartedTool {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr holds `text`; rejects if the process ends first. */
  waitForStderr(text: string): Promise<void>;
  /** Resolves with the exit status (or the signal's name) and the output. */
  finished: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startTool(tool: "envSync" | "promote", folder: string, args: string[], env: NodeJS.ProcessEnv = {}): StartedTool {
  const child = spawn(process.execPath, [launcher, tool, "-C", folder, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const finished = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  const waitForStderr = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stderr.includes(text)) {
          child.stderr.off("data", check);
          resolve();
        }
      };
      child.stderr.on("data", check);
      check();
      void finished.then(() => (stderr.includes(text) ? resolve() : reject(new Error(`the tool ended before printing ${JSON.stringify(text)}; stderr: ${stderr}`))));
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitForStderr, finished };
}

/** The writer's test hook (see tools/common/stackFileWriter.ts): pause `milliseconds` at `step`. */
export const pauseAt = (step: string, milliseconds: number) => ({ STACK_FILE_WRITER_TEST_PAUSE: `${step}:${milliseconds}` });
/** What the writer prints on stderr when it pauses at a step. */
export const pauseMarker = (step: string) => `stack-file-writer: test pause at ${step}\n`;

export const committed = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

const madeFolders: string[] = [];
process.once("exit", () => {
  for (const folder of madeFolders) fs.rmSync(folder, { recursive: true, force: true });
});

/** A new empty temporary folder, removed when the test process ends. */
export function temporaryFolder(prefix = "stack-file-test-"): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeFolders.push(folder);
  return folder;
}

/** A new temporary folder with the given stack files (removed when the test process ends). */
export function folderWith(files: Record<string, string>): string {
  const folder = temporaryFolder();
  for (const [stack, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
  return folder;
}

export const stackPath = (folder: string, stack: string) => path.join(folder, `Pulumi.${stack}.yaml`);
/** A target that is another name of prod's file (given a title per tool), and the line `tool` refuses it with. */
export type LinkedTarget = [title: string, link: (folder: string) => void, stack: string, refusal: string];

/** `qa` as a symbolic link and as a hard link to prod's file: every stack-file tool refuses both. */
export function prodLinkedTargets(tool: string, titles: { symbolic: string; hard: string }): LinkedTarget[] {
  return [
    [
      titles.symbolic,
      (folder) => fs.symlinkSync("Pulumi.prod.yaml", stackPath(folder, "qa")),
      "qa",
      `${tool}: Pulumi.qa.yaml is a symbolic link; a stack file must be a regular file of its own\n`,
    ],
    [
      titles.hard,
      (folder) => fs.linkSync(stackPath(folder, "prod"), stackPath(folder, "qa")),
      "qa",
      `${tool}: Pulumi.qa.yaml has 2 hard links, so another name (maybe a production stack's file) opens the same file; a stack file must have exactly one\n`,
    ],
  ];
}

export const read = (folder: string, stack: string) => fs.readFileSync(stackPath(folder, stack), "utf8");
export const backupsIn = (folder: string) => (fs.existsSync(path.join(folder, ".pulumi-backups")) ? fs.readdirSync(path.join(folder, ".pulumi-backups")).sort() : []);

/** Lock files, temporary files and backups the tools left in a folder. */
export function leftovers(folder: string): string[] {
  const own = fs.readdirSync(folder).filter((name) => name.endsWith(".lock") || name.endsWith(".tmp") || name === ".pulumi-backups");
  return [...own, ...backupsIn(folder).map((name) => `.pulumi-backups/${name}`)];
}

/** The bytes and modification time of a file, to prove it was not touched. */
export function fingerprint(file: string): { bytes: string; mtimeNs: bigint } {
  return { bytes: fs.readFileSync(file).toString("base64"), mtimeNs: fs.statSync(file, { bigint: true }).mtimeNs };
}
