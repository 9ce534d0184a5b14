import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServiceAttachment } from "./attachment";
import { AppContainer, MergedAttachments, TaskRoles, containerDefinitionsJson, createTaskRoles, mergeAttachments } from "./fargateTask";
import * as limits from "./limits";

export type { CapacityProvider, ContainerInsights, CpuArchitecture } from "./limits";

export interface CapacityProviderStrategyItem {
  capacityProvider: limits.CapacityProvider;
  /** Relative share of tasks placed on this provider (0 to 1000). */
  weight: number;
  /** Tasks placed on this provider before weights apply (on one provider at most). */
  base: number;
}

export interface ContainerHealthCheck {
  /** ECS health check command: `["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]` or `["CMD", <program>, <args>...]`. */
  command: string[];
  /** Seconds between checks (5 to 300). */
  intervalSeconds: number;
  /** Seconds a check may take (2 to 120). */
  timeoutSeconds: number;
  /** Failed checks in a row before the container is unhealthy (1 to 10). */
  retries: number;
  /** Seconds after start during which failures do not count (0 to 300). */
  startPeriodSeconds: number;
}

export interface TradingBotServiceArgs {
  /** VPC the tasks run in (for the Cloud Map namespace). */
  vpcId: pulumi.Input<string>;
  /** Subnets the tasks run in. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the tasks (made by the composition, which also lets them reach the database and cache). */
  securityGroupIds: pulumi.Input<string>[];
  /** Give each task a public IP (needed in public subnets when the VPC has no NAT gateway). */
  assignPublicIp: boolean;
  /** Task definition family, e.g. `trading-bot-prod`. */
  family: string;
  /** The bot's image, with a version tag or a digest. */
  image: string;
  /** Port the app listens on (its `API_PORT`), 1024 to 65535. */
  containerPort: number;
  /** Task CPU units (256 = 0.25 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384. */
  cpu: number;
  /** Task memory in MiB; must pair with `cpu` as Fargate allows. */
  memoryMiB: number;
  /**
   * CPU architecture of the tasks; `ARM64` (Graviton) costs about 20 % less and needs an image built for arm64.
   * @default "X86_64"
   */
  cpuArchitecture?: limits.CpuArchitecture;
  /** Tasks to keep running (0 to 100). */
  desiredCount: number;
  /** Lower bound of running tasks during a deployment, in % of `desiredCount` (0 to 100). */
  deploymentMinimumHealthyPercent: number;
  /** Upper bound of running tasks during a deployment, in % of `desiredCount` (100 to 200). */
  deploymentMaximumPercent: number;
  /** Minutes `pulumi up` waits for the service to reach a steady state (every task running and healthy) before it fails (5 to 120). */
  deployTimeoutMinutes: number;
  /** Where tasks run: on-demand Fargate, Fargate Spot, or a mix; also the cluster's default strategy. */
  capacityProviderStrategy: CapacityProviderStrategyItem[];
  /** Container health check of the app. @default none */
  healthCheck?: ContainerHealthCheck;
  /** Register tasks in a Cloud Map private DNS namespace as `<serviceName>.<namespace>`. @default none */
  serviceDiscovery?: { namespace: string; serviceName: string };
  /** ECS Container Insights on the cluster. */
  containerInsights: limits.ContainerInsights;
  /** Days CloudWatch keeps the containers' logs (a value CloudWatch Logs accepts). */
  logRetentionDays: number;
  /** ARN of the permissions boundary the task's roles carry (the account's bootstrap requires it of roles its deploy roles create). @default none */
  permissionsBoundary?: pulumi.Input<string>;
  /** Region of the log group (for the awslogs driver). */
  region: string;
  /** The app's own settings, as plain environment (never secrets: those come from attachments). */
  environment: Record<string, pulumi.Input<string>>;
  /** What the backing components contribute: secrets, sidecars, volumes, IAM, and what to wait for. */
  attachments: ServiceAttachment[];
}

const appContainerName = "trading-bot";

/**
 * The bot on ECS Fargate: cluster with its capacity providers, log group, roles, task
 * definition, optional Cloud Map registration, and a service with circuit-breaker rollback
 * that waits for everything its tasks need at start and for its own steady state, so
 * `pulumi up` fails when the tasks never become healthy. Backing components plug in as
 * `ServiceAttachment`s.
 */
export class TradingBotService extends pulumi.ComponentResource {
  public readonly cluster: aws.ecs.Cluster;
  public readonly service: aws.ecs.Service;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly executionRole: aws.iam.Role;
  public readonly taskRole: aws.iam.Role;
  /** `<serviceName>.<namespace>` when Cloud Map is on, else null. */
  public readonly serviceDiscoveryName: pulumi.Output<string | null>;

