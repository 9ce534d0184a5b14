import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerDefinition, IamStatement, ServiceAttachment, policyDocument } from "./attachment";
import { fargateCpuUnits, fargateMemoryMiBByCpu, logRetentionDaysAllowed } from "./awsLimits";

export type CapacityProvider = "FARGATE" | "FARGATE_SPOT";
export type ContainerInsights = "enabled" | "enhanced" | "disabled";

export interface CapacityProviderStrategyItem {
  capacityProvider: CapacityProvider;
  /** Relative share of tasks placed on this provider. */
  weight: number;
  /** Tasks placed on this provider before weights apply. */
  base: number;
}

export interface ContainerHealthCheck {
  /** ECS health check command, e.g. `["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]`. */
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
  /** VPC of the component's security group. */
  vpcId: pulumi.Input<string>;
  /** Subnets the tasks run in. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Give each task a public IP (needed in public subnets when the VPC has no NAT gateway). */
  assignPublicIp: boolean;
  /** Task definition family. */
  family: string;
  /** The bot's image, with a version tag or a digest. */
  image: string;
  /** Port the app listens on (its `API_PORT`). */
  containerPort: number;
  /** Task CPU units (256 = 0.25 vCPU). */
  cpu: number;
  /** Task memory in MiB; must pair with `cpu` as Fargate allows. */
  memoryMiB: number;
  /** Tasks to keep running. */
  desiredCount: number;
  /** Lower bound of running tasks during a deployment, in % of `desiredCount` (0 to 100). */
  deploymentMinimumHealthyPercent: number;
  /** Upper bound of running tasks during a deployment, in % of `desiredCount` (100 to 200). */
  deploymentMaximumPercent: number;
  /** Where tasks run: on-demand Fargate, Fargate Spot, or a mix. */
  capacityProviderStrategy: CapacityProviderStrategyItem[];
  /** Container health check of the app; omit for none. */
  healthCheck?: ContainerHealthCheck;
  /** Register tasks in a Cloud Map private DNS namespace as `<serviceName>.<namespace>`; omit for none. */
  serviceDiscovery?: { namespace: string; serviceName: string };
  /** ECS Container Insights on the cluster. */
  containerInsights: ContainerInsights;
  /** Days CloudWatch keeps the containers' logs. */
  logRetentionDays: number;
  /** Region of the log group (for the awslogs driver). */
  region: string;
  /** The app's own settings, as plain environment (never secrets: those come from attachments). */
  environment: Record<string, pulumi.Input<string>>;
  /** What the backing components contribute: secrets, sidecars, volumes, IAM, ingress. */
  attachments: ServiceAttachment[];
}

const appContainerName = "trading-bot";

/**
 * The bot on ECS Fargate: cluster with its capacity providers, task definition, service
 * with circuit-breaker rollback, log group, roles, a security group with no ingress, and
 * optional Cloud Map registration. Backing components plug in as `ServiceAttachment`s.
 */
export class TradingBotService extends pulumi.ComponentResource {
  public readonly cluster: aws.ecs.Cluster;
  public readonly service: aws.ecs.Service;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly executionRole: aws.iam.Role;
  public readonly taskRole: aws.iam.Role;
  /** `<serviceName>.<namespace>` when Cloud Map is on, else null. */
  public readonly serviceDiscoveryName: pulumi.Output<string | null>;

