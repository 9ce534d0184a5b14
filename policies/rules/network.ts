// Production network: nothing admits the whole internet, and the way out to Bybit
// survives the loss of an AZ.
import { ResourceRule, StackResource, StackRule, isTrue } from "../rule";
import { SERVICE } from "./ecsService";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** A CIDR with prefix length 0 spans every address, whatever address it is written with. */
function isAnywhere(cidr: unknown): boolean {
  return typeof cidr === "string" && /\/0$/.test(cidr.trim());
}

// In the ArrayDeclaration mutants disabled below, a stand-in element ("Stryker was here") is
// no CIDR and no rule holding one: it admits no source, as the empty list it replaces.

/** The IPv4 and IPv6 blocks of an inline ingress rule or a SecurityGroupRule. */
// A block list left out is undefined here, which, like an empty list, admits no source.
const cidrsOf = (rule: Record<string, any>): unknown[] => [rule.cidrBlocks, rule.ipv6CidrBlocks].flat();

/** The sources a resource admits, by its type's shape. */
function ingressSources(type: string, props: Record<string, any>): unknown[] {
  switch (type) {
    case INGRESS_RULE:
      return [props.cidrIpv4, props.cidrIpv6];
    case SECURITY_GROUP_RULE:
      // Stryker disable next-line ArrayDeclaration: see above
      return props.type === "ingress" ? cidrsOf(props) : [];
    default:
      // Stryker disable next-line ArrayDeclaration: see above
      return (props.ingress ?? []).flatMap(cidrsOf);
  }
}

export const noPublicIngress: ResourceRule = {
  kind: "resource",
  name: "security-group-no-public-ingress",
  description: "No production security group admits traffic from the whole internet",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [SECURITY_GROUP]: ["ingress[].cidrBlocks", "ingress[].ipv6CidrBlocks"],
    [SECURITY_GROUP_RULE]: ["type", "cidrBlocks", "ipv6CidrBlocks"],
    [INGRESS_RULE]: ["cidrIpv4", "cidrIpv6"],
  },
  required: "no source with prefix length 0 (0.0.0.0/0, ::/0)",
  anchors: ["cdk-nag AwsSolutions-EC23", "Checkov CKV_AWS_277"],
  check(props, { type }) {
    const open = ingressSources(type, props).filter(isAnywhere) as string[];
    return open.length === 0 ? [] : [`ingress from ${[...new Set(open)].join(" and ")}; production admits only known sources`];
  },
};

const VPC = "awsx:ec2:Vpc";
const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
const SUBNET = "aws:ec2/subnet:Subnet";

const natStrategyCost: Record<string, string> = {
  Single: "tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange",
  None: "tasks in private subnets without a public IP cannot reach Bybit at all",
};

/**
 * Advisory, not mandatory: a single NAT gateway is a single point of failure on the way to
 * Bybit, but about 33 USD a month less per AZ is a legitimate trade-off, and when the VPC
 * comes from another stack the pack sees no gateway at all and says nothing.
 */
export const natGatewayPerAz: StackRule = {
  kind: "stack",
  name: "nat-gateway-per-az",
  description: "When production tasks run in private subnets, each AZ has its own NAT gateway",
  scope: "production",
  enforcementLevel: "advisory",
  reads: {
    [SERVICE]: ["networkConfiguration.assignPublicIp"],
    [VPC]: ["natGateways.strategy"],
    [NAT_GATEWAY]: [],
    [SUBNET]: ["availabilityZone"],
  },
  required: "OnePerAz (unset means awsx's OnePerAz); with the VPC's resources in the stack, as many NAT gateways as AZs",
  anchors: [],
  check(resources) {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    if (!ofType(SERVICE).some((service) => !isTrue(service.props.networkConfiguration?.assignPublicIp))) return [];
    const vpcs = ofType(VPC);
    const subnets = ofType(SUBNET);
    // The engine sends an awsx Vpc's own subnets and gateways as resources: count those.
    if (subnets.length > 0) {
      const zones = new Set(subnets.map((subnet) => subnet.props.availabilityZone));
      const gateways = ofType(NAT_GATEWAY).length;
      if (gateways >= zones.size) return [];
      return [{ ...(vpcs[0] && { urn: vpcs[0].urn }), message: `${gateways} NAT gateway(s) for subnets in ${zones.size} AZs; ${gateways === 0 ? natStrategyCost.None : natStrategyCost.Single}` }];
    }
    return vpcs.flatMap((vpc) => {
      const strategy = vpc.props.natGateways?.strategy;
      if (strategy === undefined || strategy === "OnePerAz") return [];
      return [{ urn: vpc.urn, message: `natGateways.strategy is ${strategy}; ${natStrategyCost[strategy] ?? "use OnePerAz"}` }];
    });
  },
};

/** Does some ingress rule sit on one of the service's security groups? By recorded dependency first, then by value. */
function admitsSomeone(service: StackResource, rules: StackResource[]): boolean {
  const serviceSources = service.propertyDependencies.networkConfiguration ?? [];
  const sameGroup = (rule: StackResource) => (rule.propertyDependencies.securityGroupId ?? []).some((urn) => serviceSources.includes(urn));
  if (rules.some(sameGroup)) return true;
  const groups: unknown = service.props.networkConfiguration?.securityGroups;
  return Array.isArray(groups) && rules.some((rule) => groups.includes(rule.props.securityGroupId));
}

/**
 * A service registered in Cloud Map is reachable by someone: its tasks' security group admits
 * nothing unless a rule names a consumer, and a name that leads to no one only costs money and
 * suggests an API that nothing can call.
 */
export const serviceDiscoveryReachable: StackRule = {
  kind: "stack",
  name: "service-discovery-reachable",
  description: "A production service registered in Cloud Map admits someone on its security group",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [SERVICE]: ["serviceRegistries", "networkConfiguration.securityGroups"],
    [INGRESS_RULE]: ["securityGroupId"],
  },
  required: "with serviceRegistries, an ingress rule (a named consumer) on one of the service's security groups",
  anchors: [],
  check(resources) {
    const rules = resources.filter((r) => r.type === INGRESS_RULE);
    return resources
      .filter((r) => r.type === SERVICE && r.props.serviceRegistries !== undefined && r.props.serviceRegistries !== null)
      .filter((service) => !admitsSomeone(service, rules))
      .map((service) => ({
        urn: service.urn,
        message: "the service registers its tasks in Cloud Map (serviceRegistries) but its security groups admit no one, so the name leads nowhere: " +
          "name a consumer (trading-bot:service.serviceDiscovery.consumers) or leave Cloud Map out",
      }));
  },
};
