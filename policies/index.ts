// The trading-bot CrossGuard policy pack. Run it with
//   pulumi preview --policy-pack policies --stack prod
// Production rules apply to the stacks named in `productionStacks` (default: packages/stack-files/src/production.ts);
// non-production rules to every other stack.
import { PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { rules } from "./catalog";
import { appliesToType, checkResource, checkStack, configOf, configSchema } from "./evaluate";
import { isProductionName } from "../packages/stack-files/src/production";
import { Rule, stackOfUrn } from "./rule";

function appliesTo(rule: Rule, urn: string, productionStacks: string[]): boolean {
  if (rule.scope === "every stack") return true;
  return isProductionName(stackOfUrn(urn), productionStacks) === (rule.scope === "production");
}

function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const common = {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: configSchema(rule),
    tags: rule.anchors,
  };
  if (rule.kind === "resource") {
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        if (!appliesToType(rule, args.type)) return;
        const config = configOf(rule, args.getConfig());
        if (!appliesTo(rule, args.urn, config.productionStacks)) {
          args.notApplicable(`${rule.scope} rule on stack ${stackOfUrn(args.urn)}`);
        }
        for (const message of checkResource(rule, { type: args.type, props: args.props, protect: args.opts.protect }, config)) reportViolation(message);
      },
    };
  }
  return {
    ...common,
    validateStack: (args, reportViolation) => {
      const first = args.resources[0];
      if (!first) return;
      const config = configOf(rule, args.getConfig());
      if (!appliesTo(rule, first.urn, config.productionStacks)) {
        args.notApplicable(`${rule.scope} rule on stack ${stackOfUrn(first.urn)}`);
      }
      const resources = args.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.props,
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([key, from]) => [key, from.map((d) => d.urn)])),
      }));
      for (const { urn, message } of checkStack(rule, resources, config)) reportViolation(message, urn);
    },
  };
}

new PolicyPack("trading-bot-policies", {
  description: "Production invariants and non-production money safety for the trading-bot stacks",
  policies: rules.map(toPolicy),
});
