import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceAttachment } from "./attachment";
import { cacheNodeTypePattern } from "./awsLimits";

export type CacheEngine = "redis" | "valkey";

export interface RedisClusterArgs {
  /** VPC of the component's security group. */
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ, for the cache subnet group. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** `redis` or `valkey` (the same protocol; Valkey nodes cost about 20 % less). */
  engine: CacheEngine;
  /** Engine version, e.g. `7.1` (redis) or `8.0` (valkey). */
  engineVersion: string;
  /** Node type, e.g. `cache.t4g.small`. */
  nodeType: string;
  /** Shards (node groups), 1 to 500. */
  shards: number;
  /** Replicas in each shard, 1 to 5: cluster mode needs automatic failover, which needs a replica. */
  replicasPerShard: number;
  /** Place each shard's replicas in other AZs than its primary, with automatic failover. */
  multiAz: boolean;
  /** Days of daily snapshots kept (0 to 35; 0 turns snapshots off). */
  snapshotRetentionDays: number;
}

/**
 * ElastiCache in cluster mode: shards and replicas across AZs, automatic failover,
 * TLS in transit with an auth token, encryption at rest, daily snapshots.
 * It gives the app `REDIS_URL` (a Pulumi secret) through `connectionUrl`.
 */
export class RedisCluster extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly replicationGroup: aws.elasticache.ReplicationGroup;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** The cluster's configuration endpoint, `host:port`. */
  public readonly endpoint: pulumi.Output<string>;
  /** `rediss://:token@host:6379`, secret. */
  public readonly connectionUrl: pulumi.Output<string>;

  private readonly port = 6379;
  private readonly resourceName: string;

  constructor(name: string, args: RedisClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:RedisCluster", name, {}, opts);
    this.resourceName = name;
    validate(name, args);

    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "Private subnets of the trading bot cache" },
      { parent: this },
    );
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Trading bot cache: ingress from the service only" },
      { parent: this },
    );
    // Auth tokens are 16-128 printable characters without @ " or /; alphanumeric is safe in a URL.
    const authToken = new random.RandomPassword(
      `${name}-auth-token`,
      { length: 64, special: false },
      { parent: this },
    );
    const majorVersion = args.engineVersion.split(".")[0];

    this.replicationGroup = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        description: "Trading bot cache (cluster mode)",
        engine: args.engine,
        engineVersion: args.engineVersion,
        nodeType: args.nodeType,
        port: this.port,
        clusterMode: "enabled",
        parameterGroupName: `default.${args.engine}${majorVersion}.cluster.on`,
        numNodeGroups: args.shards,
        replicasPerNodeGroup: args.replicasPerShard,
        // Cluster mode requires automatic failover.
        automaticFailoverEnabled: true,
        multiAzEnabled: args.multiAz,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [this.securityGroup.id],
        transitEncryptionEnabled: true,
        authToken: authToken.result,
        atRestEncryptionEnabled: true,
        snapshotRetentionLimit: args.snapshotRetentionDays,
        autoMinorVersionUpgrade: true,
        applyImmediately: false,
      },
      { parent: this },
    );

    const host = this.replicationGroup.configurationEndpointAddress;
    this.endpoint = pulumi.interpolate`${host}:${this.port}`;
    this.connectionUrl = pulumi.secret(pulumi.interpolate`rediss://:${authToken.result}@${host}:${this.port}`);

    this.registerOutputs({ endpoint: this.endpoint, connectionUrl: this.connectionUrl });
  }

  allowIngressFrom(sourceSecurityGroupId: pulumi.Input<string>): void {
    new aws.vpc.SecurityGroupIngressRule(
      `${this.resourceName}-from-service`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: sourceSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: this.port,
        toPort: this.port,
        description: "Redis (TLS) from the trading bot service",
      },
      { parent: this },
    );
  }
}

function validate(name: string, args: RedisClusterArgs): void {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new Error(`RedisCluster ${name}: ${field} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  };
  if (args.engine !== "redis" && args.engine !== "valkey") fail("engine", args.engine, "redis, valkey");
  if (!/^\d+\.\d+$/.test(args.engineVersion)) fail("engineVersion", args.engineVersion, "major.minor, e.g. 7.1 or 8.0");
  if (!cacheNodeTypePattern.test(args.nodeType)) fail("nodeType", args.nodeType, "an ElastiCache node type such as cache.t4g.small");
  if (!Number.isInteger(args.shards) || args.shards < 1 || args.shards > 500) fail("shards", args.shards, "1 to 500");
  if (!Number.isInteger(args.replicasPerShard) || args.replicasPerShard < 1 || args.replicasPerShard > 5) {
    fail("replicasPerShard", args.replicasPerShard, "1 to 5 (cluster mode needs a replica to fail over to)");
  }
  if (!Number.isInteger(args.snapshotRetentionDays) || args.snapshotRetentionDays < 0 || args.snapshotRetentionDays > 35) {
    fail("snapshotRetentionDays", args.snapshotRetentionDays, "0 to 35");
  }
}
