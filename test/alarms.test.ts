// The stacks' alarms against CloudWatch's documented evaluation (test/alarmEvaluation.ts):
// first the model against AWS's own example tables, then every committed stack's rules fed
// per-minute series of what happens to a service (a rollout's dip, one lost task, a late
// datapoint, all tasks gone, the metrics stopping, a loss), asserting which alarms fire. The
// evaluation range's length is not documented, so each outcome must hold for every length
// from N to N + 5.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { appMetrics } from "../stacks/appMetrics";
import type { StackSettings } from "../stacks/config";
import { blockText } from "../tools/docs/blocks";
import { AlarmDefinition, AlarmState, Datapoint, evaluate, simulate } from "./alarmEvaluation";
import { repoRoot, settingsOf } from "./helpers";

/** "0 - X - X" (oldest first) as datapoints of an alarm on `> 1`: 0 within, X breaching, - missing. */
const points = (text: string) => text.split(" ").map((c) => (c === "-" ? null : c === "X" ? 2 : 0));
const treatments = ["missing", "ignore", "breaching", "notBreaching"] as const;

describe("the model of CloudWatch's alarm evaluation, against AWS's example tables", () => {
  // "Configuring how CloudWatch alarms treat missing data": evaluation range 5, Evaluation Periods 3.
  // Columns MISSING, IGNORE, BREACHING, NOT BREACHING; "retain" is the state kept.
  const tables: { m: number; rows: [string, string, string, string, string][] }[] = [
    {
      m: 3,
      rows: [
        ["0 - X - X", "OK", "OK", "OK", "OK"],
        ["0 - - - -", "OK", "OK", "OK", "OK"],
        ["- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
        ["0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
        ["- - X - -", "ALARM", "retain", "ALARM", "OK"],
        // Earlier editions of the page: the premature rule needs the breaching datapoint M periods old.
        ["- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
        ["X - - - -", "ALARM", "retain", "ALARM", "OK"],
      ],
    },
    {
      m: 2,
      rows: [
        ["0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
        ["0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"],
        ["0 - X - -", "OK", "OK", "ALARM", "OK"],
        ["- - - - 0", "OK", "OK", "ALARM", "OK"],
        ["- - - X -", "ALARM", "retain", "ALARM", "OK"],
        ["- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
      ],
    },
  ];
  for (const { m, rows } of tables) {
    for (const [data, ...expected] of rows) {
      it(`${m} of 3, "${data}": ${expected.join(", ")}`, () => {
        treatments.forEach((treatMissingData, index) => {
          const alarm: AlarmDefinition = { comparison: "GreaterThanThreshold", threshold: 1, evaluationPeriods: 3, datapointsToAlarm: m, treatMissingData };
          for (const current of ["OK", "ALARM"] as AlarmState[]) {
            const want = expected[index] === "retain" ? current : expected[index];
            assert.equal(evaluate(alarm, points(data), current), want, `${treatMissingData} from ${current}`);
          }
        });
      });
    }
  }

  it("evaluates the N most recent real datapoints, reaching back into the range; fills only when fewer are left", () => {
    const alarm: AlarmDefinition = { comparison: "GreaterThanThreshold", threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "breaching" };
    // Two real datapoints in a range of 4: they are evaluated, the two missing ones are not filled.
    assert.equal(evaluate(alarm, points("X 0 - -"), "ALARM"), "OK");
    assert.equal(evaluate(alarm, points("X X - -"), "OK"), "ALARM");
    // One real datapoint: one filled as breaching.
    assert.equal(evaluate(alarm, points("- 0 - -"), "ALARM"), "OK");
    assert.equal(evaluate(alarm, points("- X - -"), "OK"), "ALARM");
  });

  it("simulates late datapoints: missing when the minute is evaluated, counted once they arrive", () => {
    const alarm: AlarmDefinition = { comparison: "LessThanThreshold", threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "breaching" };
    const series: Datapoint[] = [{ value: 3 }, { value: 3 }, { value: 3, lateMinutes: 2 }, { value: 3 }];
    // Range of 1: the late minute is missing when evaluated, and breaching: one late datapoint pages a 1-of-1 alarm.
    assert.deepEqual(simulate(alarm, series, 1), ["OK", "OK", "ALARM", "OK"]);
    // Range of 2 (evaluated from minute 1 on): an earlier real datapoint is enough, the treatment is not used.
    assert.deepEqual(simulate(alarm, series, 2), ["OK", "OK", "OK"]);
  });
});

// ---- the stacks' alarms, fed what happens to a service ----

/** What the service and the bot do in one minute. */
interface Minute {
  desired: number;
  running: number;
  /** Container Insights sends the service's task counts this minute. */
  insights: boolean;
  /** Trading loops alive: each sends Heartbeat = 1 (none: no datapoint). */
  loops: number;
  requests: number;
  errors: number;
  /** Cumulative PnL, or null when not sent. */
  pnl: number | null;
  memoryPercent: number;
  /** Minutes late every datapoint of this minute arrives. */
  lateMinutes?: number;
}

type Metric = { namespace: string; name: string; statistic: string };

/** A metric's value in a minute, null when CloudWatch gets no datapoint. */
function valueOf(metric: Metric, minute: Minute): number | null {
  const key = `${metric.namespace} ${metric.name}`;
  const tasks = minute.running > 0;
  switch (key) {
    case "ECS/ContainerInsights RunningTaskCount":
      return minute.insights ? minute.running : null;
    case "ECS/ContainerInsights DesiredTaskCount":
      return minute.insights ? minute.desired : null;
    case "AWS/ECS CPUUtilization":
      return tasks ? minute.running : null; // SampleCount: the running tasks' samples
    case "AWS/ECS MemoryUtilization":
      return tasks ? minute.memoryPercent : null;
    case "TradingBot Heartbeat":
      return minute.loops > 0 ? minute.loops : null;
    case "TradingBot HttpRequests":
      return minute.requests > 0 ? minute.requests : null;
    case "TradingBot HttpRequests5xx":
      return minute.errors > 0 ? minute.errors : null;
    case "TradingBot TradingPnl":
      return minute.pnl;
  }
  throw new Error(`no model of ${key}: add it to valueOf`);
}

/** The metric math expressions the stack files use, as functions of their metrics (missing in, missing out). */
const expressions: Record<string, (values: Record<string, number>) => number> = {
  "desired - running": ({ desired, running }) => desired - running,
};

type Rule = StackSettings["alerts"]["rules"][number];

/** The series an alarm evaluates: its metric, its ratio or its expression, minute by minute. */
function seriesOf(rule: Rule, minutes: Minute[]): Datapoint[] {
  return minutes.map((minute) => {
    const late = { lateMinutes: minute.lateMinutes };
    if (rule.metric) return { value: valueOf(rule.metric, minute), ...late };
    if (rule.ratio) {
      const [numerator, denominator] = [valueOf(rule.ratio.numerator, minute), valueOf(rule.ratio.denominator, minute)];
      return { value: numerator === null || denominator === null ? null : denominator > 0 ? numerator / denominator : 0, ...late };
    }
    const math = rule.metricMath!;
    const evaluateExpression = expressions[math.expression];
    if (!evaluateExpression) throw new Error(`no model of the expression ${math.expression}: add it to expressions`);
    const values = Object.entries(math.metrics).map(([id, metric]) => [id, valueOf(metric, minute)] as const);
    return { value: values.some(([, v]) => v === null) ? null : evaluateExpression(Object.fromEntries(values) as Record<string, number>), ...late };
  });
}

const definitionOf = (rule: Rule): AlarmDefinition => ({
  comparison: rule.comparison,
  threshold: rule.threshold,
  evaluationPeriods: rule.evaluationPeriods,
  datapointsToAlarm: rule.datapointsToAlarm,
  treatMissingData: rule.treatMissingData,
});

/** The alarm's states, minute by minute, for an evaluation range `extra` periods longer than N. */
function statesOf(rule: Rule, minutes: Minute[], extra: number): AlarmState[] {
  assert.equal(rule.periodSeconds, 60, `${rule.name}: the scenarios are per minute`);
  return simulate(definitionOf(rule), seriesOf(rule, minutes), rule.evaluationPeriods + extra);
}

// ---- what happens to a service, per minute, for a service of `desired` tasks ----

const normal = (desired: number): Minute => ({ desired, running: desired, insights: true, loops: desired, requests: 120, errors: 0, pnl: 420, memoryPercent: 55 });
const repeat = (count: number, minute: Minute): Minute[] => Array.from({ length: count }, () => ({ ...minute }));
/** 20 normal minutes, then `incident`, then `after` minutes as given (normal by default). */
const story = (desired: number, incident: Minute[], after: Minute[] = repeat(15, normal(desired))) => [...repeat(20, normal(desired)), ...incident, ...after];
/** `running` tasks, each with its trading loop. */
const withTasks = (desired: number, running: number): Minute => ({ ...normal(desired), running, loops: running });

/**
 * A rolling deployment: ECS stops an old task (minimum healthy percent) and starts its
 * replacement, which runs a minute later (two minutes, once) and is healthy two minutes after;
 * then the next. With one task (dev: minimum healthy 0 %) the service has none for two minutes.
 */
function rollout(desired: number): Minute[] {
  return Array.from({ length: desired }, (_, index) => [
    ...repeat(index === 1 ? 2 : 1, withTasks(desired, desired - 1)),
    ...repeat(2, normal(desired)),
  ]).flat();
}

const scenarios: Record<string, (desired: number) => Minute[]> = {
  "steady running": (d) => story(d, []),
  "a rollout's dip": (d) => story(d, rollout(d)),
  "one task lost, replaced by ECS within 3 minutes": (d) => story(d, repeat(3, withTasks(d, d - 1))),
  "a late datapoint (every metric of a minute 2 minutes late), twice": (d) =>
    story(d, [{ ...normal(d), lateMinutes: 2 }, ...repeat(6, normal(d)), { ...normal(d), lateMinutes: 2 }]),
  "all tasks gone (Container Insights counts 0)": (d) => story(d, repeat(20, { ...withTasks(d, 0), requests: 0 }), []),
  "all tasks gone, and every metric stops": (d) => story(d, repeat(20, { ...withTasks(d, 0), requests: 0, insights: false, pnl: null }), []),
  "the bot stops publishing (its tasks run, its loops hang)": (d) => story(d, repeat(20, { ...normal(d), loops: 0, requests: 0, pnl: null }), []),
  "one task down for good (a crash loop, no capacity)": (d) => story(d, repeat(20, withTasks(d, d - 1)), []),
  "the desired count raised outside the stack file, the new task never starts": (d) => story(d, repeat(20, normal(d + 1)).map((m) => ({ ...m, running: d, loops: d })), []),
  "the desired count raised outside the stack file, the new task runs 2 minutes later": (d) =>
    story(d, [...repeat(2, { ...normal(d + 1), running: d, loops: d })], repeat(15, normal(d + 1))),
  "5xx for 5 % of requests during 6 minutes": (d) => story(d, repeat(6, { ...normal(d), errors: 6 })),
  "a trading loss for a minute, then silence": (d) => story(d, [{ ...normal(d), pnl: -12_500 }], repeat(15, { ...normal(d), loops: 0, requests: 0, pnl: null })),
  "memory above 90 % for 12 minutes": (d) => story(d, repeat(12, { ...normal(d), memoryPercent: 96 })),
};

/** Which alarms fire (reach ALARM) in each scenario, per committed stack: its rules' names. */
const expected: Record<string, Record<keyof typeof scenarios, string[]>> = {
  prod: {
    "steady running": [],
    "a rollout's dip": [],
    "one task lost, replaced by ECS within 3 minutes": [],
    "a late datapoint (every metric of a minute 2 minutes late), twice": [],
    "all tasks gone (Container Insights counts 0)": ["ServiceDown", "TaskDown", "Heartbeat"],
    "all tasks gone, and every metric stops": ["ServiceDown", "Heartbeat"],
    "the bot stops publishing (its tasks run, its loops hang)": ["Heartbeat"],
    "one task down for good (a crash loop, no capacity)": ["TaskDown"],
    "the desired count raised outside the stack file, the new task never starts": ["TaskDown"],
    "the desired count raised outside the stack file, the new task runs 2 minutes later": [],
    "5xx for 5 % of requests during 6 minutes": ["HighErrorRate"],
    "a trading loss for a minute, then silence": ["Heartbeat", "TradingLoss"],
    "memory above 90 % for 12 minutes": [],
  },
  staging: {
    "steady running": [],
    "a rollout's dip": [],
    "one task lost, replaced by ECS within 3 minutes": [],
    "a late datapoint (every metric of a minute 2 minutes late), twice": [],
    "all tasks gone (Container Insights counts 0)": ["ServiceDown", "TaskDown", "Heartbeat"],
    "all tasks gone, and every metric stops": ["ServiceDown", "Heartbeat"],
    "the bot stops publishing (its tasks run, its loops hang)": ["Heartbeat"],
    "one task down for good (a crash loop, no capacity)": ["TaskDown"],
    "the desired count raised outside the stack file, the new task never starts": ["TaskDown"],
    "the desired count raised outside the stack file, the new task runs 2 minutes later": [],
    "5xx for 5 % of requests during 6 minutes": ["HighErrorRate"],
    "a trading loss for a minute, then silence": ["Heartbeat"],
    "memory above 90 % for 12 minutes": [],
  },
  dev: {
    "steady running": [],
    "a rollout's dip": [],
    "one task lost, replaced by ECS within 3 minutes": [],
    "a late datapoint (every metric of a minute 2 minutes late), twice": [],
    "all tasks gone (Container Insights counts 0)": ["ServiceDown"],
    "all tasks gone, and every metric stops": ["ServiceDown"],
    "the bot stops publishing (its tasks run, its loops hang)": [],
    // One task of one: all of them.
    "one task down for good (a crash loop, no capacity)": ["ServiceDown"],
    "the desired count raised outside the stack file, the new task never starts": [],
    "the desired count raised outside the stack file, the new task runs 2 minutes later": [],
    "5xx for 5 % of requests during 6 minutes": [],
    "a trading loss for a minute, then silence": [],
    "memory above 90 % for 12 minutes": ["HighMemoryUsage"],
  },
};

describe("each committed stack's alarms, fed per-minute series and evaluated as CloudWatch documents it", () => {
  for (const stack of Object.keys(expected)) {
    describe(stack, () => {
      const settings = settingsOf(stack);
      const rules = settings.alerts.rules;
      const desired = settings.service.desiredCount;

      for (const [scenario, minutesOf] of Object.entries(scenarios)) {
        const firing = expected[stack][scenario];
        it(`${scenario}: ${firing.length > 0 ? firing.join(", ") : "no alarm"}`, () => {
          const minutes = minutesOf(desired);
          for (let extra = 0; extra <= 5; extra++) {
            const fired = rules.filter((rule) => statesOf(rule, minutes, extra).includes("ALARM")).map((rule) => rule.name);
            assert.deepEqual(fired, firing, `evaluation range N + ${extra}`);
          }
        });
      }
    });
  }

  it("lists an outcome for every alarm of every committed stack (a new alarm needs its scenarios)", () => {
    for (const stack of Object.keys(expected)) {
      const names = settingsOf(stack).alerts.rules.map((rule) => rule.name);
      const named = new Set(Object.values(expected[stack]).flat());
      for (const name of names) assert.ok(named.has(name), `${stack}: no scenario makes ${name} fire`);
    }
  });

  it("TradingLoss stays in ALARM when the numbers stop (ignore); notBreaching would have sent OK", () => {
    const loss = settingsOf("prod").alerts.rules.find((rule) => rule.name === "TradingLoss")!;
    const minutes = scenarios["a trading loss for a minute, then silence"](3);
    for (let extra = 0; extra <= 5; extra++) {
      assert.equal(statesOf(loss, minutes, extra).at(-1), "ALARM");
      assert.equal(statesOf({ ...loss, treatMissingData: "notBreaching" }, minutes, extra).at(-1), "OK");
    }
  });

  it("a TaskDown that alarms on 3 of 10 short minutes would page every rollout: the dips are real", () => {
    const taskDown = settingsOf("prod").alerts.rules.find((rule) => rule.name === "TaskDown")!;
    const minutes = scenarios["a rollout's dip"](3);
    assert.ok(statesOf({ ...taskDown, datapointsToAlarm: 3 }, minutes, 0).includes("ALARM"));
    assert.ok(!statesOf(taskDown, minutes, 0).includes("ALARM"));
  });

  it("a 1-of-1 ServiceDown with missing data breaching (the rule this replaced) pages on one late datapoint", () => {
    const down = settingsOf("prod").alerts.rules.find((rule) => rule.name === "ServiceDown")!;
    const minutes = scenarios["a late datapoint (every metric of a minute 2 minutes late), twice"](3);
    assert.ok(statesOf({ ...down, evaluationPeriods: 1, datapointsToAlarm: 1 }, minutes, 0).includes("ALARM"));
    assert.ok(!statesOf(down, minutes, 0).includes("ALARM"));
  });
});

describe("the app's metric contract", () => {
  it("is the table of docs/configuration.md, metric by metric", () => {
    const table = blockText(fs.readFileSync(path.join(repoRoot, "docs", "configuration.md"), "utf8"), "app-metrics");
    const rows = appMetrics.map((m) => `| \`${m.name}\` | ${m.unit} | ${m.meaning} |`);
    assert.equal(table, ["| metric | unit | what the app sends |", "|---|---|---|", ...rows].join("\n"));
  });

  it("holds every app metric an alarm of a committed stack reads", () => {
    const names = new Set(appMetrics.map((m) => m.name));
    for (const stack of ["dev", "staging", "prod"]) {
      for (const rule of settingsOf(stack).alerts.rules) {
        const metrics = [rule.metric, rule.ratio?.numerator, rule.ratio?.denominator, ...Object.values(rule.metricMath?.metrics ?? {})];
        for (const metric of metrics.filter((m) => m?.namespace === "TradingBot")) assert.ok(names.has(metric!.name), `${stack} ${rule.name}: ${metric!.name}`);
      }
    }
  });
});

describe("the alarm table of docs/operations.md", () => {
  const symbols: Record<string, string> = { GreaterThanThreshold: ">", GreaterThanOrEqualToThreshold: ">=", LessThanThreshold: "<", LessThanOrEqualToThreshold: "<=" };
  /** A rule's columns before "why", as the table writes them. */
  function columns(stack: string, rule: Rule): string[] {
    const reads = rule.metric
      ? `${rule.metric.namespace} ${rule.metric.name} ${rule.metric.statistic}`
      : rule.ratio
        ? `${rule.ratio.numerator.namespace} ${rule.ratio.numerator.name} / ${rule.ratio.denominator.name}`
        : `${Object.values(rule.metricMath!.metrics)[0].namespace} ${rule.metricMath!.expression}`;
    return [stack, rule.name, rule.severity, reads, `${symbols[rule.comparison]} ${rule.threshold}`, `${rule.datapointsToAlarm} of ${rule.evaluationPeriods}`, `${rule.periodSeconds} s`, rule.treatMissingData];
  }

  it("lists every alarm of every committed stack as its stack file sets it, each with why", () => {
    const table = blockText(fs.readFileSync(path.join(repoRoot, "docs", "operations.md"), "utf8"), "alarms") ?? "";
    const rows = table.trim().split("\n").slice(2).map((line) => line.split(" | ").map((cell) => cell.replace(/^\| /, "").replace(/ \|$/, "")));
    const expected = ["dev", "staging", "prod"].flatMap((stack) => settingsOf(stack).alerts.rules.map((rule) => columns(stack, rule)));
    assert.deepEqual(rows.map((row) => row.slice(0, 8)), expected);
    for (const row of rows) assert.ok(row.length === 9 && row[8].length > 20, `${row[0]} ${row[1]}: why`);
  });
});
