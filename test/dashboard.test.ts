// The stack's CloudWatch dashboard: every widget names this stack's own resources, read
// from what the program registered, never a name written into the code or the test.
import { strict as assert } from "node:assert";
import { Dashboard, DashboardArgs } from "../infra/dashboard";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { onlyResource, resourcesOf, settingsOf } from "./helpers";
import { committedRun, devWithoutDashboard, variantRun } from "./planSupport";

type Widget = { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> };

function widgetsOf(run: MockRunResult): Widget[] {
  return JSON.parse(String(onlyResource(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody)).widgets;
}

/** Every dimension value a metric widget reads, by dimension name. */
function dimensionValues(widgets: Widget[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const widget of widgets.filter((w) => w.type === "metric")) {
    for (const row of widget.properties.metrics as unknown[][]) {
      const pairs = row.filter((part) => typeof part === "string").slice(2) as string[];
      for (let i = 0; i < pairs.length; i += 2) found.set(pairs[i], new Set([...(found.get(pairs[i]) ?? []), pairs[i + 1]]));
    }
  }
  return found;
}

/** What this stack's resources are called, as the program registered them. */
function namesOf(run: MockRunResult, stack: string) {
  const one = (type: string): RecordedResource | undefined => resourcesOf(run, type)[0];
  return {
    ClusterName: one("aws:ecs/cluster:Cluster")?.state.name,
    ServiceName: one("aws:ecs/service:Service")?.state.name,
    DBInstanceIdentifier: one("aws:rds/instance:Instance")?.state.identifier,
    // The file system's id, as its mount targets received it.
    FileSystemId: one("aws:efs/mountTarget:MountTarget")?.inputs.fileSystemId,
    CacheClusterId: one("aws:elasticache/replicationGroup:ReplicationGroup")?.state.memberClusters,
    Environment: settingsOf(stack).environment,
  };
}

describe("the stack's CloudWatch dashboard (infra/dashboard.ts)", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    describe(stack, () => {
      let run: MockRunResult;
      before(async () => (run = await committedRun(stack)));

      it("reads only this stack's cluster, service, database, cache and environment", () => {
        const names = namesOf(run, stack);
        const read = dimensionValues(widgetsOf(run));
        // The one dimension that names no resource: EFS's storage class, the total of all classes.
        const fixed: Record<string, string> = { StorageClass: "Total" };
        for (const [dimension, values] of read) {
          const own = names[dimension as keyof typeof names] ?? fixed[dimension];
          assert.ok(own !== undefined, `${stack}: the dashboard reads ${dimension}, which names no resource of the stack`);
          const allowed = new Set(Array.isArray(own) ? own : [own]);
          for (const value of values) assert.ok(allowed.has(value), `${stack}: ${dimension} ${value} is not this stack's (${[...allowed].join(", ")})`);
        }
        // Every resource the dashboard watches is read: nothing of the stack is left out.
        for (const [dimension, own] of Object.entries(names)) {
          if (own !== undefined) assert.ok(read.has(dimension), `${stack}: no widget reads ${dimension}`);
        }
      });

      it("shows the state of every alarm of the stack, and of no other", () => {
        const alarms = widgetsOf(run).filter((w) => w.type === "alarm");
        assert.equal(alarms.length, 1);
        const arns = resourcesOf(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => alarm.state.arn);
        assert.ok(arns.length >= 2);
        assert.deepEqual(alarms[0].properties.alarms, arns);
      });

      it("places its widgets on the 24-column grid without overlap", () => {
        const cells = new Set<string>();
        for (const w of widgetsOf(run)) {
          assert.ok(w.x >= 0 && w.x + w.width <= 24, `${w.properties.title ?? w.type} leaves the grid`);
          for (let x = w.x; x < w.x + w.width; x++) {
            for (let y = w.y; y < w.y + w.height; y++) {
              assert.ok(!cells.has(`${x},${y}`), `two widgets cover ${x},${y}`);
              cells.add(`${x},${y}`);
            }
          }
        }
      });

      it("exports the dashboard's console URL as dashboardUrl", () => {
        const name = onlyResource(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName;
        assert.equal(name, `trading-bot-${stack}`);
        assert.equal(run.outputs.dashboardUrl, `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=${name}`);
      });
    });
  }

  it("charts the database of each kind and the cache only where there is one to watch", async () => {
    const headings = async (stack: string) =>
      widgetsOf(await committedRun(stack)).filter((w) => w.type === "text").map((w) => w.properties.markdown);
    assert.deepEqual(await headings("dev"), ["## Service (ECS)", "## Database (SQLite on EFS)", "## Alarms", "## The app (TradingBot)"]);
    assert.deepEqual(await headings("prod"), ["## Service (ECS)", "## Database (RDS PostgreSQL)", "## Cache (ElastiCache)", "## Alarms", "## The app (TradingBot)"]);
  });

  it("counts running tasks from CPU samples against the desired count when Container Insights is off (dev)", async () => {
    const tasks = widgetsOf(await committedRun("dev")).find((w) => w.properties.title?.startsWith("Running tasks"))!;
    assert.deepEqual(tasks.properties.metrics[0].slice(0, 2), ["AWS/ECS", "CPUUtilization"]);
    assert.equal(tasks.properties.metrics[0].at(-1).stat, "SampleCount");
    assert.equal(tasks.properties.period, 60);
    assert.deepEqual(tasks.properties.annotations, { horizontal: [{ label: "desired", value: 1 }] });
  });

  it("charts one line per cache node: prod's shard has a primary and a replica", async () => {
    const memory = widgetsOf(await committedRun("prod")).find((w) => w.properties.title === "Memory used (%)")!;
    const nodes = memory.properties.metrics.map((row: unknown[]) => row[3]);
    assert.equal(nodes.length, 2);
    assert.deepEqual(nodes, [...onlyResource(await committedRun("prod"), "aws:elasticache/replicationGroup:ReplicationGroup").state.memberClusters as string[]].sort());
  });

  it("shows the app's 5xx share as metric math over its request counts", async () => {
    const share = widgetsOf(await committedRun("staging")).find((w) => w.properties.title === "5xx share (%)")!;
    assert.deepEqual(share.properties.metrics.at(-1), [{ expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx share", id: "share" }]);
    assert.deepEqual(share.properties.metrics.slice(0, 2).map((row: unknown[]) => row.at(-1)), [
      { stat: "Sum", label: "requests", id: "requests", visible: false },
      { stat: "Sum", label: "5xx", id: "errors", visible: false },
    ]);
  });

  it("is switched off by dashboard.enabled: no dashboard, dashboardUrl null", async () => {
    const run = await variantRun("no-dashboard", "dev", devWithoutDashboard);
    assert.equal(resourcesOf(run, "aws:cloudwatch/dashboard:Dashboard").length, 0);
    assert.equal(run.outputs.dashboardUrl, null);
  });

  describe("argument checks", () => {
    const args: DashboardArgs = {
      dashboardName: "trading-bot-unit",
      region: "us-east-1",
      service: { clusterName: "c", serviceName: "s", desiredCount: 1, containerInsights: "enabled" },
      sections: [],
      alarmArns: [],
      app: { namespace: "TradingBot", dimensions: { Environment: "development" }, requests: "HttpRequests", serverErrors: "HttpRequests5xx", pnl: "TradingPnl" },
    };
    const errorOf = async (bad: DashboardArgs) => {
      try {
        await runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => (new Dashboard("unit", bad), {}));
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };

    it("refuses a name CloudWatch refuses", async () => {
      assert.equal(
        await errorOf({ ...args, dashboardName: "trading bot/prod" }),
        'Dashboard unit: dashboardName is "trading bot/prod"; allowed: letters, digits, - and _ (at most 255), e.g. trading-bot-prod',
      );
    });

    it("refuses more alarms than an alarm widget shows", async () => {
      assert.equal(await errorOf({ ...args, alarmArns: Array.from({ length: 101 }, (_, i) => `arn:${i}`) }), "Dashboard unit: alarmArns holds 101 alarms; an alarm widget shows at most 100");
    });

    it("refuses a period that is not a multiple of a minute", async () => {
      assert.equal(await errorOf({ ...args, periodSeconds: 90 }), "Dashboard unit: periodSeconds is 90; allowed: a multiple of 60 seconds");
    });

    it("leaves the alarm row out when the stack has no alarm (an alarm widget needs one)", async () => {
      const run = await runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => (new Dashboard("unit", args), {}));
      const widgets = widgetsOf(run);
      assert.deepEqual(widgets.filter((w) => w.type === "alarm"), []);
      assert.deepEqual(widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown), ["## Service (ECS)", "## The app (TradingBot)"]);
    });

    it("charts the heartbeat once the app publishes one", async () => {
      const run = await runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => (new Dashboard("unit", { ...args, app: { ...args.app, heartbeat: "Heartbeat" } }), {}));
      const heartbeat = widgetsOf(run).find((w) => w.properties.title === "Heartbeat (samples)")!;
      assert.deepEqual(heartbeat.properties.metrics, [["TradingBot", "Heartbeat", "Environment", "development", { stat: "SampleCount", label: "heartbeats" }]]);
    });
  });
});
