import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServiceAttachment } from "./attachment";
import { createSecurityGroup } from "./placement";

export interface TaskSecurityGroupArgs {
  /** VPC of the security group. */
  vpcId: pulumi.Input<string>;
  /** What runs in it, e.g. `Trading bot tasks`. */
  description: string;
}

/**
 * The security group Fargate tasks run in: nothing comes in, everything may go out (the
 * bot calls Bybit, ECR and AWS APIs), unless the composition admits a named consumer (with
 * Cloud Map). The composition then lets this group reach the database and the cache, one
 * rule each. As an attachment, it makes the tasks wait
 * for the egress rule: the provider strips a new group's default egress, and without it a
 * task can neither pull its image nor read its secret.
 */
export class TaskSecurityGroup extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly waitFor: pulumi.Resource[];

  constructor(name: string, args: TaskSecurityGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:TaskSecurityGroup", name, args, opts);
    // The description is fixed at creation (a new one replaces the group): it predates consumers.
    this.securityGroup = createSecurityGroup(this, name, args.vpcId, `${args.description}: no inbound, all outbound`);
    const egress = new aws.vpc.SecurityGroupEgressRule(
      `${name}-egress`,
      { securityGroupId: this.securityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "All outbound" },
      { parent: this },
    );
    this.waitFor = [egress];
    this.securityGroupId = this.securityGroup.id;
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }
}
