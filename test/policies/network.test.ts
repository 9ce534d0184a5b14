// In-process tests of the network rules: every shape a security group rule takes, and the
// NAT gateways on the way to Bybit.
import * as network from "../../policies/rules/network";
import { describeResourceRule, describeStackRule, resource, unknown, urnOf } from "./harness";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const open = (...cidrs: string[]) => [`ingress from ${cidrs.join(" and ")}; production admits only known sources`];

const group = (ingress: Record<string, unknown>[]) => ({ ingress, egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
const groupRule = (type: string, cidr: Record<string, unknown>) => ({ type, protocol: "tcp", fromPort: 443, toPort: 443, securityGroupId: "sg-1", ...cidr });

describe("network rules, in-process", () => {
  describeResourceRule(network.noPublicIngress, {
    cases: [
      { what: "a group with no inline ingress (egress anywhere is fine)", type: SECURITY_GROUP, props: group([]), expect: [] },
      { what: "a group admitting its VPC", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.30.0.0/16"], ipv6CidrBlocks: ["2600:1f18::/56"] }]), expect: [] },
      { what: "a group without ingress at all", type: SECURITY_GROUP, props: {}, expect: [] },
      { what: "a group admitting 0.0.0.0/0 inline", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"] }]), expect: open("0.0.0.0/0") },
      { what: "a group admitting ::/0 inline", type: SECURITY_GROUP, props: group([{ ipv6CidrBlocks: ["::/0"] }]), expect: open("::/0") },
      { what: "a group admitting both in two rules, each named once", type: SECURITY_GROUP,
        props: group([{ cidrBlocks: ["0.0.0.0/0"] }, { cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }]), expect: open("0.0.0.0/0", "::/0") },
      { what: "a group admitting 10.0.0.0/0 (every address, written oddly)", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.0.0.0/0"] }]), expect: open("10.0.0.0/0") },
      { what: "a group admitting 10.0.0.0/08 (a /8 with a leading zero, not every address)", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.0.0.0/08"] }]), expect: [] },
      { what: "an ingress SecurityGroupRule from the VPC", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { cidrBlocks: ["10.30.0.0/16"] }), expect: [] },
      { what: "an egress SecurityGroupRule to anywhere", type: SECURITY_GROUP_RULE, props: groupRule("egress", { cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }), expect: [] },
      { what: "an ingress SecurityGroupRule from 0.0.0.0/0", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { cidrBlocks: ["0.0.0.0/0"] }), expect: open("0.0.0.0/0") },
      { what: "an ingress SecurityGroupRule from ::/0", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { ipv6CidrBlocks: ["::/0"] }), expect: open("::/0") },
      { what: "an ingress SecurityGroupRule from another group", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { sourceSecurityGroupId: "sg-2" }), expect: [] },
      { what: "an IngressRule from another group", type: INGRESS_RULE, props: { referencedSecurityGroupId: "sg-2", fromPort: 5432, toPort: 5432 }, expect: [] },
      { what: "an IngressRule from the VPC", type: INGRESS_RULE, props: { cidrIpv4: "10.30.0.0/16" }, expect: [] },
      { what: "an IngressRule from 0.0.0.0/0", type: INGRESS_RULE, props: { cidrIpv4: "0.0.0.0/0" }, expect: open("0.0.0.0/0") },
      { what: "an IngressRule from ::/0", type: INGRESS_RULE, props: { cidrIpv6: "::/0" }, expect: open("::/0") },
      { what: "an IngressRule from 0.0.0.0/0 with a stray space", type: INGRESS_RULE, props: { cidrIpv4: "0.0.0.0/0 " }, expect: open("0.0.0.0/0 ") },
    ],
    unknown: [
      { path: "ingress", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.30.0.0/16"] }]) },
      { path: "ingress.0.cidrBlocks", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.30.0.0/16"] }]) },
      { path: "ingress.0.ipv6CidrBlocks", type: SECURITY_GROUP, props: group([{ cidrBlocks: ["10.30.0.0/16"], ipv6CidrBlocks: ["2600:1f18::/56"] }]) },
      { path: "type", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { cidrBlocks: ["10.30.0.0/16"] }) },
      { path: "cidrBlocks", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { cidrBlocks: ["10.30.0.0/16"] }) },
      { path: "ipv6CidrBlocks", type: SECURITY_GROUP_RULE, props: groupRule("ingress", { cidrBlocks: ["10.30.0.0/16"], ipv6CidrBlocks: ["2600:1f18::/56"] }) },
      { path: "cidrIpv4", type: INGRESS_RULE, props: { cidrIpv4: "10.30.0.0/16" } },
      { path: "cidrIpv6", type: INGRESS_RULE, props: { cidrIpv6: "2600:1f18::/56" } },
    ],
  });

  const SERVICE = "aws:ecs/service:Service";
  const VPC = "awsx:ec2:Vpc";
  const privateService = resource(SERVICE, "bot", { networkConfiguration: { subnets: ["subnet-private-1"], assignPublicIp: false } });
  const publicService = resource(SERVICE, "bot", { networkConfiguration: { subnets: ["subnet-public-1"], assignPublicIp: true } });
  const vpc = (strategy?: string) => resource(VPC, "vpc", strategy ? { natGateways: { strategy } } : {});
  const subnet = (name: string, availabilityZone: string) => resource("aws:ec2/subnet:Subnet", name, { availabilityZone });
  const nat = (name: string) => resource("aws:ec2/natGateway:NatGateway", name, {});
  const twoZones = [subnet("private-a", "us-east-1a"), subnet("private-b", "us-east-1b"), subnet("public-a", "us-east-1a"), subnet("public-b", "us-east-1b")];
  describeStackRule(network.natGatewayPerAz, {
    cases: [
      { what: "OnePerAz behind private tasks", resources: [privateService, vpc("OnePerAz")], expect: [] },
      { what: "an unset strategy (awsx's OnePerAz)", resources: [privateService, vpc()], expect: [] },
      { what: "Single behind private tasks", resources: [privateService, vpc("Single")], expect: [{
        urn: urnOf(VPC, "vpc"),
        message: "natGateways.strategy is Single; tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange",
      }] },
      { what: "None behind private tasks", resources: [privateService, vpc("None")], expect: [{
        urn: urnOf(VPC, "vpc"), message: "natGateways.strategy is None; tasks in private subnets without a public IP cannot reach Bybit at all",
      }] },
      { what: "Single when the tasks have public IPs (no NAT on their way out)", resources: [publicService, vpc("Single")], expect: [] },
      { what: "Single when one of two services runs in private subnets", resources: [publicService, resource(SERVICE, "worker", privateService.props), vpc("Single")],
        expect: [{ urn: urnOf(VPC, "vpc"), message: "natGateways.strategy is Single; tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange" }] },
      { what: "Single behind a service without network configuration (no public IP)", resources: [resource(SERVICE, "bot", {}), vpc("Single")],
        expect: [{ urn: urnOf(VPC, "vpc"), message: "natGateways.strategy is Single; tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange" }] },
      { what: "a strategy the rule has no words for", resources: [privateService, vpc("Several")], expect: [{ urn: urnOf(VPC, "vpc"), message: "natGateways.strategy is Several; use OnePerAz" }] },
      { what: "a VPC from another stack: nothing to see", resources: [privateService], expect: [] },
      { what: "two NAT gateways for two AZs (the VPC's own resources)", resources: [privateService, vpc(), ...twoZones, nat("nat-a"), nat("nat-b")], expect: [] },
      { what: "one NAT gateway for two AZs", resources: [privateService, vpc(), ...twoZones, nat("nat-a")], expect: [{
        urn: urnOf(VPC, "vpc"),
        message: "1 NAT gateway(s) for subnets in 2 AZs; tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange",
      }] },
      { what: "no NAT gateway for two AZs", resources: [privateService, ...twoZones], expect: [{
        message: "0 NAT gateway(s) for subnets in 2 AZs; tasks in private subnets without a public IP cannot reach Bybit at all",
      }] },
    ],
    unknown: [
      { resources: [privateService, vpc("OnePerAz")], name: "bot", path: "networkConfiguration.assignPublicIp" },
      { resources: [privateService, vpc("OnePerAz")], name: "vpc", path: "natGateways.strategy" },
      { resources: [privateService, ...twoZones, nat("nat-a"), nat("nat-b")], name: "private-a", path: "availabilityZone" },
    ],
  });

  const ECS_SERVICE = "aws:ecs/service:Service";
  const TASK_GROUP = "urn:pulumi:prod::trading-bot::trading-bot:infra:TaskSecurityGroup$aws:ec2/securityGroup:SecurityGroup::trading-bot-sg";
  const DB_GROUP = "urn:pulumi:prod::trading-bot::trading-bot:infra:PostgresDatabase$aws:ec2/securityGroup:SecurityGroup::trading-bot-db-sg";
  const networkConfiguration = { subnets: ["subnet-private-1"], securityGroups: ["sg-0a1b2c3d4e5f60718"], assignPublicIp: false };
  const registered = (dependencies?: Record<string, string[]>, props: Record<string, unknown> = {}) =>
    resource(ECS_SERVICE, "trading-bot-service", { serviceRegistries: { registryArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1" }, networkConfiguration, ...props }, dependencies);
  const consumerRule = (securityGroupId: unknown, dependencies?: Record<string, string[]>) =>
    resource(INGRESS_RULE, "trading-bot-api-from-consumer-1", { securityGroupId, referencedSecurityGroupId: "sg-0fedcba9876543210", fromPort: 8080, toPort: 8080 }, dependencies);
  const dbRule = resource(INGRESS_RULE, "trading-bot-db-from-service", { securityGroupId: "sg-0d0d0d0d0d0d0d0d0", referencedSecurityGroupId: "sg-0a1b2c3d4e5f60718" }, { securityGroupId: [DB_GROUP] });
  const nowhere = [{
    urn: urnOf(ECS_SERVICE, "trading-bot-service"),
    message: "the service registers its tasks in Cloud Map (serviceRegistries) but its security groups admit no one, so the name leads nowhere: " +
      "name a consumer (trading-bot:service.serviceDiscovery.consumers) or leave Cloud Map out",
  }];
  describeStackRule(network.serviceDiscoveryReachable, {
    cases: [
      { what: "Cloud Map and a consumer admitted on the tasks' group, by value", resources: [registered(), consumerRule("sg-0a1b2c3d4e5f60718")], expect: [] },
      { what: "... by recorded dependency while the group's id is unknown at preview",
        resources: [registered({ networkConfiguration: [TASK_GROUP] }, { networkConfiguration: unknown }), consumerRule(unknown, { securityGroupId: [TASK_GROUP] })], expect: [] },
      { what: "no Cloud Map, and no one admitted", resources: [resource(ECS_SERVICE, "trading-bot-service", { networkConfiguration }), dbRule], expect: [] },
      { what: "serviceRegistries null", resources: [resource(ECS_SERVICE, "trading-bot-service", { serviceRegistries: null, networkConfiguration })], expect: [] },
      { what: "Cloud Map, no ingress rule at all", resources: [registered()], expect: nowhere },
      { what: "Cloud Map, only the database's rule (on the database's group, from the tasks)", resources: [registered({ networkConfiguration: [TASK_GROUP] }), dbRule], expect: nowhere },
      { what: "Cloud Map, a rule on another group", resources: [registered(), consumerRule("sg-0123456789abcdef0")], expect: nowhere },
      { what: "Cloud Map, a service without security groups", resources: [registered(undefined, { networkConfiguration: { subnets: ["subnet-private-1"] } }), consumerRule("sg-0a1b2c3d4e5f60718")], expect: nowhere },
    ],
    unknown: [
      { resources: [registered(), consumerRule("sg-0a1b2c3d4e5f60718")], name: "trading-bot-service", path: "serviceRegistries" },
      { what: "no recorded dependency to decide", resources: [registered(), consumerRule("sg-0a1b2c3d4e5f60718")], name: "trading-bot-service", path: "networkConfiguration" },
      { what: "no recorded dependency to decide", resources: [registered(), consumerRule("sg-0a1b2c3d4e5f60718")], name: "trading-bot-api-from-consumer-1", path: "securityGroupId" },
    ],
  });
});
