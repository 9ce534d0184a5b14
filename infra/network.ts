// The ec2 module alone: the package root loads every awsx module (about 0.3 s).
import { Vpc } from "@pulumi/awsx/ec2";
import * as pulumi from "@pulumi/pulumi";

import { NatGatewayStrategy, natGatewayStrategies } from "./awsLimits";

export type { NatGatewayStrategy };

export interface NetworkArgs {
  /**
   * Build a new VPC. Exactly one of `vpc` and `fromStack` is set.
   */
  vpc?: {
    /** Number of availability zones (2 or more: RDS and ElastiCache Multi-AZ need two). */
    availabilityZoneCount: number;
    /** NAT gateways: none, one for the VPC, or one per AZ (about 33 USD a month each). */
    natGateways: NatGatewayStrategy;
    /** IPv4 CIDR block of the VPC, e.g. `10.20.0.0/16`. */
    cidrBlock: string;
  };
  /**
   * Use the VPC another stack exports as `vpcId`, `privateSubnetIds` and `publicSubnetIds`.
   */
  fromStack?: {
    /** Fully qualified stack name, `<org>/<project>/<stack>`. */
    stack: string;
    /** How many AZs that VPC's subnets span (one EFS mount target is made per AZ). */
    availabilityZoneCount: number;
  };
}

/** The VPC the stack runs in: a new `awsx.ec2.Vpc`, or one read from another stack. */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** Subnets with no inbound route from the internet (data stores; tasks behind NAT). */
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Subnets routed through the internet gateway (tasks with a public IP when there is no NAT). */
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  /** How many AZs the subnets span: one subnet of each kind per AZ. */
  public readonly availabilityZoneCount: number;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:Network", name, {}, opts);
    if ((args.vpc === undefined) === (args.fromStack === undefined)) {
      throw new Error(`Network ${name}: set exactly one of "vpc" and "fromStack"`);
    }

    if (args.vpc) {
      const { availabilityZoneCount, natGateways, cidrBlock } = args.vpc;
      if (!Number.isInteger(availabilityZoneCount) || availabilityZoneCount < 2) {
        throw new Error(`Network ${name}: vpc.availabilityZoneCount is ${availabilityZoneCount}; allowed: a whole number of 2 or more`);
      }
      if (!natGatewayStrategies.includes(natGateways)) {
        throw new Error(`Network ${name}: vpc.natGateways is ${natGateways}; allowed: ${natGatewayStrategies.join(", ")}`);
      }
      const vpc = new Vpc(
        `${name}-vpc`,
        {
          cidrBlock,
          numberOfAvailabilityZones: availabilityZoneCount,
          // awsx defaults to one NAT gateway per AZ; the strategy is always explicit here.
          natGateways: { strategy: natGateways },
          subnetStrategy: "Auto",
          subnetSpecs: [{ type: "Public" }, { type: "Private" }],
          enableDnsHostnames: true,
          enableDnsSupport: true,
        },
        { parent: this },
      );
      this.vpcId = vpc.vpcId;
      this.privateSubnetIds = vpc.privateSubnetIds;
      this.publicSubnetIds = vpc.publicSubnetIds;
      this.availabilityZoneCount = availabilityZoneCount;
    } else {
      const source = args.fromStack!;
      const ref = new pulumi.StackReference(`${name}-source`, { name: source.stack }, { parent: this });
      this.vpcId = ref.requireOutput("vpcId") as pulumi.Output<string>;
      this.privateSubnetIds = ref.requireOutput("privateSubnetIds") as pulumi.Output<string[]>;
      this.publicSubnetIds = ref.requireOutput("publicSubnetIds") as pulumi.Output<string[]>;
      this.availabilityZoneCount = source.availabilityZoneCount;
    }

    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      availabilityZoneCount: this.availabilityZoneCount,
    });
  }
}
