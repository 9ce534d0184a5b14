// The output contract: what this project's stacks export, for other projects to read
// through a StackReference. Renaming or dropping a key is a breaking change for them.
import * as pulumi from "@pulumi/pulumi";
import type { Severity } from "../infra/alerts";

/** Every output of a trading-bot stack, as a consumer sees it once resolved. */
export interface TradingBotOutputValues {
  /** The app's `ENVIRONMENT`: development, staging or production. */
  environment: string;
  /** The AWS region of every resource of the stack. */
  region: string;
  /** The ECS cluster the bot's service (and the data-sync task) runs in. */
  clusterName: string;
  clusterArn: string;
  /** The bot's ECS service. */
  serviceName: string;
  serviceArn: string;
  /**
   * The service's task definition with its revision, as this update registered it
   * (`arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`): what
   * `npm run verify-deploy` expects the service's PRIMARY deployment to run.
   */
  serviceTaskDefinitionArn: string;
  /** `<service>.<namespace>` in Cloud Map, or null when service discovery is off. */
  serviceDiscoveryName: string | null;
  /** The containers' CloudWatch log group (`aws logs tail` it). */
  logGroupName: string;
  /** The network the tasks run in: the stack's own VPC, or the one `network.fromStack` names. */
  vpcId: string;
  privateSubnetIds: string[];
  publicSubnetIds: string[];
  /** The tasks' security group: allow it as a source to let the bot reach something. */
  serviceSecurityGroupId: string;
  /** `postgres` (RDS) or `sqlite` (EFS volume). */
  databaseKind: string;
  /** `host:port` of RDS, or the EFS file system's DNS name. */
  databaseEndpoint: string;
  /** RDS's PostgreSQL log group (`/aws/rds/instance/<identifier>/postgresql`), or null for SQLite. */
  databaseLogGroupName: string | null;
  /** DATABASE_URL itself. Secret. */
  databaseUrl: string;
  /**
   * ECS `valueFrom` of DATABASE_URL in the stack's secret, `<appSecretArn>:DATABASE_URL::`, for another
   * task definition: the current version (AWSCURRENT) whenever that task starts, never pinned
   * (pin it with `appSecretVersionId` to roll your tasks with ours).
   */
  databaseUrlValueFrom: string;
  /** `cluster` (ElastiCache) or `local` (sidecar). */
  cacheKind: string;
  /** Configuration endpoint `host:port`, or `localhost:6379` for the sidecar. */
  cacheEndpoint: string;
  /** REDIS_URL itself. Secret. */
  cacheUrl: string;
  /** ECS `valueFrom` of REDIS_URL in the stack's secret, `<appSecretArn>:REDIS_URL::`. */
  cacheUrlValueFrom: string;
  /** ARN of the stack's one Secrets Manager secret: a JSON object with a key per app secret. */
  appSecretArn: string;
  /** The keys of that secret (names only, never values), e.g. BYBIT_API_KEY, DATABASE_URL. */
  appSecretKeys: string[];
  /**
   * The Secrets Manager version holding the values this update stored (the bot's tasks read
   * exactly it: `<appSecretArn>:<KEY>::<appSecretVersionId>`); new whenever a value changes.
   */
  appSecretVersionId: string;
  /** The bucket of the app's configuration files (`trading-config.json`). */
  configBucketName: string;
  /** SNS topic ARN per alert severity. */
  alertTopicArns: Record<Severity, string>;
  /** The data-sync task (`aws ecs run-task --task-definition`), or null when the stack has no dataSync. */
  dataSyncTaskDefinitionArn: string | null;
  /** Its security group, subnets and public IP setting (`--network-configuration`), or null. */
  dataSyncSecurityGroupId: string | null;
  dataSyncSubnetIds: string[] | null;
  dataSyncAssignPublicIp: boolean | null;
  /** The stack's exports bucket, `trading-bot-data-<account>-<stack>`, or null when it does not export. */
  dataSyncExportsBucket: string | null;
  /** The console page of the stack's CloudWatch dashboard, or null when `dashboard.enabled` is false. */
  dashboardUrl: string | null;
  /**
   * The data-sync task's log group (`/ecs/trading-bot-<stack>-data-sync/<suffix>`; a run's stream is
   * `data-sync/data-sync/<task id>`), or null without dataSync.
   */
  dataSyncLogGroupName: string | null;
}

/** A value whose parts may each still be an Input. */
type DeepInput<T> = [T] extends [readonly (infer U)[]]
  ? pulumi.Input<DeepInput<U>[]>
  : [T] extends [Record<string, unknown>]
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

/** The outputs as the program returns them. */
export type StackOutputs = { [K in keyof TradingBotOutputValues]: DeepInput<TradingBotOutputValues[K]> };

/** Every key of the contract, in a stable order. */
export const outputKeys = [
  "environment",
  "region",
  "clusterName",
  "clusterArn",
  "serviceName",
  "serviceArn",
  "serviceTaskDefinitionArn",
  "serviceDiscoveryName",
  "logGroupName",
  "vpcId",
  "privateSubnetIds",
  "publicSubnetIds",
  "serviceSecurityGroupId",
  "databaseKind",
  "databaseEndpoint",
  "databaseLogGroupName",
  "databaseUrl",
  "databaseUrlValueFrom",
  "cacheKind",
  "cacheEndpoint",
  "cacheUrl",
  "cacheUrlValueFrom",
  "appSecretArn",
  "appSecretKeys",
  "appSecretVersionId",
  "configBucketName",
  "alertTopicArns",
  "dataSyncTaskDefinitionArn",
  "dataSyncSecurityGroupId",
  "dataSyncSubnetIds",
  "dataSyncAssignPublicIp",
  "dataSyncExportsBucket",
  "dashboardUrl",
  "dataSyncLogGroupName",
] as const satisfies readonly (keyof TradingBotOutputValues)[];

/** The outputs that carry credentials: exported as Pulumi secrets, and secret when read. */
export const secretOutputKeys = ["databaseUrl", "cacheUrl"] as const satisfies readonly (keyof TradingBotOutputValues)[];

/** Typed outputs of another trading-bot stack. */
export type TradingBotStackOutputs = { [K in keyof TradingBotOutputValues]: pulumi.Output<TradingBotOutputValues[K]> };

/**
 * Reads every output of a trading-bot stack with `requireOutput`, so a missing key fails
 * the consumer's preview instead of yielding undefined. Secret outputs stay secret.
 *
 *     const bot = readTradingBotOutputs(new pulumi.StackReference("acme/trading-bot/prod"));
 *     bot.serviceSecurityGroupId.apply(...)
 */
export function readTradingBotOutputs(ref: pulumi.StackReference): TradingBotStackOutputs {
  return Object.fromEntries(outputKeys.map((key) => [key, ref.requireOutput(key)])) as TradingBotStackOutputs;
}
