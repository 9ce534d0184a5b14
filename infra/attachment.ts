import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** An IAM policy statement whose resources may still be unknown (outputs of other resources). */
export interface IamStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** The IAM policy document JSON for the given statements. */
export function policyDocument(statements: IamStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** One `{ name, value }` pair of a container's plain environment. */
export interface EnvironmentVariable {
  name: string;
  value: string;
}

/** One ECS `secrets` entry: the variable name and the Secrets Manager ARN it is read from. */
export interface ContainerSecret {
  name: string;
  valueFrom: pulumi.Input<string>;
}

/** The subset of an ECS container definition this program writes (field names as ECS spells them). */
export interface ContainerDefinition {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  portMappings?: { containerPort: number; protocol: "tcp"; name?: string }[];
  environment?: EnvironmentVariable[];
  secrets?: { name: string; valueFrom: string }[];
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  healthCheck?: {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
  };
  dependsOn?: { containerName: string; condition: "START" | "HEALTHY" }[];
  memoryReservation?: number;
  logConfiguration?: { logDriver: "awslogs"; options: Record<string, string> };
}

/**
 * What a backing component (database, cache, secrets, config bucket) contributes to a task.
 * The service (and any other task that uses the backing, such as the data-sync task) merges
 * every attachment the same way, so it never needs to know which kind of database or cache
 * it is talking to.
 */
export interface ServiceAttachment {
  /** Plain environment variables for the app container (never secrets). */
  environment?: Record<string, pulumi.Input<string>>;
  /** Secrets the app container reads at start: ECS `valueFrom` a Secrets Manager ARN (or `<arn>:<json key>::`). */
  secrets?: ContainerSecret[];
  /** Extra containers in the task (logging is added by the service). */
  sidecars?: ContainerDefinition[];
  /** Containers the app container waits for, with the condition. */
  appDependsOn?: { containerName: string; condition: "START" | "HEALTHY" }[];
  /** Task volumes, with where the app container mounts them. */
  volumes?: aws.types.input.ecs.TaskDefinitionVolume[];
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  /** IAM statements the execution role needs to start the task (e.g. reading secrets). */
  executionRoleStatements?: IamStatement[];
  /** IAM statements the running app needs (e.g. reading the config bucket, mounting EFS). */
  taskRoleStatements?: IamStatement[];
  /**
   * What must exist before a task can start: the secret's value, the EFS mount targets, the
   * database and its ingress rule. The service waits for all of them, so its first tasks do
   * not fail (and trip the circuit breaker) while these are still being created.
   */
  waitFor?: pulumi.Resource[];
}