  constructor(name: string, args: TradingBotServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:TradingBotService", name, args, opts);
    validateArgs(name, args);
    const merged = mergeAttachments(`TradingBotService ${name}`, args.environment, appContainerName, args.attachments);
    this.cluster = this.createCluster(name, args);
    const capacity = this.setDefaultCapacity(name, args);
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { namePrefix: `/ecs/${args.family}/`, retentionInDays: args.logRetentionDays }, { parent: this });
    const roles = createTaskRoles(this, name, "the trading bot tasks", merged, {}, args.permissionsBoundary);
    this.executionRole = roles.executionRole;
    this.taskRole = roles.taskRole;
    this.taskDefinition = this.createTaskDefinition(name, args, merged, roles);
    const registry = this.registerDiscovery(name, args);
    this.serviceDiscoveryName = pulumi.output(args.serviceDiscovery ? `${args.serviceDiscovery.serviceName}.${args.serviceDiscovery.namespace}` : null);
    this.service = this.createService(name, args, registry, [capacity, ...roles.grants, ...merged.waitFor]);
    this.registerOutputs({
      clusterName: this.cluster.name,
      serviceName: this.service.name,
      logGroupName: this.logGroup.name,
      serviceDiscoveryName: this.serviceDiscoveryName,
    });
  }

  private createCluster(name: string, args: TradingBotServiceArgs): aws.ecs.Cluster {
    return new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: args.containerInsights }] }, { parent: this });
  }

  /** The cluster's default strategy matches the service's, so nothing falls back to Spot unasked. */
  private setDefaultCapacity(name: string, args: TradingBotServiceArgs): aws.ecs.ClusterCapacityProviders {
    return new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      { clusterName: this.cluster.name, capacityProviders: ["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategies: args.capacityProviderStrategy },
      { parent: this },
    );
  }

  private createTaskDefinition(name: string, args: TradingBotServiceArgs, merged: MergedAttachments, roles: TaskRoles): aws.ecs.TaskDefinition {
    const app: AppContainer = {
      name: appContainerName,
      image: args.image,
      essential: true,
      portMappings: [{ containerPort: args.containerPort, protocol: "tcp", name: "http" }],
      ...(args.healthCheck && {
        healthCheck: {
          command: args.healthCheck.command,
          interval: args.healthCheck.intervalSeconds,
          timeout: args.healthCheck.timeoutSeconds,
          retries: args.healthCheck.retries,
          startPeriod: args.healthCheck.startPeriodSeconds,
        },
      }),
    };
    return new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memoryMiB),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "X86_64" },
        executionRoleArn: roles.executionRole.arn,
        taskRoleArn: roles.taskRole.arn,
        volumes: merged.volumes,
        containerDefinitions: containerDefinitionsJson(app, merged, this.logGroup.name, args.region),
      },
      { parent: this },
    );
  }

  /** A Cloud Map service in a private DNS namespace; ECS registers each task and reports its health. */
  private registerDiscovery(name: string, args: TradingBotServiceArgs): aws.types.input.ecs.ServiceServiceRegistries | undefined {
    if (!args.serviceDiscovery) return undefined;
    const namespace = new aws.servicediscovery.PrivateDnsNamespace(
      `${name}-namespace`,
      { name: args.serviceDiscovery.namespace, vpc: args.vpcId, description: "Trading bot service discovery" },
      { parent: this },
    );
    const discovery = new aws.servicediscovery.Service(
      `${name}-discovery`,
      {
        name: args.serviceDiscovery.serviceName,
        dnsConfig: { namespaceId: namespace.id, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
        // ECS reports task health to Cloud Map. The provider sends this block only when a
        // field is set: an empty block would create no custom health check at all, and DNS
        // would keep answering with unhealthy tasks. AWS fixes the value at 1.
        healthCheckCustomConfig: { failureThreshold: 1 },
      },
      { parent: this },
    );
    return { registryArn: discovery.arn };
  }

  /**
   * The service waits for everything its tasks need at start (`waitFor`), then for its own
   * steady state: a deployment whose tasks never become healthy fails `pulumi up` after
   * `deployTimeoutMinutes` instead of reporting success.
   */
  private createService(
    name: string,
    args: TradingBotServiceArgs,
    serviceRegistries: aws.types.input.ecs.ServiceServiceRegistries | undefined,
    waitFor: pulumi.Resource[],
  ): aws.ecs.Service {
    const timeout = `${args.deployTimeoutMinutes}m`;
    return new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: this.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: args.desiredCount,
        deploymentMinimumHealthyPercent: args.deploymentMinimumHealthyPercent,
        deploymentMaximumPercent: args.deploymentMaximumPercent,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        capacityProviderStrategies: args.capacityProviderStrategy,
        networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: args.assignPublicIp },
        serviceRegistries,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        waitForSteadyState: true,
      },
      { parent: this, dependsOn: waitFor, customTimeouts: { create: timeout, update: timeout } },
    );
  }
}

function validateArgs(name: string, args: TradingBotServiceArgs): void {
  const where = `TradingBotService ${name}`;
  limits.requireAll(where, args, {
    cpu: limits.fargateCpu,
    memoryMiB: limits.fargateMemoryMiB(args.cpu),
    cpuArchitecture: (value) => (value === undefined ? undefined : limits.cpuArchitecture(value)),
    containerPort: limits.containerPort,
    desiredCount: limits.desiredCount,
    deploymentMinimumHealthyPercent: limits.deploymentMinimumHealthyPercent,
    deploymentMaximumPercent: (value) => limits.deploymentMaximumPercent(value) ?? limits.rolloutRoom(args.deploymentMinimumHealthyPercent)(value),
    deployTimeoutMinutes: limits.deployTimeoutMinutes,
    capacityProviderStrategy: limits.capacityProviderStrategy,
    containerInsights: limits.containerInsights,
    logRetentionDays: limits.logRetentionDays,
  });
  if (args.serviceDiscovery) {
    limits.requireAll(where, args.serviceDiscovery, { namespace: limits.privateDnsNamespace, serviceName: limits.dnsLabel }, "serviceDiscovery.");
  }
  if (args.healthCheck) {
    limits.requireAll(where, args.healthCheck, {
      command: limits.healthCheckCommand,
      intervalSeconds: limits.healthCheckIntervalSeconds,
      timeoutSeconds: limits.healthCheckTimeoutSeconds,
      retries: limits.healthCheckRetries,
      startPeriodSeconds: limits.healthCheckStartPeriodSeconds,
    }, "healthCheck.");
  }
}
