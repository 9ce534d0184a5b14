// Every rule of the pack, in the order the policy table (docs/policies.md) lists them.
import { Rule } from "./rule";
import * as accounts from "./rules/accounts";
import * as alerts from "./rules/alerts";
import * as cluster from "./rules/ecsCluster";
import * as service from "./rules/ecsService";
import * as task from "./rules/ecsTaskDefinition";
import * as dataSync from "./rules/dataSync";
import * as cache from "./rules/elasticache";
import * as monitoring from "./rules/monitoring";
import * as network from "./rules/network";
import * as nonProduction from "./rules/nonProduction";
import * as rds from "./rules/rdsInstance";
import * as bucket from "./rules/s3Bucket";
import * as secrets from "./rules/secretsManager";
import * as stack from "./rules/stack";

export const rules: Rule[] = [
  service.minimumHealthyPercent,
  service.maximumPercent,
  service.circuitBreaker,
  service.desiredCount,
  service.noFargateSpot,
  service.noPublicIp,
  stack.defaultStrategyNotSpot,
  stack.serviceRunsBot,
  task.containerLogging,
  task.noSecretsInEnvironment,
  task.healthCheck,
  task.noDebugLogging,
  task.noDebugFeatures,
  task.environmentProduction,
  task.immutableImage,
  task.bybitLive,
  cluster.containerInsights,
  rds.multiAz,
  rds.storageEncrypted,
  rds.notPublic,
  rds.deletionProtection,
  rds.finalSnapshot,
  rds.backupRetention,
  rds.performanceInsights,
  rds.protectedInstance,
  rds.windows,
  rds.logExports,
  rds.ownParameterGroup,
  cache.clusterMode,
  cache.automaticFailover,
  cache.multiAz,
  cache.encryption,
  cache.authentication,
  cache.snapshots,
  secrets.recoveryWindow,
  monitoring.logRetention,
  monitoring.alarmActions,
  monitoring.breachingAlarmMofN,
  alerts.serviceDownAlarm,
  alerts.heartbeatAlarm,
  alerts.criticalAlarm,
  alerts.criticalSubscription,
  alerts.criticalSubscriptionNotPlaceholder,
  bucket.noForceDestroy,
  network.noPublicIngress,
  network.natGatewayPerAz,
  network.serviceDiscoveryReachable,
  stack.noDevStandIns,
  dataSync.noDataImport,
  accounts.accountNotShared,
  nonProduction.testnetOnly,
  nonProduction.environmentNotProduction,
  nonProduction.natGatewayCost,
];
