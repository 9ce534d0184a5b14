// The components' resource arguments, through the whole program under mocks: one run per
// committed stack and test (never a run cached across tests or files), so that the
// `components` mutation group pays one program run per stack for each mutant. Each run is
// first checked for the plausible one-line bugs by name (the words say what went wrong), then
// held to its reviewed record (test/fixtures/resources/<stack>.json, see resourceRecords.ts),
// which catches any other change of an argument or option.
import { strict as assert } from "node:assert";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { readRecord, recordOf, recordedStacks, runStack } from "./resourceRecords";

const ofType = (run: MockRunResult, type: string) => run.resources.filter((resource) => resource.type === type);
const vpcOf = (run: MockRunResult) => ofType(run, "awsx:ec2:Vpc")[0].state as { privateSubnetIds: string[]; publicSubnetIds: string[] };

/** A named check of a run: undefined when it holds, else what is wrong. */
type Check = [name: string, check: (run: MockRunResult) => string | undefined];

const expect = (what: string, actual: unknown, expected: unknown) =>
  JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;

/** Alarm name -> [evaluationPeriods, datapointsToAlarm], as each stack file's rules say. */
const alarmDatapoints: Record<(typeof recordedStacks)[number], Record<string, [number, number]>> = {
  dev: { ServiceDown: [5, 5], HighMemoryUsage: [10, 10] },
  staging: { ServiceDown: [5, 3], TaskDown: [10, 7], Heartbeat: [5, 3], HighErrorRate: [5, 5] },
  prod: { ServiceDown: [3, 2], TaskDown: [10, 7], Heartbeat: [5, 3], HighErrorRate: [2, 2], TradingLoss: [1, 1] },
};

function checksOf(stack: (typeof recordedStacks)[number]): Check[] {
  return [
    ["the database sits in private subnets only, not publicly accessible", (run) => {
      const problems = ofType(run, "aws:rds/subnetGroup:SubnetGroup").map((group) => expect("the RDS subnet group's subnetIds", group.inputs.subnetIds, vpcOf(run).privateSubnetIds));
      problems.push(...ofType(run, "aws:rds/instance:Instance").map((instance) => expect("the RDS instance's publiclyAccessible", instance.inputs.publiclyAccessible, false)));
      problems.push(...ofType(run, "aws:elasticache/subnetGroup:SubnetGroup").map((group) => expect("the cache subnet group's subnetIds", group.inputs.subnetIds, vpcOf(run).privateSubnetIds)));
      problems.push(...ofType(run, "aws:efs/mountTarget:MountTarget").map((target) => (vpcOf(run).privateSubnetIds.includes(String(target.inputs.subnetId)) ? undefined : `an EFS mount target is in ${target.inputs.subnetId}`)));
      return problems.find((problem) => problem !== undefined);
    }],
    ["every EFS volume is mounted with IAM authorisation and TLS, through its access point", (run) => {
      for (const task of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
        for (const volume of (task.inputs.volumes ?? []) as { name: string; efsVolumeConfiguration?: Record<string, any> }[]) {
          const efs = volume.efsVolumeConfiguration;
          if (efs === undefined) continue;
          const problem = expect(`${task.name}'s volume ${volume.name}`, [efs.transitEncryption, efs.authorizationConfig?.iam, typeof efs.authorizationConfig?.accessPointId], ["ENABLED", "ENABLED", "string"]);
          if (problem !== undefined) return problem;
        }
      }
      return undefined;
    }],
    ["every alarm fires on the datapoints its rule says, out of its evaluation periods", (run) => {
      const alarms = Object.fromEntries(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm: RecordedResource) => [alarm.name.replace(/^trading-bot-alerts-/, ""), [alarm.inputs.evaluationPeriods, alarm.inputs.datapointsToAlarm]]));
      return expect("the alarms' [evaluationPeriods, datapointsToAlarm]", alarms, alarmDatapoints[stack]);
    }],
  ];
}

describe("the components' resource arguments, for each committed stack (one program run each)", () => {
  for (const stack of recordedStacks) {
    it(`${stack}: no plausible one-line bug, and every resource as its reviewed record says`, async () => {
      const run = await runStack(stack);
      const problems = checksOf(stack).flatMap(([name, check]) => {
        const problem = check(run);
        return problem === undefined ? [] : [`${name}: ${problem}`];
      });
      assert.deepEqual(problems, []);
      // Compared as JSON, the form the record is written in (undefined fields dropped).
      assert.deepEqual(JSON.parse(JSON.stringify(recordOf(run))), readRecord(stack), `the resources of ${stack} differ from test/fixtures/resources/${stack}.json (see test/resourceRecords.ts)`);
    });
  }
});
