// npm run bench: the plan's speed, as medians of fresh processes (never a timed test:
// these machines are shared and noisy).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Table from "cli-table3";
import { findProjectRoot } from "./common/projectRoot";

const root = findProjectRoot();
const runs = 5;

interface Sample {
  wallMs: number;
  /** Highest resident memory of the process tree (the plan and the policy pack), sampled every 20 ms. */
  peakRssMb: number;
}

/** Resident memory of a process and its descendants, from /proc (Linux). */
function treeRssKb(pid: number): number {
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

function measure(args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: root, stdio: "ignore" });
    let peakKb = 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid!))), 20);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}`));
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakRssMb: peakKb / 1024 });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** What importing the AWS SDKs costs a fresh process, touching the modules the program uses. */
const importAws = [
  "-e",
  "require('@pulumi/pulumi');const aws=require('@pulumi/aws');" +
    "for(const m of ['ecs','rds','ec2','efs','s3','iam','cloudwatch','sns','secretsmanager','elasticache','servicediscovery','vpc'])aws[m];" +
    "require('@pulumi/awsx/ec2').Vpc;require('@pulumi/random')",
];

export async function main(): Promise<number> {
  const launch = path.join(root, "tools", "launch.js");
  // One untimed run fills the caches (the JavaScript copy, Node's compile cache), as any second plan finds them.
  await measure([launch, "plan", "dev"]);
  const table = new Table({
    head: ["command", "runs", "median wall s", "median peak MB"],
    colAligns: ["left", "right", "right", "right"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  const medians: Record<string, number> = {};
  for (const [label, args] of [
    ["plan dev", [launch, "plan", "dev"]],
    ["plan prod", [launch, "plan", "prod"]],
    ["import the Pulumi SDKs", importAws],
  ] as const) {
    const samples: Sample[] = [];
    for (let run = 1; run <= runs; run++) {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Kbench: ${label} ${run}/${runs}`);
      else process.stderr.write(`bench: ${label} ${run}/${runs}\n`);
      samples.push(await measure([...args]));
    }
    medians[label] = median(samples.map((s) => s.wallMs));
    table.push([label, runs, (medians[label] / 1000).toFixed(2), median(samples.map((s) => s.peakRssMb)).toFixed(0)]);
  }
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  console.log(table.toString());
  const planMedian = (medians["plan dev"] + medians["plan prod"]) / 2;
  console.log(`Importing the Pulumi SDKs (pulumi, aws, awsx, random) in a fresh process: ${((100 * medians["import the Pulumi SDKs"]) / planMedian).toFixed(0)} % of a plan's median wall time.`);
  console.log(`Node ${process.version}, ${require("node:os").cpus().length} cores; wall time includes the policy pack's start.`);
  return 0;
}
