// Production invariant of network exposure.
import { ResourceRule } from "../rule";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const anywhere = ["0.0.0.0/0", "::/0"];

export const noPublicIngress: ResourceRule = {
  kind: "resource",
  name: "security-group-no-public-ingress",
  description: "No production security group admits traffic from the whole internet",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: [SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE].join(", "),
  types: [SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
  property: "ingress[].cidrBlocks / ipv6CidrBlocks, cidrIpv4 / cidrIpv6",
  required: "never 0.0.0.0/0 or ::/0",
  anchors: ["cdk-nag AwsSolutions-EC23", "Checkov CKV_AWS_277"],
  check(props) {
    const sources: string[] = [];
    if (props.cidrIpv4 !== undefined || props.cidrIpv6 !== undefined) {
      sources.push(props.cidrIpv4, props.cidrIpv6);
    } else if (props.type !== undefined) {
      if (props.type === "ingress") sources.push(...(props.cidrBlocks ?? []), ...(props.ipv6CidrBlocks ?? []));
    } else {
      for (const rule of props.ingress ?? []) sources.push(...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []));
    }
    const open = sources.filter((cidr) => anywhere.includes(cidr));
    return open.length === 0 ? [] : [`ingress from ${[...new Set(open)].join(" and ")}; production admits only known sources`];
  },
};
