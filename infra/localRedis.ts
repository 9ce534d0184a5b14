import * as pulumi from "@pulumi/pulumi";
import { ContainerDefinition, ServiceAttachment } from "./attachment";
import * as limits from "./limits";

export interface LocalRedisArgs {
  /** Redis image with a version tag or digest, e.g. `public.ecr.aws/docker/library/redis:7.4-alpine`. */
  image: string;
  /** Memory Redis may use for data, in MiB (its `maxmemory`, 16 to 4096); eviction is LRU past it. */
  maxMemoryMiB: number;
}

const containerName = "redis";
const redisPort = 6379;

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
    super("trading-bot:infra:LocalRedis", name, args, opts);
    limits.requireValid(`LocalRedis ${name}`, "image", args.image, limits.imageReference);
    limits.requireValid(`LocalRedis ${name}`, "maxMemoryMiB", args.maxMemoryMiB, limits.localRedisMaxMemoryMiB);
    this.sidecars = [redisContainer(args)];
    this.appDependsOn = [{ containerName, condition: "HEALTHY" }];
    this.connectionUrl = pulumi.output(`redis://localhost:${redisPort}/0`);
    this.endpoint = pulumi.output(`localhost:${redisPort}`);
    this.registerOutputs({ connectionUrl: this.connectionUrl, endpoint: this.endpoint });
  }
}

function redisContainer(args: LocalRedisArgs): ContainerDefinition {
  return {
    name: containerName,
    image: args.image,
    essential: true,
    command: ["redis-server", "--save", "", "--appendonly", "no", "--maxmemory", `${args.maxMemoryMiB}mb`, "--maxmemory-policy", "allkeys-lru"],
    portMappings: [{ containerPort: redisPort, protocol: "tcp", name: "redis" }],
    healthCheck: { command: ["CMD", "redis-cli", "ping"], interval: 10, timeout: 3, retries: 3, startPeriod: 5 },
    // Headroom over maxmemory for Redis itself.
    memoryReservation: args.maxMemoryMiB + 32,
  };
}
