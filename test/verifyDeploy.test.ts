// npm run verify-deploy, in-process against ECS responses shaped as AWS CLI v2 prints them
// (DescribeServices, ListTasks, DescribeTasks, DescribeTaskDefinition of prod's service),
// through aws-sdk-client-mock: completed, rolled back, in progress then completed, unhealthy,
// throttled and retried, access denied; and every refusal with its exact line.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  AccessDeniedException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { main } from "../tools/verifyDeploy/index";
import { isRetryable } from "../tools/verifyDeploy/ecs";
import { repoRoot } from "./helpers";
import { parseWorkflow } from "./workflowRules";

const fixture = (file: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "ecs", "verify", file), "utf8"));
const account = "123456789012";
const cluster = "trading-bot-cluster-4f2a1c9";
const service = "trading-bot-service-8d0b3e2";
const revision = (n: number) => `arn:aws:ecs:us-east-1:${account}:task-definition/trading-bot-prod:${n}`;
const outputs = {
  environment: "production",
  region: "us-east-1",
  clusterName: cluster,
  serviceName: service,
  serviceTaskDefinitionArn: revision(7),
  logGroupName: "/ecs/trading-bot-prod/20261120101502114000000001",
  databaseUrl: "[secret]",
};
const logs = "The containers' logs: aws logs tail /ecs/trading-bot-prod/20261120101502114000000001 --since 30m --region us-east-1";

function outputsFile(values: unknown): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "verify-deploy-"));
  const file = path.join(folder, "outputs.json");
  fs.writeFileSync(file, typeof values === "string" ? values : JSON.stringify(values));
  return file;
}

interface Run {
  status: number;
  out: string[];
  err: string[];
  sleeps: number[];
}

/** verify-deploy prod with the given outputs and arguments; a clock that moves only when it sleeps. */
async function verify(args: string[] = [], values: unknown = outputs): Promise<Run> {
  const run: Run = { status: -1, out: [], err: [], sleeps: [] };
  let clock = 0;
  run.status = await main(["prod", "--outputs", outputsFile(values), ...args], {
    projectRoot: repoRoot,
    out: (line) => run.out.push(line),
    err: (line) => run.err.push(line),
    sleep: async (ms) => {
      run.sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  });
  return run;
}

/** What `fn` wrote to process.stderr (commander prints its usage errors there). */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });

