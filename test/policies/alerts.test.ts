// In-process tests of the alerting rules: they find the service-down alarm, the critical
// topic and its subscriptions by meaning and by the Alerts component's severity tags,
// matching ARNs by value or, while they are unknown at preview, by recorded dependencies.
import { strict as assert } from "node:assert";
import * as alerts from "../../policies/rules/alerts";
import { describeStackRule, resource, runStackRule, unknown, urnOf } from "./harness";

const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const arnOf = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;
const severity = (value: string) => ({ "trading-bot:severity": value });

const topic = (level: string, name = `alerts-${level}`, arn: string = arnOf(name)) => resource(TOPIC, name, { arn, tags: severity(level) });
const critical = topic("critical");
const warning = topic("warning");
const untagged = resource(TOPIC, "alerts-critical", { arn: arnOf("alerts-critical") });

const serviceDown = {
  comparisonOperator: "LessThanThreshold",
  threshold: 1,
  treatMissingData: "breaching",
  namespace: "AWS/ECS",
  metricName: "CPUUtilization",
  statistic: "SampleCount",
  dimensions: { ClusterName: "trading-bot-cluster-prod", ServiceName: "trading-bot-service-prod" },
  alarmActions: [critical.props.arn],
  tags: severity("critical"),
};
const alarm = (name: string, props: Record<string, unknown>, dependencies?: Record<string, string[]>) => resource(ALARM, name, props, dependencies);
const pnl = (actions: unknown[], level = "critical", dependencies?: Record<string, string[]>) =>
  alarm("TradingLoss", { comparisonOperator: "LessThanThreshold", treatMissingData: "notBreaching", namespace: "TradingBot", metricName: "TradingPnl",
    dimensions: { Environment: "production" }, alarmActions: actions, tags: severity(level) }, dependencies);
const subscription = (name: string, topicArn: unknown, endpoint: string, protocol = "email", dependencies?: Record<string, string[]>) =>
  resource(SUBSCRIPTION, name, { topic: topicArn, protocol, endpoint }, dependencies);
const oncall = subscription("oncall", critical.props.arn, "oncall@trading-desk.io");

const noCriticalTopic = {
  message: "no SNS topic is tagged trading-bot:severity=critical; the Alerts component tags each topic with its severity, and production needs the critical one",
};

