// What every Fargate task of this project is made of, from its attachments: the merged
// environment, secrets, sidecars and volumes; the two IAM roles; the containers' JSON.
// TradingBotService and DataSync both build their tasks with these, so a backing
// component plugs into either the same way.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerDefinition, ContainerSecret, IamStatement, ServiceAttachment, policyDocument } from "./attachment";

/** Everything a task's attachments add up to. */
export interface MergedAttachments {
  environment: Record<string, pulumi.Input<string>>;
  secrets: ContainerSecret[];
  sidecars: ContainerDefinition[];
  appDependsOn: NonNullable<ServiceAttachment["appDependsOn"]>;
  volumes: aws.types.input.ecs.TaskDefinitionVolume[];
  mountPoints: NonNullable<ServiceAttachment["mountPoints"]>;
  executionRoleStatements: IamStatement[];
  taskRoleStatements: IamStatement[];
  waitFor: pulumi.Resource[];
}

/**
 * Merges the attachments onto the app's own plain environment. A variable given twice (as
 * plain or secret) or a sidecar named like another container is an error naming it.
 */
export function mergeAttachments(where: string, appEnvironment: Record<string, pulumi.Input<string>>, appContainerName: string, attachments: ServiceAttachment[]): MergedAttachments {
  const environment: Record<string, pulumi.Input<string>> = { ...appEnvironment };
  const secretNames = new Set<string>();
  for (const attachment of attachments) {
    for (const [variable, value] of Object.entries(attachment.environment ?? {})) {
      if (variable in environment) throw new Error(`${where}: environment variable ${variable} is set twice`);
      environment[variable] = value;
    }
    for (const secret of attachment.secrets ?? []) {
      if (secretNames.has(secret.name) || secret.name in environment) {
        throw new Error(`${where}: ${secret.name} is given twice (as a secret and again as a secret or plain variable)`);
      }
      secretNames.add(secret.name);
    }
  }
  const sidecars = attachments.flatMap((a) => a.sidecars ?? []);
  const names = new Set([appContainerName]);
  for (const sidecar of sidecars) {
    if (names.has(sidecar.name)) throw new Error(`${where}: attachments is ${JSON.stringify(sidecar.name)}; allowed: distinct container names`);
    names.add(sidecar.name);
  }
  return {
    environment,
    secrets: attachments.flatMap((a) => a.secrets ?? []),
    sidecars,
    appDependsOn: attachments.flatMap((a) => a.appDependsOn ?? []),
    volumes: attachments.flatMap((a) => a.volumes ?? []),
    mountPoints: attachments.flatMap((a) => a.mountPoints ?? []),
    executionRoleStatements: attachments.flatMap((a) => a.executionRoleStatements ?? []),
    taskRoleStatements: attachments.flatMap((a) => a.taskRoleStatements ?? []),
    waitFor: attachments.flatMap((a) => a.waitFor ?? []),
  };
}

export interface TaskRoles {
  /** Starts the task: pulls the image, writes logs, reads the secrets. */
  executionRole: aws.iam.Role;
  /** What the running containers may do. */
  taskRole: aws.iam.Role;
  /** The roles' policies: a task started before they exist fails, so the service waits for them. */
  grants: pulumi.Resource[];
}

const assumedByEcsTasks = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Options of the task role: a fixed name (another stack's policy refers to it by name) and tags. */
export interface TaskRoleOptions {
  name?: string;
  tags?: Record<string, string>;
}

/**
 * The permissions boundary every role of the task carries (both roles): the account's
 * bootstrap (bootstrap/) lets its deploy roles create roles only with it.
 */
export type PermissionsBoundary = pulumi.Input<string> | undefined;

/** The execution role (with AWS's managed execution policy) and the task role, each with the attachments' statements. */
export function createTaskRoles(
  parent: pulumi.Resource,
  name: string,
  purpose: string,
  merged: MergedAttachments,
  taskRole: TaskRoleOptions = {},
  permissionsBoundary?: PermissionsBoundary,
): TaskRoles {
  const executionRole = new aws.iam.Role(
    `${name}-execution`,
    { assumeRolePolicy: assumedByEcsTasks, description: `Starts ${purpose}: pulls the image, writes logs, reads its secrets`, permissionsBoundary },
    { parent },
  );
  const managed = new aws.iam.RolePolicyAttachment(
    `${name}-execution-managed`,
    { role: executionRole.name, policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-task`,
    { assumeRolePolicy: assumedByEcsTasks, description: `The running ${purpose}`, name: taskRole.name, tags: taskRole.tags, permissionsBoundary },
    { parent },
  );
  const inline = [
    inlinePolicy(parent, `${name}-execution-inline`, executionRole, merged.executionRoleStatements),
    inlinePolicy(parent, `${name}-task-inline`, role, merged.taskRoleStatements),
  ].filter((policy): policy is aws.iam.RolePolicy => policy !== undefined);
  return { executionRole, taskRole: role, grants: [managed, ...inline] };
}

function inlinePolicy(parent: pulumi.Resource, name: string, role: aws.iam.Role, statements: IamStatement[]): aws.iam.RolePolicy | undefined {
  if (statements.length === 0) return undefined;
  return new aws.iam.RolePolicy(name, { role: role.id, policy: policyDocument(statements) }, { parent });
}

/** The app container as a task wants it, before logging is added. */
export type AppContainer = Omit<ContainerDefinition, "environment" | "secrets" | "logConfiguration" | "mountPoints" | "dependsOn">;

/** The task's containers as ECS wants them (a JSON string): the app, then the sidecars, each logging to the log group. */
export function containerDefinitionsJson(app: AppContainer, merged: MergedAttachments, logGroupName: pulumi.Input<string>, region: string): pulumi.Output<string> {
  const secrets = Object.fromEntries(merged.secrets.map((s) => [s.name, s.valueFrom]));
  return pulumi.all([merged.environment, secrets, logGroupName]).apply(([environment, secretRefs, group]) => {
    const logging = (streamPrefix: string): ContainerDefinition["logConfiguration"] => ({
      logDriver: "awslogs",
      // A full log buffer must not stall the bot.
      options: { "awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": streamPrefix, mode: "non-blocking" },
    });
    const container: ContainerDefinition = {
      ...app,
      environment: sortedEntries(environment).map(([name, value]) => ({ name, value })),
      secrets: sortedEntries(secretRefs).map(([name, valueFrom]) => ({ name, valueFrom })),
      mountPoints: merged.mountPoints,
      dependsOn: merged.appDependsOn,
      logConfiguration: logging(app.name),
    };
    const sidecars = merged.sidecars.map((sidecar) => ({ ...sidecar, logConfiguration: logging(sidecar.name) }));
    return JSON.stringify([container, ...sidecars]);
  });
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
