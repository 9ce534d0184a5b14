// Where a component sits in the VPC, and who may reach it: shared by every component with
// a security group, so none of them writes this twice.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceAttachment } from "./attachment";

/** The VPC and subnets a component is placed in. */
export interface Placement {
  /** VPC of the component's security group. */
  vpcId: pulumi.Input<string>;
  /** Subnets, one per AZ (private ones for data stores). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** A component the network can reach: its security group and the TCP port it listens on. */
export interface Reachable {
  /** Security group of the component; it admits nothing until someone is allowed in. */
  securityGroupId: pulumi.Output<string>;
  /** TCP port clients connect to. */
  port: number;
  /** What is reached, for rule descriptions, e.g. `PostgreSQL`. */
  protocolName: string;
}

/** A security group with no rule of its own: ingress is granted per client with `allowIngress`. */
export function createSecurityGroup(parent: pulumi.Resource, name: string, vpcId: pulumi.Input<string>, description: string): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId, description }, { parent });
}

/**
 * Lets `client` (a security group id) reach `server` on its port. The rule belongs to the
 * composition that connects the two, not to either component. Returns it as an attachment,
 * so a service that needs the connection at start waits for the rule.
 */
export function allowIngress(name: string, client: pulumi.Input<string>, server: Reachable, clientName: string): ServiceAttachment {
  const rule = new aws.vpc.SecurityGroupIngressRule(name, {
    securityGroupId: server.securityGroupId,
    referencedSecurityGroupId: client,
    ipProtocol: "tcp",
    fromPort: server.port,
    toPort: server.port,
    description: `${server.protocolName} from ${clientName}`,
  });
  return { waitFor: [rule] };
}

/** Who may connect to a component: a security group or (else) a managed prefix list, and who that is. */
export interface Consumer {
  securityGroupId?: string;
  prefixListId?: string;
  description: string;
}

/**
 * Lets a named consumer outside the stack (another project's security group, a prefix list)
 * reach `server` on its port: one rule, held by the composition.
 */
export function admitConsumer(name: string, server: Reachable, consumer: Consumer): aws.vpc.SecurityGroupIngressRule {
  return new aws.vpc.SecurityGroupIngressRule(name, {
    securityGroupId: server.securityGroupId,
    ...(consumer.securityGroupId ? { referencedSecurityGroupId: consumer.securityGroupId } : { prefixListId: consumer.prefixListId }),
    ipProtocol: "tcp",
    fromPort: server.port,
    toPort: server.port,
    description: `${server.protocolName} from ${consumer.description}`,
  });
}