  constructor(name: string, args: TradingBotServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:TradingBotService", name, {}, opts);
    validate(name, args);

    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: "containerInsights", value: args.containerInsights }] },
      { parent: this },
    );
    // The cluster default strategy matches the service's, so nothing falls back to Spot unasked.
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      {
        clusterName: this.cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: args.capacityProviderStrategy,
      },
      { parent: this },
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { namePrefix: `/ecs/${args.family}/`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Trading bot tasks: no inbound, all outbound" },
      { parent: this },
    );
    // The bot calls out (Bybit, ECR, AWS APIs); nothing calls in.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-egress`,
      { securityGroupId: this.securityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "All outbound" },
      { parent: this },
    );
    for (const attachment of args.attachments) attachment.allowIngressFrom?.(this.securityGroup.id);

    const assumeByEcsTasks = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    this.executionRole = new aws.iam.Role(
      `${name}-execution`,
      { assumeRolePolicy: assumeByEcsTasks, description: "Starts the trading bot tasks: pulls the image, writes logs, reads its secrets" },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-execution-managed`,
      { role: this.executionRole.name, policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy },
      { parent: this },
    );
    this.taskRole = new aws.iam.Role(
      `${name}-task`,
      { assumeRolePolicy: assumeByEcsTasks, description: "The running trading bot" },
      { parent: this },
    );
    attachInlinePolicy(this, `${name}-execution-inline`, this.executionRole, args.attachments.flatMap((a) => a.executionRoleStatements ?? []));
    attachInlinePolicy(this, `${name}-task-inline`, this.taskRole, args.attachments.flatMap((a) => a.taskRoleStatements ?? []));

    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memoryMiB),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        volumes: args.attachments.flatMap((a) => a.volumes ?? []),
        containerDefinitions: containerDefinitionsJson(name, args, this.logGroup.name),
      },
      { parent: this },
    );

    let serviceRegistries: aws.types.input.ecs.ServiceServiceRegistries | undefined;
    if (args.serviceDiscovery) {
      const namespace = new aws.servicediscovery.PrivateDnsNamespace(
        `${name}-namespace`,
        { name: args.serviceDiscovery.namespace, vpc: args.vpcId, description: "Trading bot service discovery" },
        { parent: this },
      );
      const discovery = new aws.servicediscovery.Service(
        `${name}-discovery`,
        {
          name: args.serviceDiscovery.serviceName,
          dnsConfig: {
            namespaceId: namespace.id,
            routingPolicy: "MULTIVALUE",
            dnsRecords: [{ type: "A", ttl: 10 }],
          },
          // ECS reports task health to Cloud Map.
          healthCheckCustomConfig: {},
        },
        { parent: this },
      );
      serviceRegistries = { registryArn: discovery.arn };
      this.serviceDiscoveryName = pulumi.output(`${args.serviceDiscovery.serviceName}.${args.serviceDiscovery.namespace}`);
    } else {
      this.serviceDiscoveryName = pulumi.output(null);
    }

    this.service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: this.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: args.desiredCount,
        deploymentMinimumHealthyPercent: args.deploymentMinimumHealthyPercent,
        deploymentMaximumPercent: args.deploymentMaximumPercent,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        capacityProviderStrategies: args.capacityProviderStrategy,
        networkConfiguration: {
          subnets: args.subnetIds,
          securityGroups: [this.securityGroup.id],
          assignPublicIp: args.assignPublicIp,
        },
        serviceRegistries,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
      },
      { parent: this, dependsOn: [capacityProviders] },
    );

    this.registerOutputs({
      clusterName: this.cluster.name,
      serviceName: this.service.name,
      securityGroupId: this.securityGroup.id,
      logGroupName: this.logGroup.name,
      serviceDiscoveryName: this.serviceDiscoveryName,
    });
  }
}

function attachInlinePolicy(parent: pulumi.Resource, name: string, role: aws.iam.Role, statements: IamStatement[]): void {
  if (statements.length === 0) return;
  new aws.iam.RolePolicy(name, { role: role.id, policy: policyDocument(statements) }, { parent });
}

/** The task's containers as ECS wants them: the app, then the sidecars, each logging to the log group. */
function containerDefinitionsJson(name: string, args: TradingBotServiceArgs, logGroupName: pulumi.Output<string>): pulumi.Output<string> {
  const environment: Record<string, pulumi.Input<string>> = { ...args.environment };
  const secrets: Record<string, pulumi.Input<string>> = {};
  for (const attachment of args.attachments) {
    for (const [variable, value] of Object.entries(attachment.environment ?? {})) {
      if (variable in environment) throw new Error(`TradingBotService ${name}: environment variable ${variable} is set twice`);
      environment[variable] = value;
    }
    for (const secret of attachment.secrets ?? []) {
      if (secret.name in secrets || secret.name in environment) {
        throw new Error(`TradingBotService ${name}: ${secret.name} is given twice (as a secret and again as a secret or plain variable)`);
      }
      secrets[secret.name] = secret.valueFrom;
    }
  }

  return pulumi.all([environment, secrets, logGroupName]).apply(([env, secretArns, group]) => {
    const logging = (streamPrefix: string): ContainerDefinition["logConfiguration"] => ({
      logDriver: "awslogs",
      options: {
        "awslogs-group": group,
        "awslogs-region": args.region,
        "awslogs-stream-prefix": streamPrefix,
        // A full log buffer must not stall the bot.
        mode: "non-blocking",
      },
    });
    const app: ContainerDefinition = {
      name: appContainerName,
      image: args.image,
      essential: true,
      portMappings: [{ containerPort: args.containerPort, protocol: "tcp", name: "http" }],
      environment: Object.entries(env)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([variable, value]) => ({ name: variable, value })),
      secrets: Object.entries(secretArns)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([variable, valueFrom]) => ({ name: variable, valueFrom })),
      mountPoints: args.attachments.flatMap((a) => a.mountPoints ?? []),
      dependsOn: args.attachments.flatMap((a) => a.appDependsOn ?? []),
      logConfiguration: logging(appContainerName),
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
    const sidecars = args.attachments
      .flatMap((a) => a.sidecars ?? [])
      .map((sidecar) => ({ ...sidecar, logConfiguration: logging(sidecar.name) }));
    return JSON.stringify([app, ...sidecars]);
  });
}

function validate(name: string, args: TradingBotServiceArgs): void {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new Error(`TradingBotService ${name}: ${field} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  };
  const memoryChoices = fargateMemoryMiBByCpu[args.cpu];
  if (!memoryChoices) fail("cpu", args.cpu, fargateCpuUnits.join(", "));
  else if (!memoryChoices.includes(args.memoryMiB)) fail("memoryMiB", args.memoryMiB, `with cpu ${args.cpu}: ${memoryChoices.join(", ")}`);
  if (!Number.isInteger(args.desiredCount) || args.desiredCount < 0) fail("desiredCount", args.desiredCount, "a whole number of 0 or more");
  const minPct = args.deploymentMinimumHealthyPercent;
  const maxPct = args.deploymentMaximumPercent;
  if (!Number.isInteger(minPct) || minPct < 0 || minPct > 100) fail("deploymentMinimumHealthyPercent", minPct, "0 to 100");
  if (!Number.isInteger(maxPct) || maxPct < 100 || maxPct > 200) fail("deploymentMaximumPercent", maxPct, "100 to 200");
  if (args.capacityProviderStrategy.length === 0) fail("capacityProviderStrategy", [], "at least one of FARGATE, FARGATE_SPOT");
  if (!logRetentionDaysAllowed.includes(args.logRetentionDays)) fail("logRetentionDays", args.logRetentionDays, logRetentionDaysAllowed.join(", "));
  const names = new Set([appContainerName]);
  for (const sidecar of args.attachments.flatMap((a) => a.sidecars ?? [])) {
    if (names.has(sidecar.name)) fail("attachments", sidecar.name, "distinct container names");
    names.add(sidecar.name);
  }
}
