// What every non-production stack must respect: it never trades real money, and it does
// not pay for production-grade networking.
import { ResourceRule, botContainerConfig, checkBotContainer, environmentOf } from "../rule";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";

export const testnetOnly: ResourceRule = {
  kind: "resource",
  name: "non-production-testnet-only",
  description: "Outside production the bot trades on Bybit testnet only",
  scope: "non-production",
  enforcementLevel: "mandatory",
  resource: TASK,
  types: [TASK],
  property: "containerDefinitions[bot].environment.BYBIT_TESTNET",
  required: "true",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) => {
      const testnet = environmentOf(bot).BYBIT_TESTNET;
      if (testnet !== undefined && testnet.toLowerCase() === "true") return [];
      return [`container ${bot.name} has BYBIT_TESTNET=${testnet ?? "unset"}; outside production the bot must trade on testnet (BYBIT_TESTNET=true)`];
    }),
};

const VPC = "awsx:ec2:Vpc";

export const natGatewayCost: ResourceRule = {
  kind: "resource",
  name: "non-production-nat-gateway-cost",
  description: "Outside production the VPC does not pay for a NAT gateway in every AZ",
  scope: "non-production",
  enforcementLevel: "advisory",
  resource: VPC,
  types: [VPC],
  property: "natGateways.strategy",
  required: "None or Single (unset means awsx's OnePerAz)",
  anchors: [],
  check(props) {
    const strategy = props.natGateways?.strategy;
    if (strategy === "None" || strategy === "Single") return [];
    return [`natGateways.strategy is ${strategy ?? "unset (awsx makes one per AZ)"}; each NAT gateway costs about 33 USD a month: use None or Single outside production`];
  },
};
