// In-process tests of the ECS service rules: every boundary, every shape they read.
import * as service from "../../policies/rules/ecsService";
import { describeResourceRule } from "./harness";

const base = {
  deploymentMinimumHealthyPercent: 50,
  deploymentMaximumPercent: 150,
  deploymentCircuitBreaker: { enable: true, rollback: true },
  desiredCount: 3,
  capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 100, base: 0 }],
  networkConfiguration: { subnets: ["subnet-private-1"], securityGroups: ["sg-1"], assignPublicIp: false },
};
const withProps = (props: Record<string, unknown>) => ({ ...base, ...props });
const without = (key: keyof typeof base) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

describe("ECS service rules, in-process", () => {
  describeResourceRule(service.minimumHealthyPercent, {
    cases: [
      { what: "50 %", props: base, expect: [] },
      { what: "100 %", props: withProps({ deploymentMinimumHealthyPercent: 100 }), expect: [] },
      { what: "unset (AWS's 100 %)", props: without("deploymentMinimumHealthyPercent"), expect: [] },
      { what: "49 %", props: withProps({ deploymentMinimumHealthyPercent: 49 }),
        expect: ["deploymentMinimumHealthyPercent is 49; production keeps at least 50 % of its tasks running through a deployment"] },
      { what: "0 %", props: withProps({ deploymentMinimumHealthyPercent: 0 }),
        expect: ["deploymentMinimumHealthyPercent is 0; production keeps at least 50 % of its tasks running through a deployment"] },
      { what: "75 % with a configured threshold of 75", props: withProps({ deploymentMinimumHealthyPercent: 75 }), config: { minimumHealthyPercent: 75 }, expect: [] },
      { what: "74 % with a configured threshold of 75", props: withProps({ deploymentMinimumHealthyPercent: 74 }), config: { minimumHealthyPercent: 75 },
        expect: ["deploymentMinimumHealthyPercent is 74; production keeps at least 75 % of its tasks running through a deployment"] },
    ],
    unknown: [{ path: "deploymentMinimumHealthyPercent", props: base }],
  });

  describeResourceRule(service.maximumPercent, {
    cases: [
      { what: "100 %", props: withProps({ deploymentMaximumPercent: 100 }), expect: [] },
      { what: "unset (AWS's 200 %)", props: without("deploymentMaximumPercent"), expect: [] },
      { what: "99 %", props: withProps({ deploymentMaximumPercent: 99 }), expect: ["deploymentMaximumPercent is 99; it must be at least 100"] },
    ],
    unknown: [{ path: "deploymentMaximumPercent", props: base }],
  });

  const breakerMessage = "deploymentCircuitBreaker must be enabled with rollback, so a failed deployment rolls back by itself";
  describeResourceRule(service.circuitBreaker, {
    cases: [
      { what: "enable and rollback", props: base, expect: [] },
      { what: 'enable and rollback given as "true"', props: withProps({ deploymentCircuitBreaker: { enable: "true", rollback: "true" } }), expect: [] },
      { what: "no rollback", props: withProps({ deploymentCircuitBreaker: { enable: true, rollback: false } }), expect: [breakerMessage] },
      { what: "rollback without enable", props: withProps({ deploymentCircuitBreaker: { enable: false, rollback: true } }), expect: [breakerMessage] },
      { what: "no circuit breaker", props: without("deploymentCircuitBreaker"), expect: [breakerMessage] },
    ],
    unknown: [
      { path: "deploymentCircuitBreaker", props: base },
      { path: "deploymentCircuitBreaker.enable", props: base },
      { path: "deploymentCircuitBreaker.rollback", props: base },
    ],
  });

  describeResourceRule(service.desiredCount, {
    cases: [
      { what: "2 tasks", props: withProps({ desiredCount: 2 }), expect: [] },
      { what: "1 task", props: withProps({ desiredCount: 1 }), expect: ["desiredCount is 1; production runs at least 2 tasks"] },
      { what: "no desired count", props: without("desiredCount"), expect: ["desiredCount is unset; production runs at least 2 tasks"] },
      { what: "3 tasks when 4 are configured", props: withProps({ desiredCount: 3 }), config: { minimumTasks: 4 }, expect: ["desiredCount is 3; production runs at least 4 tasks"] },
      { what: "4 tasks when 4 are configured", props: withProps({ desiredCount: 4 }), config: { minimumTasks: 4 }, expect: [] },
      { what: 'a count that is not a number ("3")', props: withProps({ desiredCount: "3" }), expect: ["desiredCount is 3; production runs at least 2 tasks"] },
    ],
    unknown: [{ path: "desiredCount", props: base }],
  });

  const spotMessage = "capacityProviderStrategies includes FARGATE_SPOT; Spot tasks can be reclaimed at two minutes' notice";
  describeResourceRule(service.noFargateSpot, {
    cases: [
      { what: "FARGATE only", props: base, expect: [] },
      { what: "no strategy of its own (the stack rule judges the cluster default)", props: without("capacityProviderStrategies"), expect: [] },
      { what: "FARGATE_SPOT alone", props: withProps({ capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }), expect: [spotMessage] },
      { what: "FARGATE_SPOT beside a FARGATE base", props: withProps({ capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 2 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }] }),
        expect: [spotMessage] },
    ],
    unknown: [
      { path: "capacityProviderStrategies", props: base },
      { path: "capacityProviderStrategies.0.capacityProvider", props: base },
    ],
  });

  const publicIpMessage = "networkConfiguration.assignPublicIp is true; production tasks run in private subnets without public IPs";
  describeResourceRule(service.noPublicIp, {
    cases: [
      { what: "assignPublicIp false", props: base, expect: [] },
      { what: "assignPublicIp unset", props: withProps({ networkConfiguration: { subnets: ["subnet-private-1"] } }), expect: [] },
      { what: "no network configuration", props: without("networkConfiguration"), expect: [] },
      { what: "assignPublicIp true", props: withProps({ networkConfiguration: { subnets: ["subnet-public-1"], assignPublicIp: true } }), expect: [publicIpMessage] },
      { what: 'assignPublicIp "true"', props: withProps({ networkConfiguration: { assignPublicIp: "true" } }), expect: [publicIpMessage] },
    ],
    unknown: [
      { path: "networkConfiguration", props: base },
      { path: "networkConfiguration.assignPublicIp", props: base },
    ],
  });
});
