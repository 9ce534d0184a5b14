import * as pulumi from "@pulumi/pulumi";
import { ContainerDefinition, ServiceAttachment } from "./attachment";

export interface LocalRedisArgs {
  /** Redis image, pinned to a version, e.g. `public.ecr.aws/docker/library/redis:7.4-alpine`. */
  image: string;
  /** Memory Redis may use for data, in MiB (its `maxmemory`); eviction is LRU past it. */
  maxMemoryMiB: number;
}

/**
 * The dev "local Redis": a redis container beside the app in the same task, reached at
 * `localhost:6379`. Nothing is persisted (the cache is rebuilt on restart) and nothing
 * is billed beyond the task's own CPU and memory.
 */
export class LocalRedis extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly sidecars: ContainerDefinition[];
  public readonly appDependsOn: { containerName: string; condition: "HEALTHY" }[];
  /** `redis://localhost:6379/0`. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** `localhost:6379`. */
  public readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: LocalRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:LocalRedis", name, {}, opts);
    if (!/^[^\s:]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(args.image) || args.image.endsWith(":latest")) {
      throw new Error(`LocalRedis ${name}: image is "${args.image}"; allowed: an image with a version tag or digest (not :latest)`);
    }
    if (!Number.isInteger(args.maxMemoryMiB) || args.maxMemoryMiB < 16) {
      throw new Error(`LocalRedis ${name}: maxMemoryMiB is ${args.maxMemoryMiB}; allowed: a whole number of 16 or more`);
    }
    const containerName = "redis";
    this.sidecars = [
      {
        name: containerName,
        image: args.image,
        essential: true,
        command: [
          "redis-server",
          "--save", "",
          "--appendonly", "no",
          "--maxmemory", `${args.maxMemoryMiB}mb`,
          "--maxmemory-policy", "allkeys-lru",
        ],
        portMappings: [{ containerPort: 6379, protocol: "tcp", name: "redis" }],
        healthCheck: { command: ["CMD", "redis-cli", "ping"], interval: 10, timeout: 3, retries: 3, startPeriod: 5 },
        // Headroom over maxmemory for Redis itself.
        memoryReservation: args.maxMemoryMiB + 32,
      },
    ];
    this.appDependsOn = [{ containerName, condition: "HEALTHY" }];
    this.connectionUrl = pulumi.output("redis://localhost:6379/0");
    this.endpoint = pulumi.output("localhost:6379");
    this.registerOutputs({ connectionUrl: this.connectionUrl, endpoint: this.endpoint });
  }
}
