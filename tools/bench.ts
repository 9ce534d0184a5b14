// npm run bench: the plan's speed and the data sync's, as medians of fresh processes (never
// a timed test: these machines are shared and noisy).
import * as path from "node:path";
import Table from "cli-table3";
import { type Sample, measure as measureIn, median } from "../packages/tool-common/src/processSample";
import type { ToolContext } from "../packages/tool-common/src/toolContext";
import { benchDataSync } from "../packages/db/src/bench";
import { benchSuite } from "./benchSuite";

const runs = 5;

/** What importing the AWS SDKs costs a fresh process, touching the modules the program uses. */
const importAws = [
  "-e",
  "require('@pulumi/pulumi');const aws=require('@pulumi/aws');" +
    "for(const m of ['ecs','rds','ec2','efs','s3','iam','cloudwatch','sns','secretsmanager','elasticache','servicediscovery','vpc'])aws[m];" +
    "require('@pulumi/awsx/ec2').Vpc;require('@pulumi/random')",
];

async function benchPlan(root: string): Promise<void> {
  const measure = (args: string[]) => measureIn(args, root);
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
}

/**
 * `npm run bench` measures the plan and the data sync; `-- --plan` or `-- --db` only one of them;
 * `-- --suite` only `npm test` (minutes: three runs of the whole suite).
 */
export async function main(argv: string[], { projectRoot }: ToolContext): Promise<number> {
  if (argv.includes("--suite")) {
    await benchSuite(projectRoot);
    return 0;
  }
  if (!argv.includes("--db")) await benchPlan(projectRoot);
  if (!argv.includes("--plan")) await benchDataSync({ root: projectRoot, orders: 1_000_000, smallOrders: 10_000, users: 100_000, runs: 5 });
  return 0;
}
