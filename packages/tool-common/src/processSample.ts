// Wall time and peak resident memory of a fresh process (and its children), for the benches:
// medians of fresh processes, never a timed test (these machines are shared and noisy).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Sample {
  wallMs: number;
  /** Highest resident memory of the process tree, sampled every 20 ms. */
  peakRssMb: number;
}

/** Resident memory of a process and its descendants, from /proc (Linux). */
export function treeRssKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const children = fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
    return rss + children.reduce((sum, child) => sum + treeRssKb(child), 0);
  } catch {
    return 0; // the process ended between two reads
  }
}

/** Runs `node <args>` in `cwd`; rejects when it exits non-zero. */
export function measure(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return measureCommand(process.execPath, args, cwd, env);
}

/** Runs a program (`file`, found on PATH) with `args` in `cwd`; rejects when it exits non-zero. */
export function measureCommand(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let peakKb = 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid!))), 20);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(sampler);
      // The program and its first two arguments, never the rest (a database URL may hold a password).
      const shown = [file, ...args.slice(0, 2)].map((arg) => path.basename(arg)).join(" ");
      if (code !== 0) return reject(new Error(`${shown} exited ${code}: ${stderr.trim().split("\n").pop()}`));
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakRssMb: peakKb / 1024 });
    });
  });
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