describe("npm run verify-deploy", () => {
  const ecs = mockClient(ECSClient);
  /** A service whose answers are these fixtures. */
  const answer = (services: string, tasks: string) => {
    ecs.on(DescribeServicesCommand).resolves(fixture(services));
    ecs.on(ListTasksCommand).resolves(fixture("list-tasks.json"));
    ecs.on(DescribeTasksCommand).resolves(fixture(tasks));
    ecs.on(DescribeTaskDefinitionCommand).resolves(fixture("describe-task-definition.json"));
  };
  beforeEach(() => ecs.reset());
  after(() => ecs.restore());

  it("verifies a completed rollout of the revision the update registered: every task running and HEALTHY (exit 0)", async () => {
    answer("describe-services-completed.json", "describe-tasks-healthy.json");
    const run = await verify();
    assert.equal(run.status, 0, run.out.join("\n"));
    assert.deepEqual(run.out, [
      `prod: ${service} runs trading-bot-prod:7: deployment ecs-svc/2761498305557021843 COMPLETED, 3 of 3 task(s) running, all HEALTHY`,
    ]);
    assert.deepEqual(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input, { cluster, services: [service] });
    assert.deepEqual(ecs.commandCalls(ListTasksCommand)[0].args[0].input, { cluster, serviceName: service, desiredStatus: "RUNNING", nextToken: undefined });
    assert.deepEqual(ecs.commandCalls(DescribeTasksCommand)[0].args[0].input, { cluster, tasks: fixture("list-tasks.json").taskArns });
    assert.deepEqual(ecs.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input, { taskDefinition: revision(7) });
    assert.deepEqual(run.sleeps, []);
  });

  it("fails a deployment ECS rolled back to the old revision, with the service's events and the logs command (exit 1)", async () => {
    answer("describe-services-rolled-back.json", "describe-tasks-rolled-back.json");
    const run = await verify(["--wait", "10"]);
    assert.equal(run.status, 1);
    assert.deepEqual(run.sleeps, [], "a rollback is final: no waiting");
    assert.deepEqual(run.out, [
      "prod: the deployment is not verified:",
      "  - the service's PRIMARY deployment ecs-svc/4826150092357713345 runs trading-bot-prod:6, not trading-bot-prod:7, which this update registered",
      "  - ECS rolled back to trading-bot-prod:6 (or a later update replaced trading-bot-prod:7): the old code runs, not the new",
      `The latest events of ${service}:`,
      `  2026-12-08T10:09:58Z (service ${service}) has reached a steady state.`,
      `  2026-12-08T10:09:58Z (service ${service}) (deployment ecs-svc/4826150092357713345) deployment completed.`,
      `  2026-12-08T10:05:17Z (service ${service}) rolling back to deployment ecs-svc/4826150092357713345.`,
      `  2026-12-08T10:05:17Z (service ${service}) (deployment ecs-svc/6650228917306453917) deployment failed: tasks failed to start.`,
      `  2026-12-08T10:03:44Z (service ${service}) (task 0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5) failed container health checks.`,
      `  2026-12-08T10:01:12Z (service ${service}) has started 1 tasks: (task 0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5).`,
      logs,
    ]);
  });

  it("fails while the circuit breaker is rolling back: the failed deployment's state and reason are shown", async () => {
    const rolling = fixture("describe-services-rolled-back.json");
    rolling.services[0].deployments[0].rolloutState = "IN_PROGRESS";
    rolling.services[0].deployments[0].rolloutStateReason = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/4826150092357713345.";
    rolling.services[0].deployments.push({ ...fixture("describe-services-completed.json").services[0].deployments[0], id: "ecs-svc/6650228917306453917", status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." });
    ecs.on(DescribeServicesCommand).resolves(rolling);
    ecs.on(ListTasksCommand).resolves(fixture("list-tasks.json"));
    ecs.on(DescribeTasksCommand).resolves(fixture("describe-tasks-rolled-back.json"));
    ecs.on(DescribeTaskDefinitionCommand).resolves(fixture("describe-task-definition.json"));
    const run = await verify();
    assert.equal(run.status, 1);
    assert.deepEqual(run.out.slice(1, 4), [
      "  - the service's PRIMARY deployment ecs-svc/4826150092357713345 runs trading-bot-prod:6, not trading-bot-prod:7, which this update registered",
      "  - the deployment ecs-svc/6650228917306453917 of trading-bot-prod:7 is ACTIVE, rollout FAILED: ECS deployment circuit breaker: tasks failed to start.",
      "  - ECS rolled back to trading-bot-prod:6 (or a later update replaced trading-bot-prod:7): the old code runs, not the new",
    ]);
  });

  it("with --wait, looks again every 15 s while the rollout is in progress, then verifies it (exit 0)", async () => {
    ecs.on(DescribeServicesCommand)
      .resolvesOnce(fixture("describe-services-in-progress.json"))
      .resolvesOnce(fixture("describe-services-in-progress.json"))
      .resolves(fixture("describe-services-completed.json"));
    ecs.on(ListTasksCommand).resolves(fixture("list-tasks.json"));
    ecs.on(DescribeTasksCommand)
      .resolvesOnce(fixture("describe-tasks-in-progress.json"))
      .resolvesOnce(fixture("describe-tasks-in-progress.json"))
      .resolves(fixture("describe-tasks-healthy.json"));
    ecs.on(DescribeTaskDefinitionCommand).resolves(fixture("describe-task-definition.json"));
    const run = await verify(["--wait", "10"]);
    assert.equal(run.status, 0, run.out.join("\n"));
    assert.deepEqual(run.sleeps, [15_000, 15_000]);
    assert.equal(ecs.commandCalls(DescribeServicesCommand).length, 3);
    assert.equal(ecs.commandCalls(DescribeTaskDefinitionCommand).length, 1, "the revision's health check is read once");
    assert.deepEqual(run.err.slice(1), [
      "verify-deploy: not yet: the deployment ecs-svc/2761498305557021843 is IN_PROGRESS: 1 of 3 task(s) running, 1 pending (and 5 more)",
      "verify-deploy: not yet: the deployment ecs-svc/2761498305557021843 is IN_PROGRESS: 1 of 3 task(s) running, 1 pending (and 5 more)",
    ]);
    assert.match(run.out[0], /COMPLETED, 3 of 3 task\(s\) running, all HEALTHY$/);
  });

  it("without --wait, or once the wait is over, an unfinished rollout fails, saying what is still missing (exit 1)", async () => {
    answer("describe-services-in-progress.json", "describe-tasks-in-progress.json");
    const now = await verify();
    assert.equal(now.status, 1);
    assert.deepEqual(now.out.slice(0, 7), [
      "prod: the deployment is not verified, still in progress (--wait <minutes> waits for it):",
      "  - the deployment ecs-svc/2761498305557021843 is IN_PROGRESS: 1 of 3 task(s) running, 1 pending",
      "  - the ACTIVE deployment ecs-svc/4826150092357713345 of trading-bot-prod:6 still runs 2 task(s)",
      "  - 1 task(s) of trading-bot-prod:7 are RUNNING; desired 3",
      "  - the task 6c7d8e9f0a1b42c3d4e5f6a7b8c9d0e1 runs trading-bot-prod:6",
      "  - the task 9e8d7c6b5a4f43e2b1c0d9e8f7a6b5c4 runs trading-bot-prod:6",
      "  - the task 4a5b6c7d8e9f40a1b2c3d4e5f6a7b8c9 is UNKNOWN, not HEALTHY",
    ]);
    assert.equal(now.out.at(-1), logs);
    const waited = await verify(["--wait", "1"]);
    assert.equal(waited.status, 1);
    assert.deepEqual(waited.sleeps, [15_000, 15_000, 15_000, 15_000], "four more looks fit in a minute");
    assert.equal(waited.out[0], "prod: the deployment is not verified, still in progress after 1 minute(s):");
  });

  it("fails a completed rollout whose task is UNHEALTHY (exit 1)", async () => {
    answer("describe-services-completed.json", "describe-tasks-unhealthy.json");
    const run = await verify();
    assert.equal(run.status, 1);
    assert.deepEqual(run.out.slice(0, 2), [
      "prod: the deployment is not verified, still in progress (--wait <minutes> waits for it):",
      "  - the task 6c7d8e9f0a1b42c3d4e5f6a7b8c9d0e1 is UNHEALTHY, not HEALTHY",
    ]);
  });

  it("does not wait for health where the revision has no health check (dev)", async () => {
    answer("describe-services-completed.json", "describe-tasks-in-progress.json");
    const noCheck = fixture("describe-task-definition.json");
    delete noCheck.taskDefinition.containerDefinitions[0].healthCheck;
    ecs.on(DescribeTaskDefinitionCommand).resolves(noCheck);
    const tasks = fixture("describe-tasks-healthy.json");
    for (const task of tasks.tasks) task.healthStatus = "UNKNOWN";
    ecs.on(DescribeTasksCommand).resolves(tasks);
    const run = await verify();
    assert.equal(run.status, 0, run.out.join("\n"));
    assert.match(run.out[0], /3 of 3 task\(s\) running \(no health check to wait for\)$/);
  });

  it("fails when the service is not in the cluster (exit 1)", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: `arn:aws:ecs:us-east-1:${account}:service/${cluster}/${service}`, reason: "MISSING" }] });
    const run = await verify();
    assert.equal(run.status, 1);
    assert.deepEqual(run.out.slice(0, 4), [
      "prod: the deployment is not verified:",
      `  - the service ${service} is not in the cluster ${cluster} (MISSING)`,
      `The latest events of ${service}:`,
      "  (none)",
    ]);
    assert.equal(ecs.commandCalls(ListTasksCommand).length, 0);
  });

  it("retries a throttled call with backoff, then goes on (exit 0)", async () => {
    answer("describe-services-completed.json", "describe-tasks-healthy.json");
    ecs.on(DescribeServicesCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves(fixture("describe-services-completed.json"));
    const run = await verify();
    assert.equal(run.status, 0, run.err.join("\n"));
    assert.deepEqual(run.sleeps, [1000, 2000]);
    assert.deepEqual(run.err.slice(1), [
      "ecs:DescribeServices: ThrottlingException; trying again in 1 s",
      "ecs:DescribeServices: ThrottlingException; trying again in 2 s",
    ]);
  });

  it("gives up after five throttled calls (exit 3)", async () => {
    ecs.on(DescribeServicesCommand).rejects(throttled());
    const run = await verify();
    assert.equal(run.status, 3);
    assert.deepEqual(run.sleeps, [1000, 2000, 4000, 8000]);
    assert.equal(run.err.at(-1), "verify-deploy: ecs:DescribeServices failed 5 times: ThrottlingException: Rate exceeded");
    assert.deepEqual(run.out, []);
  });

  it("stops at once on access denied, naming the permissions the role needs (exit 3)", async () => {
    answer("describe-services-completed.json", "describe-tasks-healthy.json");
    ecs.on(ListTasksCommand).rejects(new AccessDeniedException({ message: `User: arn:aws:sts::${account}:assumed-role/github-preview/ci is not authorized to perform: ecs:ListTasks`, $metadata: { httpStatusCode: 400 } }));
    const run = await verify();
    assert.equal(run.status, 3);
    assert.deepEqual(run.sleeps, []);
    assert.equal(
      run.err.at(-1),
      `verify-deploy: ecs:ListTasks failed: AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/github-preview/ci is not authorized to perform: ecs:ListTasks; ` +
        "the role needs ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks, ecs:DescribeTaskDefinition",
    );
  });

  it("tells retryable errors from the rest", () => {
    assert.ok(isRetryable(throttled()));
    assert.ok(isRetryable({ name: "ServerException", $metadata: { httpStatusCode: 500 } }));
    assert.ok(isRetryable({ name: "Whatever", $metadata: { httpStatusCode: 503 } }));
    assert.ok(!isRetryable({ name: "ClientException", $metadata: { httpStatusCode: 400 } }));
    assert.ok(!isRetryable(undefined));
  });

  describe("refuses, with one line, before any AWS call (exit 2)", () => {
    const refused = async (args: string[], values: unknown, message: string) => {
      const run = await verify(args, values);
      assert.equal(run.status, 2, run.err.join("\n"));
      assert.equal(run.err.at(-1), `verify-deploy: ${message}`);
      assert.equal(ecs.calls().length, 0);
    };

    it("an output missing, or a value it cannot use", async () => {
      const { serviceTaskDefinitionArn: _gone, ...older } = outputs;
      await refused([], older, "prod: its stack output serviceTaskDefinitionArn is missing; verify-deploy needs the task definition revision the update registered (a stack updated before this output existed: pulumi up once more)");
      await refused([], { ...outputs, serviceTaskDefinitionArn: revision(7).replace("us-east-1", "eu-west-1") },
        `prod: its stack output serviceTaskDefinitionArn is "${revision(7).replace("us-east-1", "eu-west-1")}"; verify-deploy needs the task definition revision the update registered (a stack updated before this output existed: pulumi up once more)`);
      await refused([], { ...outputs, clusterName: "a; rm -rf /" }, `prod: its stack output clusterName is "a; rm -rf /"; verify-deploy needs the ECS cluster's name`);
      await refused([], { ...outputs, region: null }, "prod: its stack output region is null; verify-deploy needs an AWS region");
      await refused([], [outputs], "the outputs of prod are not a JSON object of output names and values");
    });

    it("an outputs file that is not JSON, not there, too large or not a file", async () => {
      const notJson = outputsFile("{ not json");
      const run = await main(["prod", "--outputs", notJson], { projectRoot: repoRoot, out: () => undefined, err: () => undefined });
      assert.equal(run, 2);
      const lines = async (args: string[]) => {
        const errors: string[] = [];
        const status = await main(args, { projectRoot: repoRoot, out: () => undefined, err: (line) => errors.push(line) });
        return { status, last: errors.at(-1) };
      };
      assert.deepEqual(await lines(["prod", "--outputs", notJson]), { status: 2, last: `verify-deploy: --outputs ${notJson} is not JSON (pulumi stack output --json prints what it needs)` });
      const missing = path.join(os.tmpdir(), "verify-deploy-no-such-file.json");
      assert.deepEqual(await lines(["prod", "--outputs", missing]), { status: 2, last: `verify-deploy: --outputs ${missing}: no such file` });
      const folder = path.dirname(notJson);
      assert.deepEqual(await lines(["prod", "--outputs", folder]), { status: 2, last: `verify-deploy: --outputs ${folder}: not a regular file` });
      const huge = outputsFile(" ".repeat(1024 * 1024 + 1));
      assert.deepEqual(await lines(["prod", "--outputs", huge]), { status: 2, last: `verify-deploy: --outputs ${huge}: 1048577 bytes; stack outputs are JSON of at most 1048576 bytes` });
      assert.equal(ecs.calls().length, 0);
    });

    it("a stack name the project cannot build, or a --wait that is not whole minutes from 0 to 120", async () => {
      const errors: string[] = [];
      assert.equal(await main(["Prod", "--outputs", outputsFile(outputs)], { projectRoot: repoRoot, out: () => undefined, err: (line) => errors.push(line) }), 2);
      assert.deepEqual(errors, [
        'verify-deploy: "Prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
      ]);
      for (const wait of ["abc", "-1", "121", "1.5"]) {
        const printed = await stderrOf(() => main(["prod", "--wait", wait], { projectRoot: repoRoot, out: () => undefined, err: () => undefined }));
        assert.equal(printed.result, 2, wait);
        assert.match(printed.stderr, new RegExp(`^error: option '--wait <minutes>' argument '${wait.replace(".", "\\.")}' is invalid\\. allowed: whole minutes from 0 to 120$`, "m"), wait);
      }
      assert.equal(ecs.calls().length, 0);
    });

    it("outputs the Pulumi CLI cannot give: its first error line", async () => {
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-deploy-bin-"));
      fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho \"$*\" > \"$(dirname \"$0\")/args\"\necho 'error: no stack named '\\''prod'\\'' found' >&2\nexit 255\n", { mode: 0o755 });
      const errors: string[] = [];
      const savedPath = process.env.PATH;
      process.env.PATH = `${bin}:${savedPath}`;
      try {
        assert.equal(await main(["prod"], { projectRoot: bin, out: () => undefined, err: (line) => errors.push(line) }), 2);
      } finally {
        process.env.PATH = savedPath;
      }
      assert.equal(fs.readFileSync(path.join(bin, "args"), "utf8"), "stack output --json --stack prod\n");
      assert.deepEqual(errors, ["verify-deploy: pulumi stack output --json --stack prod failed: error: no stack named 'prod' found"]);
    });
  });

  it("reads the outputs from the Pulumi CLI when no file is given", async () => {
    answer("describe-services-completed.json", "describe-tasks-healthy.json");
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-deploy-bin-"));
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(outputs, null, 4)}\nJSON\n`, { mode: 0o755 });
    const out: string[] = [];
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      assert.equal(await main(["prod"], { projectRoot: bin, out: (line) => out.push(line), err: () => undefined }), 0);
    } finally {
      process.env.PATH = savedPath;
    }
    assert.match(out[0], /^prod: trading-bot-service-8d0b3e2 runs trading-bot-prod:7/);
  });
});

// ---- the deploy workflow's step, run as GitHub runs it: bash, npm run verify-deploy, the real
// tool and SDK, against a stand-in ECS endpoint (AWS_ENDPOINT_URL_ECS) answering the fixtures ----

/** The fixture as ECS's JSON protocol sends it: timestamps as epoch seconds. */
function onTheWire(value: unknown, key = ""): unknown {
  if (typeof value === "string" && /At$/.test(key)) return Date.parse(value) / 1000;
  if (Array.isArray(value)) return value.map((item) => onTheWire(item));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, onTheWire(v, k)]));
  return value;
}

/** An HTTP server answering ECS's operations (X-Amz-Target) with these fixtures. */
async function standInEcs(files: Record<string, string>): Promise<{ url: string; calls: string[]; close(): void }> {
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const operation = String(request.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
      calls.push(operation);
      const file = files[operation];
      response.writeHead(file ? 200 : 400, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(file ? onTheWire(fixture(file)) : { __type: "InvalidParameterException", message: `no fixture for ${operation}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => server.close() };
}

