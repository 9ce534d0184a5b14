// Does the service run what `pulumi up` registered? A pure judgement of what ECS answered.
// `pulumi up` waits for a steady state (one deployment, running equals desired), which is also
// what a service reaches after its circuit breaker rolled back to the old revision
// (pulumi/pulumi-aws#4487, pulumi/pulumi-awsx#1848): so this checks the revision, the rollout's
// state, the counts and the tasks' health, each from ECS's own answers.
import type { Deployment, Service, ServiceEvent, Task } from "@aws-sdk/client-ecs";
import type { Target } from "./outputs";

/** What ECS says about the service at one moment. */
export interface Snapshot {
  /** The service, or undefined with ECS's reason (e.g. MISSING). */
  service: Service | undefined;
  missingReason?: string;
  /** The service's tasks that ECS wants running (ListTasks desiredStatus RUNNING, then DescribeTasks). */
  tasks: Task[];
  /** Whether an essential container of the expected revision has a health check (DescribeTaskDefinition). */
  healthChecked: boolean;
}

/** verified: done; pending: may still get there (worth waiting for); failed: will not. */
export type Verdict = { state: "verified"; summary: string } | { state: "pending" | "failed"; reasons: string[] };

/** `arn:...:task-definition/trading-bot-prod:7` -> `trading-bot-prod:7`. */
export const revisionOf = (arn: string | undefined): string => (arn ?? "none").replace(/^.*:task-definition\//, "");
const taskIdOf = (arn: string | undefined): string => (arn ?? "?").replace(/^.*\//, "");

export function assess(target: Target, snapshot: Snapshot): Verdict {
  const { service } = snapshot;
  if (!service) return failed(`the service ${target.serviceName} is not in the cluster ${target.clusterName} (${snapshot.missingReason ?? "not found"})`);
  if (service.status !== "ACTIVE") return failed(`the service ${target.serviceName} is ${service.status}, not ACTIVE`);
  const deployments = service.deployments ?? [];
  const primary = deployments.find((deployment) => deployment.status === "PRIMARY");
  if (!primary) return failed(`the service ${target.serviceName} has no PRIMARY deployment`);
  if (primary.taskDefinition !== target.taskDefinitionArn) return failed(...notOurRevision(target, primary, deployments));
  if (primary.rolloutState === "FAILED") return failed(`the deployment ${primary.id} of ${revisionOf(primary.taskDefinition)} FAILED: ${primary.rolloutStateReason ?? "no reason given"}`);
  if (primary.rolloutState === undefined) {
    return failed(`the deployment ${primary.id} has no rolloutState: the service's deployment circuit breaker is off, so ECS never says whether a rollout completed`);
  }
  const waiting = pendingReasons(target, service, primary, snapshot);
  if (waiting.length > 0) return { state: "pending", reasons: waiting };
  const health = snapshot.healthChecked ? ", all HEALTHY" : " (no health check to wait for)";
  return {
    state: "verified",
    summary: `${target.stack}: ${target.serviceName} runs ${revisionOf(target.taskDefinitionArn)}: deployment ${primary.id} COMPLETED, ${primary.runningCount} of ${primary.desiredCount} task(s) running${health}`,
  };
}

const failed = (...reasons: string[]): Verdict => ({ state: "failed", reasons });

/** The PRIMARY deployment runs another revision: rolled back, or replaced by a newer update. */
function notOurRevision(target: Target, primary: Deployment, deployments: Deployment[]): string[] {
  const ours = revisionOf(target.taskDefinitionArn);
  const reasons = [`the service's PRIMARY deployment ${primary.id} runs ${revisionOf(primary.taskDefinition)}, not ${ours}, which this update registered`];
  const mine = deployments.find((deployment) => deployment.taskDefinition === target.taskDefinitionArn);
  if (mine) reasons.push(`the deployment ${mine.id} of ${ours} is ${mine.status}, rollout ${mine.rolloutState ?? "unknown"}: ${mine.rolloutStateReason ?? "no reason given"}`);
  if (/circuit breaker|rolling back|rolled back/i.test(primary.rolloutStateReason ?? "") || !mine) {
    reasons.push(`ECS rolled back to ${revisionOf(primary.taskDefinition)} (or a later update replaced ${ours}): the old code runs, not the new`);
  }
  return reasons;
}

/** Why the rollout is not done yet: state, counts, an older deployment, tasks not running or not healthy. */
function pendingReasons(target: Target, service: Service, primary: Deployment, snapshot: Snapshot): string[] {
  const reasons: string[] = [];
  if (primary.rolloutState !== "COMPLETED") {
    reasons.push(`the deployment ${primary.id} is ${primary.rolloutState}: ${primary.runningCount} of ${primary.desiredCount} task(s) running, ${primary.pendingCount ?? 0} pending`);
  }
  for (const older of (service.deployments ?? []).filter((deployment) => deployment !== primary && (deployment.runningCount ?? 0) > 0)) {
    reasons.push(`the ${older.status} deployment ${older.id} of ${revisionOf(older.taskDefinition)} still runs ${older.runningCount} task(s)`);
  }
  if (service.runningCount !== service.desiredCount) reasons.push(`the service runs ${service.runningCount} of ${service.desiredCount} desired task(s)`);
  const running = snapshot.tasks.filter((task) => task.lastStatus === "RUNNING" && task.taskDefinitionArn === target.taskDefinitionArn);
  if (running.length !== service.desiredCount) {
    reasons.push(`${running.length} task(s) of ${revisionOf(target.taskDefinitionArn)} are RUNNING; desired ${service.desiredCount}`);
  }
  for (const task of snapshot.tasks.filter((t) => t.taskDefinitionArn !== target.taskDefinitionArn)) {
    reasons.push(`the task ${taskIdOf(task.taskArn)} runs ${revisionOf(task.taskDefinitionArn)}`);
  }
  if (snapshot.healthChecked) {
    for (const task of running.filter((t) => t.healthStatus !== "HEALTHY")) {
      reasons.push(`the task ${taskIdOf(task.taskArn)} is ${task.healthStatus ?? "UNKNOWN"}, not HEALTHY`);
    }
  }
  return reasons;
}

/** The service's latest events, newest first, one line each. */
export function latestEvents(service: Service | undefined, count = 10): string[] {
  return (service?.events ?? []).slice(0, count).map((event: ServiceEvent) => {
    const when = event.createdAt ? new Date(event.createdAt).toISOString().replace(/\.\d{3}Z$/, "Z") : "?";
    return `${when} ${String(event.message ?? "").replace(/[\r\n]+/g, " ")}`;
  });
}

/** The command that shows what the containers printed. */
export function logsCommand(target: Target): string {
  return `aws logs tail ${target.logGroupName} --since 30m --region ${target.region}`;
}
