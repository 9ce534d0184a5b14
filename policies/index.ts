// The trading-bot CrossGuard policy pack. Run it with
//   pulumi preview --policy-pack policies --stack prod
// Production rules apply to the stacks named in `productionStacks` (default: stacks/production.ts);
// non-production rules to every other stack.
import {
  PolicyConfigSchema,
  PolicyPack,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { rules } from "./catalog";
import { defaultProductionNames, isProductionName } from "../stacks/production";
import { Rule, stackOfUrn } from "./rule";

function configSchema(rule: Rule): PolicyConfigSchema {
  return {
    properties: {
      productionStacks: {
        type: "array",
        items: { type: "string" },
        default: [...defaultProductionNames],
        description: "Stack names treated as production (compared without regard to case)",
      },
      ...rule.config,
    },
  };
}

/** The policy's config with the schema's defaults filled in. */
function configOf(rule: Rule, given: Record<string, unknown>): Record<string, any> {
  const defaults = Object.fromEntries(Object.entries(configSchema(rule).properties).map(([key, schema]) => [key, schema.default]));
  return { ...defaults, ...given };
}

function appliesTo(rule: Rule, urn: string, productionStacks: string[]): boolean {
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
        if (!rule.types.includes(args.type)) return;
        const config = configOf(rule, args.getConfig());
        if (!appliesTo(rule, args.urn, config.productionStacks)) {
          args.notApplicable(`${rule.scope} rule on stack ${stackOfUrn(args.urn)}`);
        }
        for (const message of rule.check(args.props, { config, protect: args.opts.protect })) reportViolation(message);
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
      for (const { urn, message } of rule.check(args.resources, { config, protect: false })) reportViolation(message, urn);
    },
  };
}

new PolicyPack("trading-bot-policies", {
  description: "Production invariants and non-production money safety for the trading-bot stacks",
  policies: rules.map(toPolicy),
});
