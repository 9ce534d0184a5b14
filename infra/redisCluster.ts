import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceAttachment } from "./attachment";
import type { ChartMetric, DashboardSection } from "./dashboard";
import * as limits from "./limits";
import { Placement, Reachable, createSecurityGroup } from "./placement";

export type { CacheEngine } from "./limits";

export interface RedisClusterArgs extends Placement {
  /** `redis` or `valkey` (the same protocol; Valkey nodes cost about 20 % less). */
  engine: limits.CacheEngine;
  /** Engine version, major.minor: e.g. `7.1` (redis) or `8.0` (valkey). */
  engineVersion: string;
  /** Node type, e.g. `cache.t4g.small`. */
  nodeType: string;
  /** Shards (node groups), 1 to 500. */
  shards: number;
  /** Replicas in each shard, 0 to 5; without one, a failed node loses its shard's data until ElastiCache replaces it. */
  replicasPerShard: number;
  /** Place each shard's replicas in other AZs than its primary (needs a replica). */
  multiAz: boolean;
  /** Days of daily snapshots kept (0 to 35; 0 turns snapshots off). */
  snapshotRetentionDays: number;
}

const port = 6379;

/**
 * ElastiCache in cluster mode: shards and replicas across AZs, automatic failover,
 * TLS in transit with an auth token, encryption at rest, daily snapshots.
 * It gives the app `REDIS_URL` (a Pulumi secret) through `connectionUrl`.
 */
export class RedisCluster extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly replicationGroup: aws.elasticache.ReplicationGroup;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** Its security group and port, for the composition to let clients in. */
  public readonly network: Reachable;
  /** The cluster's configuration endpoint, `host:port`. */
  public readonly endpoint: pulumi.Output<string>;
  /** `rediss://:token@host:6379`, secret. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** Tasks connect at start: they wait for the replication group. */
  public readonly waitFor: pulumi.Resource[];
  /** Each node's engine CPU, memory and evictions, for the stack's dashboard. */
  public readonly dashboardSection: DashboardSection;

  constructor(name: string, args: RedisClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:RedisCluster", name, args, opts);
    validateArgs(name, args);
    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "Private subnets of the trading bot cache" },
      { parent: this },
    );
    this.securityGroup = createSecurityGroup(this, name, args.vpcId, "Trading bot cache: ingress from the service only");
    this.network = { securityGroupId: this.securityGroup.id, port, protocolName: "Redis (TLS)" };
    // Auth tokens are 16-128 printable characters without @ " or /; alphanumeric is safe in a URL.
    const authToken = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, { parent: this });
    this.replicationGroup = this.createReplicationGroup(name, args, subnetGroup, authToken);
    const host = this.replicationGroup.configurationEndpointAddress;
    this.endpoint = pulumi.interpolate`${host}:${port}`;
    this.connectionUrl = pulumi.secret(pulumi.interpolate`rediss://:${authToken.result}@${host}:${port}`);
    this.waitFor = [this.replicationGroup];
    this.dashboardSection = cacheSection(this.replicationGroup);
    this.registerOutputs({ endpoint: this.endpoint, connectionUrl: this.connectionUrl, securityGroupId: this.network.securityGroupId });
  }

  private createReplicationGroup(name: string, args: RedisClusterArgs, subnetGroup: aws.elasticache.SubnetGroup, authToken: random.RandomPassword) {
    const majorVersion = args.engineVersion.split(".")[0];
    return new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        description: "Trading bot cache (cluster mode)",
        engine: args.engine,
        engineVersion: args.engineVersion,
        nodeType: args.nodeType,
        port,
        clusterMode: "enabled",
        parameterGroupName: `default.${args.engine}${majorVersion}.cluster.on`,
        numNodeGroups: args.shards,
        replicasPerNodeGroup: args.replicasPerShard,
        // ElastiCache refuses cluster mode without automatic failover, even with no replica to fail over to.
        automaticFailoverEnabled: true,
        multiAzEnabled: args.multiAz,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [this.network.securityGroupId],
        transitEncryptionEnabled: true,
        authToken: authToken.result,
        atRestEncryptionEnabled: true,
        snapshotRetentionLimit: args.snapshotRetentionDays,
        autoMinorVersionUpgrade: true,
        applyImmediately: false,
      },
      { parent: this },
    );
  }
}

/** Engine CPU, memory used and evictions of every node (AWS/ElastiCache publishes them per node, by cluster id). */
function cacheSection(group: aws.elasticache.ReplicationGroup): DashboardSection {
  const perNode = (metricName: string, stat: ChartMetric["stat"]) =>
    group.memberClusters.apply((nodes) =>
      [...nodes].sort().map((node): ChartMetric => ({ namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, stat, label: node })),
    );
  return {
    title: "Cache (ElastiCache)",
    charts: [
      { title: "Engine CPU (%)", lines: perNode("EngineCPUUtilization", "Average") },
      { title: "Memory used (%)", lines: perNode("DatabaseMemoryUsagePercentage", "Average") },
      { title: "Evictions", lines: perNode("Evictions", "Sum") },
    ],
  };
}

function validateArgs(name: string, args: RedisClusterArgs): void {
  limits.requireAll(`RedisCluster ${name}`, args, {
    engine: limits.cacheEngine,
    engineVersion: limits.cacheEngineVersion,
    nodeType: limits.cacheNodeType,
    shards: limits.cacheShards,
    replicasPerShard: limits.cacheReplicasPerShard,
    multiAz: limits.cacheMultiAz(args.replicasPerShard),
    snapshotRetentionDays: limits.cacheSnapshotRetentionDays,
  });
}