describe("alerting rules, in-process", () => {
  const missing = [{
    message: "no alarm fires when the ECS service stops: add one on an AWS/ECS or ECS/ContainerInsights metric with a ServiceName dimension, " +
      "a LessThanThreshold or LessThanOrEqualToThreshold comparison and treatMissingData breaching (a stopped service sends no data)",
  }];
  const insights = { ...serviceDown, namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", comparisonOperator: "LessThanOrEqualToThreshold", threshold: 0 };
  const { namespace: _n, metricName: _m, dimensions: _d, ...withoutMetric } = serviceDown;
  const queried = {
    ...withoutMetric,
    metricQueries: [
      { id: "expression", expression: "FILL(tasks, 0)", returnData: true },
      { id: "tasks", returnData: false, metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: serviceDown.dimensions } },
    ],
  };
  describeStackRule(alerts.serviceDownAlarm, {
    cases: [
      { what: "AWS/ECS CPU samples below 1, missing data breaching", resources: [alarm("ServiceDown", serviceDown)], expect: [] },
      { what: "Container Insights running tasks at most 0", resources: [alarm("ServiceDown", insights)], expect: [] },
      { what: "the metric inside metricQueries", resources: [alarm("ServiceDown", queried)], expect: [] },
      { what: "a ServiceName the engine does not know yet (the service's name at preview)",
        resources: [alarm("ServiceDown", { ...serviceDown, dimensions: { ServiceName: unknown } })], expect: [] },
      { what: "no alarm at all", resources: [], expect: missing },
      { what: "a GreaterThanThreshold comparison", resources: [alarm("ServiceDown", { ...serviceDown, comparisonOperator: "GreaterThanThreshold" })], expect: missing },
      { what: "missing data not breaching (a stopped service sends none)", resources: [alarm("ServiceDown", { ...serviceDown, treatMissingData: "notBreaching" })], expect: missing },
      { what: "missing data ignored", resources: [alarm("ServiceDown", { ...serviceDown, treatMissingData: "missing" })], expect: missing },
      { what: "AWS/ECS without dimensions", resources: [alarm("ServiceDown", { ...serviceDown, dimensions: undefined })], expect: missing },
      { what: "dimensions that are null", resources: [alarm("ServiceDown", { ...serviceDown, dimensions: null })], expect: missing },
      { what: "the cluster only (no ServiceName)", resources: [alarm("ServiceDown", { ...serviceDown, dimensions: { ClusterName: "trading-bot-cluster-prod" } })], expect: missing },
      { what: "the app's own namespace", resources: [alarm("ServiceDown", { ...serviceDown, namespace: "TradingBot" })], expect: missing },
      { what: "only the trading-loss alarm", resources: [pnl([critical.props.arn])], expect: missing },
      { what: "a query on another namespace", resources: [alarm("ServiceDown", { ...queried, metricQueries: [{ id: "m", metric: { ...queried.metricQueries[1].metric, namespace: "TradingBot" } }] })],
        expect: missing },
    ],
    unknown: [
      { resources: [alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "comparisonOperator" },
      { resources: [alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "treatMissingData" },
      { resources: [alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "namespace" },
      { resources: [alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "dimensions" },
      { resources: [alarm("ServiceDown", queried)], name: "ServiceDown", path: "metricQueries" },
      { resources: [alarm("ServiceDown", queried)], name: "ServiceDown", path: "metricQueries.1.metric.namespace" },
      { resources: [alarm("ServiceDown", queried)], name: "ServiceDown", path: "metricQueries.1.metric.dimensions" },
    ],
  });

  const heartbeat = {
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
    namespace: "TradingBot",
    metricName: "Heartbeat",
    statistic: "Sum",
    dimensions: { Environment: "production" },
  };
  const silent = [{
    message: "no alarm fires when the bot stops sending its heartbeat: add one on TradingBot Heartbeat with a LessThanThreshold or " +
      "LessThanOrEqualToThreshold comparison and treatMissingData breaching (a hung or stopped bot sends nothing)",
  }];
  const { namespace: _hn, metricName: _hm, ...heartbeatWithoutMetric } = heartbeat;
  const heartbeatQueried = {
    ...heartbeatWithoutMetric,
    metricQueries: [
      { id: "beats", returnData: false, metric: { namespace: "TradingBot", metricName: "Heartbeat", stat: "Sum", dimensions: heartbeat.dimensions } },
      { id: "result", expression: "FILL(beats, 0)", returnData: true },
    ],
  };
  describeStackRule(alerts.heartbeatAlarm, {
    cases: [
      { what: "Heartbeat Sum below 1, missing data breaching", resources: [alarm("ServiceDown", serviceDown), alarm("Heartbeat", heartbeat)], expect: [] },
      { what: "at most 0", resources: [alarm("Heartbeat", { ...heartbeat, comparisonOperator: "LessThanOrEqualToThreshold", threshold: 0 })], expect: [] },
      { what: "the heartbeat inside metricQueries", resources: [alarm("Heartbeat", heartbeatQueried)], expect: [] },
      { what: "no alarm at all", resources: [], expect: silent },
      { what: "only the service-down alarm", resources: [alarm("ServiceDown", serviceDown)], expect: silent },
      { what: "missing data not breaching (a silent bot sends none)", resources: [alarm("Heartbeat", { ...heartbeat, treatMissingData: "notBreaching" })], expect: silent },
      { what: "missing data ignored", resources: [alarm("Heartbeat", { ...heartbeat, treatMissingData: "ignore" })], expect: silent },
      { what: "a GreaterThanThreshold comparison", resources: [alarm("Heartbeat", { ...heartbeat, comparisonOperator: "GreaterThanThreshold" })], expect: silent },
      { what: "another namespace", resources: [alarm("Heartbeat", { ...heartbeat, namespace: "AWS/ECS" })], expect: silent },
      { what: "another metric of the app", resources: [alarm("Heartbeat", { ...heartbeat, metricName: "HttpRequests" })], expect: silent },
      { what: "a query on another metric", resources: [alarm("Heartbeat", { ...heartbeatQueried, metricQueries: [{ id: "m", metric: { ...heartbeatQueried.metricQueries[0].metric, metricName: "TradingPnl" } }] })],
        expect: silent },
    ],
    unknown: [
      { resources: [alarm("Heartbeat", heartbeat)], name: "Heartbeat", path: "comparisonOperator" },
      { resources: [alarm("Heartbeat", heartbeat)], name: "Heartbeat", path: "treatMissingData" },
      { resources: [alarm("Heartbeat", heartbeat)], name: "Heartbeat", path: "namespace" },
      { resources: [alarm("Heartbeat", heartbeat)], name: "Heartbeat", path: "metricName" },
      { resources: [alarm("Heartbeat", heartbeatQueried)], name: "Heartbeat", path: "metricQueries" },
      { resources: [alarm("Heartbeat", heartbeatQueried)], name: "Heartbeat", path: "metricQueries.0.metric.namespace" },
      { resources: [alarm("Heartbeat", heartbeatQueried)], name: "Heartbeat", path: "metricQueries.0.metric.metricName" },
    ],
  });

  const noCriticalAlarm = [{ message: "no alarm notifies the critical topic (alarmActions); production needs at least one critical alarm" }];
  describeStackRule(alerts.criticalAlarm, {
    cases: [
      { what: "an alarm notifying the critical topic by ARN", resources: [warning, critical, alarm("ServiceDown", serviceDown)], expect: [] },
      { what: "... by recorded dependency while the ARNs are unknown at preview",
        resources: [topic("critical", "alerts-critical", unknown), alarm("ServiceDown", { ...serviceDown, alarmActions: [unknown] }, { alarmActions: [critical.urn] })], expect: [] },
      { what: "an alarm of another severity that notifies the critical topic too", resources: [critical, pnl([critical.props.arn], "warning")], expect: [] },
      { what: 'a severity tagged " Critical"', resources: [topic(" Critical", "alerts-critical"), alarm("ServiceDown", serviceDown)], expect: [] },
      { what: "topics without severity tags", resources: [untagged, alarm("ServiceDown", serviceDown)], expect: [noCriticalTopic] },
      { what: "no topic at all", resources: [alarm("ServiceDown", serviceDown)], expect: [noCriticalTopic] },
      { what: "alarms that notify the warning topic only", resources: [warning, critical, pnl([warning.props.arn], "warning")], expect: noCriticalAlarm },
      { what: "an alarm without actions", resources: [critical, pnl([])], expect: noCriticalAlarm },
      { what: "an alarm tagged critical notifying the second of two critical topics",
        resources: [critical, topic("critical", "pager"), alarm("ServiceDown", { ...serviceDown, alarmActions: [arnOf("pager")] })], expect: [] },
      { what: "one alarm tied by dependency while its ARN is unknown, another notifying the warning topic by value",
        resources: [warning, topic("critical", "alerts-critical", unknown), pnl([warning.props.arn], "warning"),
          alarm("ServiceDown", { ...serviceDown, alarmActions: [unknown] }, { alarmActions: [critical.urn] })], expect: [] },
      { what: "an alarm tagged critical that notifies the warning topic, beside a real critical alarm",
        resources: [warning, critical, alarm("ServiceDown", serviceDown), pnl([warning.props.arn])],
        expect: [{ urn: urnOf(ALARM, "TradingLoss"), message: "alarm TradingLoss is tagged critical but its alarmActions do not notify the critical topic" }] },
    ],
    unknown: [
      { resources: [critical, alarm("ServiceDown", serviceDown)], name: "alerts-critical", path: "tags" },
      { what: "no recorded dependency to decide", resources: [critical, alarm("ServiceDown", serviceDown)], name: "alerts-critical", path: "arn" },
      { resources: [critical, alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "alarmActions" },
      { resources: [critical, alarm("ServiceDown", serviceDown)], name: "ServiceDown", path: "tags" },
    ],
  });

  const unheard = (name = "alerts-critical") => ({
    urn: urnOf(TOPIC, name),
    message: `the critical topic ${name} has no subscription, so nobody hears a critical alarm; subscribe someone (trading-bot:alerts.emails.critical)`,
  });
  describeStackRule(alerts.criticalSubscription, {
    cases: [
      { what: "an e-mail subscription to the critical topic", resources: [critical, oncall], expect: [] },
      { what: "... by recorded dependency while the ARN is unknown at preview",
        resources: [topic("critical", "alerts-critical", unknown), subscription("oncall", unknown, "oncall@trading-desk.io", "email", { topic: [critical.urn] })], expect: [] },
      { what: "no subscription", resources: [warning, critical], expect: [unheard()] },
      { what: "a subscription to the warning topic only", resources: [warning, critical, subscription("ops", warning.props.arn, "ops@trading-desk.io")], expect: [unheard()] },
      { what: "a second critical topic nobody hears", resources: [critical, oncall, topic("critical", "pager")], expect: [unheard("pager")] },
      { what: "no critical topic", resources: [untagged, oncall], expect: [noCriticalTopic] },
      { what: "a subscription without a topic, beside a critical topic without an ARN",
        resources: [resource(TOPIC, "alerts-critical", { tags: severity("critical") }), resource(SUBSCRIPTION, "loose", { protocol: "email", endpoint: "ops@trading-desk.io" })],
        expect: [unheard()] },
    ],
    unknown: [
      { resources: [critical, oncall], name: "alerts-critical", path: "tags" },
      { what: "no recorded dependency to decide", resources: [critical, oncall], name: "alerts-critical", path: "arn" },
      { resources: [critical, oncall], name: "oncall", path: "topic" },
    ],
  });

  const placeholder = (addresses: string) => [{
    urn: critical.urn,
    message: `the critical topic alerts-critical only reaches ${addresses}, at a domain reserved for examples; replace it with a real address (trading-bot:alerts.emails.critical)`,
  }];
  const reservedAddresses = [
    "trading-alerts@example.com", "ops@EXAMPLE.ORG", "ops@example.net", "ops@alerts.example.com", "ops@example.com.", "ops@bot.example",
    "ops@example", "ops@ci.test", "ops@nowhere.invalid", "ops@localhost", "ops@box.localhost", "a@b@example.com", "ops@example.com ",
  ];
  const realAddresses = ["ops@example.co", "ops@myexample.com", "ops@example.com.au", "ops@test.com", "ops@examples.org", "ops@invalid.io", "ops@localhost.dev"];
  describeStackRule(alerts.criticalSubscriptionNotPlaceholder, {
    cases: [
      { what: "a real address", resources: [critical, oncall], expect: [] },
      { what: "a placeholder beside a real address", resources: [critical, subscription("placeholder", critical.props.arn, "alerts@example.com"), oncall], expect: [] },
      { what: "no subscription (alerts-critical-subscription says so)", resources: [critical], expect: [] },
      { what: "a placeholder on the warning topic only", resources: [warning, critical, oncall, subscription("w", warning.props.arn, "alerts@example.com")], expect: [] },
      { what: "an SMS subscription", resources: [critical, subscription("sms", critical.props.arn, "+15555550100", "sms")], expect: [] },
      { what: "an HTTPS endpoint at example.com (not an e-mail)", resources: [critical, subscription("hook", critical.props.arn, "https://alerts@example.com", "https")], expect: [] },
      { what: "an e-mail endpoint without an @", resources: [critical, subscription("odd", critical.props.arn, "example.com")], expect: [] },
      { what: "an e-mail subscription without an endpoint", resources: [critical, resource(SUBSCRIPTION, "none", { topic: critical.props.arn, protocol: "email" })], expect: [] },
      ...realAddresses.map((address) => ({ what: `the address ${address}`, resources: [critical, subscription("s", critical.props.arn, address)], expect: [] })),
      ...reservedAddresses.map((address) => ({ what: `the address ${address} alone`, resources: [critical, subscription("s", critical.props.arn, address)], expect: placeholder(address) })),
      { what: "two placeholders, one as email-json", resources: [critical, subscription("a", critical.props.arn, "a@example.com"), subscription("b", critical.props.arn, "b@example.org", "email-json")],
        expect: placeholder("a@example.com, b@example.org") },
    ],
    unknown: [
      { resources: [critical, oncall], name: "alerts-critical", path: "tags" },
      { what: "no recorded dependency to decide", resources: [critical, oncall], name: "alerts-critical", path: "arn" },
      { resources: [critical, oncall], name: "oncall", path: "topic" },
      { resources: [critical, oncall], name: "oncall", path: "protocol" },
      { resources: [critical, oncall], name: "oncall", path: "endpoint" },
    ],
  });

  it("reads the severity from the Alerts component's tag, not from names", () => {
    const renamed = [topic("critical", "pager-duty-feed"), alarm("Whatever", { ...serviceDown, alarmActions: [arnOf("pager-duty-feed")] }), subscription("x", arnOf("pager-duty-feed"), "ops@trading-desk.io")];
    assert.deepEqual(runStackRule(alerts.criticalAlarm, renamed), []);
    assert.deepEqual(runStackRule(alerts.criticalSubscription, renamed), []);
    const namedCritical = [topic("info", "alerts-critical"), alarm("ServiceDown", serviceDown), oncall];
    assert.deepEqual(runStackRule(alerts.criticalAlarm, namedCritical), [noCriticalTopic]);
  });
});
