// The output contract: what other projects may read through a StackReference.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { opsDashboard } from "../examples/consumer/opsDashboard";
import { outputKeys, secretOutputKeys } from "../stacks/outputs";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult } from "../tools/engine/resource";
import { onlyResource, repoRoot, runCommittedStack } from "./helpers";

describe("the stack output contract", () => {
  const results: Record<string, MockRunResult> = {};
  before(async () => {
    results.dev = await runCommittedStack("dev");
    results.prod = await runCommittedStack("prod");
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack} exports exactly the keys of the contract`, () => {
      assert.deepEqual(Object.keys(results[stack].outputs).sort(), [...outputKeys].sort());
      for (const key of outputKeys) {
        if (key !== "serviceDiscoveryName") assert.notEqual(results[stack].outputs[key], undefined, key);
      }
    });

    it(`${stack} exports the credential-bearing outputs as secrets, and only those`, () => {
      assert.deepEqual(results[stack].secretOutputs, [...secretOutputKeys].sort());
    });
  }

  it("is listed in docs/outputs.md, key by key", () => {
    const section = fs.readFileSync(path.join(repoRoot, "docs", "outputs.md"), "utf8");
    for (const key of outputKeys) assert.ok(section.includes(`\`${key}\``), key);
    for (const key of secretOutputKeys) assert.ok(section.includes(`\`${key}\` (secret)`), key);
  });

  it("tells consumers which kind of database and cache each stack has", () => {
    assert.equal(results.dev.outputs.databaseKind, "sqlite");
    assert.equal(results.dev.outputs.cacheKind, "local");
    assert.equal(results.prod.outputs.databaseKind, "postgres");
    assert.equal(results.prod.outputs.cacheKind, "cluster");
    assert.equal(results.dev.outputs.serviceDiscoveryName, null);
    assert.equal(results.prod.outputs.serviceDiscoveryName, null, "no consumer calls prod's API: no Cloud Map");
    assert.equal(results.dev.outputs.databaseLogGroupName, null);
    assert.equal(results.prod.outputs.databaseLogGroupName, "/aws/rds/instance/trading-bot-prod-db/postgresql");
  });

  it("serves a consumer that reads prod through a StackReference", async () => {
    const prod = results.prod;
    const consumer = await runUnderMocks(
      { stack: "ops", config: {}, secretKeys: [] },
      () => opsDashboard("acme/trading-bot/prod", "oncall@example.com"),
      { stackReferences: { "acme/trading-bot/prod": { outputs: prod.outputs, secretOutputNames: prod.secretOutputs } } },
    );
    const subscription = onlyResource(consumer, "aws:sns/topicSubscription:TopicSubscription");
    assert.equal(subscription.inputs.topic, (prod.outputs.alertTopicArns as Record<string, string>).critical);
    const body = JSON.parse(String(onlyResource(consumer, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody));
    assert.deepEqual(body.widgets[0].properties.metrics[0], [
      "AWS/ECS", "CPUUtilization", "ClusterName", prod.outputs.clusterName, "ServiceName", prod.outputs.serviceName,
    ]);
    assert.equal(body.widgets[0].properties.title, `${prod.outputs.serviceName} (production)`);
    assert.equal(consumer.outputs.watchedService, prod.outputs.serviceArn);
    assert.equal(consumer.outputs.deployedRevision, prod.outputs.serviceTaskDefinitionArn);
    assert.match(String(consumer.outputs.deployedRevision), /:task-definition\/trading-bot-prod:\d+$/);
    assert.deepEqual(body.widgets[1].properties.metrics, [["TradingBot", "Heartbeat", "Environment", "production"]]);
    assert.deepEqual(consumer.secretOutputs, ["databaseUrl"]);
  });

  it("fails a consumer's run when the producer lacks a key", async () => {
    const { clusterName: _dropped, ...partial } = results.prod.outputs;
    await assert.rejects(
      runUnderMocks(
        { stack: "ops", config: {}, secretKeys: [] },
        () => opsDashboard("acme/trading-bot/prod", "oncall@example.com"),
        { stackReferences: { "acme/trading-bot/prod": { outputs: partial } } },
      ),
      /Required output 'clusterName' does not exist on stack 'acme\/trading-bot\/prod'/,
    );
  });
});
