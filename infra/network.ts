// The ec2 module alone: the package root loads every awsx module (about 0.3 s).
import { Vpc } from "@pulumi/awsx/ec2";
import * as pulumi from "@pulumi/pulumi";
import * as limits from "./limits";

export type { NatGatewayStrategy } from "./limits";

export interface NetworkArgs {
  /** Build a new VPC. Exactly one of `vpc` and `existing` is set. */
  vpc?: {
    /** Number of availability zones (2 to 6: RDS and ElastiCache Multi-AZ need two). */
    availabilityZoneCount: number;
    /** NAT gateways: none, one for the VPC, or one per AZ (about 33 USD a month each). No default: awsx's is one per AZ. */
    natGateways: limits.NatGatewayStrategy;
    /** IPv4 CIDR block of the VPC, /16 to /24, e.g. `10.20.0.0/16`. */
    cidrBlock: string;
  };
  /** A VPC that already exists (e.g. read from another stack by the composition). */
  existing?: {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string[]>;
    publicSubnetIds: pulumi.Input<string[]>;
    /** How many AZs its subnets span (one EFS mount target is made per AZ). */
    availabilityZoneCount: number;
  };
}

/** The VPC the stack runs in: a new `awsx.ec2.Vpc` with a public and a private subnet per AZ, or an existing one. */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** Subnets with no inbound route from the internet (data stores; tasks behind NAT). */
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Subnets routed through the internet gateway (tasks with a public IP when there is no NAT). */
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  /** How many AZs the subnets span: one subnet of each kind per AZ. */
  public readonly availabilityZoneCount: number;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:Network", name, args, opts);
    validateArgs(name, args);
    const subnets = args.vpc ? createVpc(this, name, args.vpc) : args.existing!;
    this.vpcId = pulumi.output(subnets.vpcId);
    this.privateSubnetIds = pulumi.output(subnets.privateSubnetIds);
    this.publicSubnetIds = pulumi.output(subnets.publicSubnetIds);
    this.availabilityZoneCount = subnets.availabilityZoneCount;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      availabilityZoneCount: this.availabilityZoneCount,
    });
  }
}

function validateArgs(name: string, args: NetworkArgs): void {
  const where = `Network ${name}`;
  if ((args.vpc === undefined) === (args.existing === undefined)) throw new Error(`${where}: set exactly one of "vpc" and "existing"`);
  if (args.vpc) {
    limits.requireValid(where, "vpc.availabilityZoneCount", args.vpc.availabilityZoneCount, limits.availabilityZoneCount);
    limits.requireValid(where, "vpc.natGateways", args.vpc.natGateways, limits.natGatewayStrategy);
    limits.requireValid(where, "vpc.cidrBlock", args.vpc.cidrBlock, limits.vpcCidrBlock);
  } else {
    limits.requireValid(where, "existing.availabilityZoneCount", args.existing!.availabilityZoneCount, limits.availabilityZoneCount);
  }
}

function createVpc(parent: Network, name: string, args: NonNullable<NetworkArgs["vpc"]>) {
  const vpc = new Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.cidrBlock,
      numberOfAvailabilityZones: args.availabilityZoneCount,
      // awsx defaults to one NAT gateway per AZ; the strategy is always explicit here.
      natGateways: { strategy: args.natGateways },
      subnetStrategy: "Auto",
      subnetSpecs: [{ type: "Public" }, { type: "Private" }],
      enableDnsHostnames: true,
      enableDnsSupport: true,
    },
    { parent },
  );
  return {
    vpcId: vpc.vpcId,
    privateSubnetIds: vpc.privateSubnetIds,
    publicSubnetIds: vpc.publicSubnetIds,
    availabilityZoneCount: args.availabilityZoneCount,
  };
}
