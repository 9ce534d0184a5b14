// Every rule of the pack, in the order the README table lists them.
import { Rule } from "./rule";
import * as cluster from "./rules/ecsCluster";
import * as service from "./rules/ecsService";
import * as task from "./rules/ecsTaskDefinition";
import * as cache from "./rules/elasticache";
import * as monitoring from "./rules/monitoring";
import * as network from "./rules/network";
import * as nonProduction from "./rules/nonProduction";
import * as rds from "./rules/rdsInstance";
import * as bucket from "./rules/s3Bucket";
import * as stack from "./rules/stack";

export const rules: Rule[] = [
  service.minimumHealthyPercent,
  service.maximumPercent,
  service.circuitBreaker,
  service.desiredCount,
  service.noFargateSpot,
  service.noPublicIp,
  stack.defaultStrategyNotSpot,
  task.containerLogging,
  task.noSecretsInEnvironment,
  task.healthCheck,
  task.noDebugLogging,
  task.noDebugFeatures,
  task.immutableImage,
  cluster.containerInsights,
  rds.multiAz,
  rds.storageEncrypted,
  rds.notPublic,
  rds.deletionProtection,
  rds.finalSnapshot,
  rds.backupRetention,
  rds.performanceInsights,
  rds.protectedInstance,
  cache.clusterMode,
  cache.automaticFailover,
  cache.multiAz,
  cache.encryption,
  cache.authentication,
  cache.snapshots,
  monitoring.logRetention,
  monitoring.alarmActions,
  bucket.noForceDestroy,
  network.noPublicIngress,
  stack.noDevStandIns,
  nonProduction.testnetOnly,
  nonProduction.natGatewayCost,
];
