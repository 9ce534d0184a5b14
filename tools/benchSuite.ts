// `npm run bench -- --suite`: how long `npm test` (the type-check and every test file) takes,
// as the median of fresh runs, with the CPU time it used (user + system, every process of the
// run). Wall time is what a developer waits; on a shared machine CPU time says what changed.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { median } from "../packages/tool-common/src/processSample";

/** CPU seconds of this process's children that have ended and been waited for (Linux: /proc/self/stat). */
function childrenCpuS(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  // cutime and cstime, fields 16 and 17 of the line: 14 and 15 after the command's closing parenthesis.
  const [userTicks, systemTicks] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(13, 15).map(Number);
  const ticksPerSecond = 100;
  return (userTicks + systemTicks) / ticksPerSecond;
}

export interface SuiteRun {
  wallS: number;
  cpuS: number;
  /** Mocha's summary line, e.g. "3301 passing (1m)". */
  passing: string;
}

/** One `npm test -- --reporter dot` in `root`; rejects when it fails. */
export function runSuite(root: string): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const cpuBefore = childrenCpuS();
    const child = spawn("npm", ["test", "--", "--reporter", "dot"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`npm test exited ${code}:\n${output.slice(-3000)}`));
      resolve({ wallS, cpuS: childrenCpuS() - cpuBefore, passing: /^\s*(\d+ passing.*)$/m.exec(output)?.[1] ?? "" });
    });
  });
}

/** The suite's row: the median of `runs` runs of `npm test`. */
export async function benchSuite(root: string, runs = 3): Promise<void> {
  const samples: SuiteRun[] = [];
  for (let run = 1; run <= runs; run++) {
    process.stderr.write(`bench: npm test ${run}/${runs}\n`);
    samples.push(await runSuite(root));
  }
  const wallS = median(samples.map((s) => s.wallS));
  const cpuS = median(samples.map((s) => s.cpuS));
  console.log(`npm test: median of ${runs} runs ${wallS.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (user + system); ${samples[0].passing}`);
  console.log(`  runs: ${samples.map((s) => `${s.wallS.toFixed(1)} s`).join(", ")}; Node ${process.version}, ${require("node:os").cpus().length} cores`);
}