describe("deploy.yml's verify step, run as GitHub runs it", () => {
  const deploy = parseWorkflow("deploy.yml", fs.readFileSync(path.join(repoRoot, ".github", "workflows", "deploy.yml"), "utf8"));
  const step = (deploy.jobs.production.steps ?? []).find((s) => s.name === "Verify the deployment")!;

  async function runStep(files: Record<string, string>): Promise<{ status: number | null; output: string; calls: string[] }> {
    const ecs = await standInEcs(files);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-verify-step-"));
    const bin = path.join(cwd, ".bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "npm"), '#!/usr/bin/env bash\n[[ "$1 $2 $3" == "run verify-deploy --" ]] || exit 99\nshift 3\nexec "$NODE" "$LAUNCH" verifyDeploy "$@"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\n[ "$*" = "stack output --json --stack prod" ] || exit 98\ncat <<'JSON'\n${JSON.stringify(outputs)}\nJSON\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(cwd, "step.sh"), step.run!);
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "step.sh"], {
      cwd,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: os.homedir(),
        TMPDIR: os.tmpdir(), // the run's temporary folder (test/support/runTempFolder.js)
        NODE: process.execPath,
        LAUNCH: path.join(repoRoot, "tools", "launch.js"),
        STACK: "prod",
        PULUMI_ACCESS_TOKEN: "pul-stand-in",
        AWS_ENDPOINT_URL_ECS: ecs.url,
        AWS_ACCESS_KEY_ID: "AKIASTANDIN",
        AWS_SECRET_ACCESS_KEY: "stand-in",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    ecs.close();
    return { status, output, calls: ecs.calls };
  }

  it("fails the job when ECS rolled the deployment back, and passes a completed one", async () => {
    const taskDefinition = "describe-task-definition.json";
    const rolledBack = await runStep({ DescribeServices: "describe-services-rolled-back.json", ListTasks: "list-tasks.json", DescribeTasks: "describe-tasks-rolled-back.json", DescribeTaskDefinition: taskDefinition });
    assert.equal(rolledBack.status, 1, rolledBack.output);
    assert.match(rolledBack.output, /^prod: the deployment is not verified:$/m);
    assert.match(rolledBack.output, /runs trading-bot-prod:6, not trading-bot-prod:7, which this update registered$/m);
    assert.deepEqual(rolledBack.calls, ["DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition"]);
    const completed = await runStep({ DescribeServices: "describe-services-completed.json", ListTasks: "list-tasks.json", DescribeTasks: "describe-tasks-healthy.json", DescribeTaskDefinition: taskDefinition });
    assert.equal(completed.status, 0, completed.output);
    assert.match(completed.output, /^prod: trading-bot-service-8d0b3e2 runs trading-bot-prod:7: deployment ecs-svc\/2761498305557021843 COMPLETED, 3 of 3 task\(s\) running, all HEALTHY$/m);
    assert.deepEqual(completed.calls, ["DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition"]);
  }).timeout(60_000);
});
