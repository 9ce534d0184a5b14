// What verify-deploy checks against: the stack's outputs, from `pulumi stack output --json`
// (run without a shell) or from a file holding the same JSON. Every value it uses is checked
// before it reaches an AWS call or a printed command.
import { execFile } from "node:child_process";
import * as fs from "node:fs";

/** A bad argument, outputs file or output value: exit status 2, the message is the one line printed. */
export class BadInput extends Error {}

/** The deployment `pulumi up` made, as the stack's outputs describe it. */
export interface Target {
  stack: string;
  region: string;
  clusterName: string;
  serviceName: string;
  /** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`: what the PRIMARY deployment must run. */
  taskDefinitionArn: string;
  logGroupName: string;
}

/** The outputs file is small JSON: anything larger is not one. */
const outputsFileMaxBytes = 1024 * 1024;

const patterns = {
  region: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  name: /^[A-Za-z0-9_-]{1,255}$/,
  logGroup: /^[A-Za-z0-9_/.#-]{1,512}$/,
};

/** `pulumi stack output --json --stack <stack>` in `projectRoot`; secret outputs stay "[secret]" (none is used). */
export function readStackOutputs(stack: string, projectRoot: string): Promise<unknown> {
  const args = ["stack", "output", "--json", "--stack", stack];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { cwd: projectRoot, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new BadInput("the Pulumi CLI (pulumi) is not on PATH: install it, or give the outputs with --outputs <file>"));
      }
      if (error) {
        const reason = String(stderr).trim().split("\n")[0] || `exit status ${error.code}`;
        return reject(new BadInput(`pulumi stack output --json --stack ${stack} failed: ${reason}`));
      }
      resolve(parseJson(String(stdout), `the output of pulumi stack output --json --stack ${stack}`));
    });
  });
}

/** The outputs JSON in `file`: a regular file of at most 1 MiB. */
export function readOutputsFile(file: string): unknown {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new BadInput(`--outputs ${file}: no such file`);
  }
  if (!stat.isFile()) throw new BadInput(`--outputs ${file}: not a regular file`);
  if (stat.size > outputsFileMaxBytes) throw new BadInput(`--outputs ${file}: ${stat.size} bytes; stack outputs are JSON of at most ${outputsFileMaxBytes} bytes`);
  return parseJson(fs.readFileSync(file, "utf8"), `--outputs ${file}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadInput(`${where} is not JSON (pulumi stack output --json prints what it needs)`);
  }
}

/** The target from the outputs, each value checked; a missing or odd one is refused naming it. */
export function targetOf(stack: string, outputs: unknown): Target {
  if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
    throw new BadInput(`the outputs of ${stack} are not a JSON object of output names and values`);
  }
  const values = outputs as Record<string, unknown>;
  const take = (key: string, pattern: RegExp, what: string): string => {
    const value = values[key];
    if (typeof value === "string" && pattern.test(value)) return value;
    const shown = value === undefined ? "missing" : `${JSON.stringify(value)}`.slice(0, 120);
    throw new BadInput(`${stack}: its stack output ${key} is ${shown}; verify-deploy needs ${what}`);
  };
  const region = take("region", patterns.region, "an AWS region");
  const taskDefinition = new RegExp(`^arn:aws[a-z-]*:ecs:${region}:\\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:\\d+$`);
  return {
    stack,
    region,
    clusterName: take("clusterName", patterns.name, "the ECS cluster's name"),
    serviceName: take("serviceName", patterns.name, "the ECS service's name"),
    taskDefinitionArn: take(
      "serviceTaskDefinitionArn",
      taskDefinition,
      "the task definition revision the update registered (a stack updated before this output existed: pulumi up once more)",
    ),
    logGroupName: take("logGroupName", patterns.logGroup, "the containers' log group"),
  };
}
