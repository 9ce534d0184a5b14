// What every non-production stack must respect: it never trades real money, it is not a
// production stack the pack was not told about, and it does not pay for production-grade
// networking.
import { isNonProductionEnvironment, nonProductionEnvironments } from "../../packages/stack-files/src/production";
import { botVariableRule } from "../containers";
import { ResourceRule } from "../rule";

export const testnetOnly = botVariableRule({
  name: "non-production-testnet-only",
  description: "Outside production the bot trades on Bybit testnet only",
  scope: "non-production",
  enforcementLevel: "mandatory",
  variable: "BYBIT_TESTNET",
  // Only "true" passes: a spelling the app might not read as true must not pass as testnet.
  required: "true (any case)",
  judge: (testnet, bot) =>
    testnet?.toLowerCase() === "true"
      ? undefined
      : `container ${bot} has BYBIT_TESTNET=${testnet ?? "unset"}; outside production the bot must trade on testnet (BYBIT_TESTNET=true)`,
});

/**
 * The pack sees no stack file, only what the program made of it: the rule of
 * packages/stack-files/src/production.ts applied to the bot's ENVIRONMENT. A stack is non-production only when
 * it is plainly a non-production environment; anything else (production, unset, another
 * spelling) is production, which the pack was not told.
 */
export const environmentNotProduction = botVariableRule({
  name: "non-production-environment-not-production",
  description: "A stack whose bot does not plainly run a non-production environment is treated as production by the pack",
  scope: "non-production",
  enforcementLevel: "mandatory",
  variable: "ENVIRONMENT",
  required: nonProductionEnvironments.join(" or "),
  judge: (environment, bot) =>
    isNonProductionEnvironment(environment)
      ? undefined
      : `container ${bot} has ENVIRONMENT=${environment ?? "unset"}: only ${nonProductionEnvironments.join(" or ")} make a stack non-production, so this stack is production ` +
        "but the policy pack was not told, and no production rule guards it; make it production for every policy: npm run policy-config -- <this stack> > policy-config.json, then --policy-pack-config policy-config.json",
});

const VPC = "awsx:ec2:Vpc";

export const natGatewayCost: ResourceRule = {
  kind: "resource",
  name: "non-production-nat-gateway-cost",
  description: "Outside production the VPC does not pay for a NAT gateway in every AZ",
  scope: "non-production",
  enforcementLevel: "advisory",
  reads: { [VPC]: ["natGateways.strategy"] },
  required: "None or Single (unset means awsx's OnePerAz)",
  anchors: [],
  check(props) {
    const strategy = props.natGateways?.strategy;
    if (strategy === "None" || strategy === "Single") return [];
    return [`natGateways.strategy is ${strategy ?? "unset (awsx makes one per AZ)"}; each NAT gateway costs about 33 USD a month: use None or Single outside production`];
  },
};
