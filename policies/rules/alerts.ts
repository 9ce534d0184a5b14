// Production alerting, judged by what the resources mean and by the Alerts component's
// contract (every SNS topic and alarm tagged trading-bot:severity = info | warning |
// critical), never by their names: someone hears it when the service goes down or
// anything critical happens.
import { appMetricsNamespace, heartbeatMetricName } from "../../stacks/appMetrics";
import { anyRefersTo, refersTo } from "../references";
import { StackResource, StackRule, StackViolation } from "../rule";
import { ALARM } from "./monitoring";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const severityTag = "tags.trading-bot:severity";

function severityOf(resource: StackResource): string | undefined {
  const value: unknown = resource.props.tags?.["trading-bot:severity"];
  return typeof value === "string" ? value.trim().toLowerCase() : undefined;
}

const noCriticalTopic: StackViolation = {
  message: "no SNS topic is tagged trading-bot:severity=critical; the Alerts component tags each topic with its severity, and production needs the critical one",
};

function criticalTopics(resources: StackResource[]): StackResource[] {
  return resources.filter((r) => r.type === TOPIC && severityOf(r) === "critical");
}

/** Does the alarm notify one of `topics`? */
function notifies(alarm: StackResource, topics: StackResource[]): boolean {
  return topics.some((topic) => refersTo(alarm, "alarmActions", topic, ["arn"]));
}

export const criticalAlarm: StackRule = {
  kind: "stack",
  name: "alerts-critical-alarm",
  description: "A production stack has at least one alarm that notifies the critical topic, and every alarm tagged critical does",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: { [TOPIC]: [severityTag, "arn"], [ALARM]: [severityTag, "alarmActions"] },
  required: "a topic tagged critical; at least one alarm whose alarmActions hold its ARN",
  anchors: [],
  check(resources) {
    const topics = criticalTopics(resources);
    if (topics.length === 0) return [noCriticalTopic];
    const alarms = resources.filter((r) => r.type === ALARM);
    if (!anyRefersTo(alarms, "alarmActions", topics, ["arn"])) {
      return [{ message: "no alarm notifies the critical topic (alarmActions); production needs at least one critical alarm" }];
    }
    return alarms
      .filter((alarm) => severityOf(alarm) === "critical" && !notifies(alarm, topics))
      .map((alarm) => ({ urn: alarm.urn, message: `alarm ${alarm.name} is tagged critical but its alarmActions do not notify the critical topic` }));
  },
};

/** Namespaces whose metrics stop when an ECS service has no running task. */
const ecsNamespaces = ["AWS/ECS", "ECS/ContainerInsights"];

function watchesEcsService(metric: Record<string, any> | undefined): boolean {
  if (!metric || !ecsNamespaces.includes(metric.namespace)) return false;
  const dimensions: unknown = metric.dimensions;
  // `in`, not a read: the ServiceName value is the service's name, unknown during a first preview.
  return typeof dimensions === "object" && dimensions !== null && "ServiceName" in dimensions;
}

function isServiceDownAlarm(alarm: StackResource): boolean {
  const { props } = alarm;
  if (!["LessThanThreshold", "LessThanOrEqualToThreshold"].includes(props.comparisonOperator)) return false;
  if (props.treatMissingData !== "breaching") return false;
  // Stryker disable next-line ArrayDeclaration: a stand-in element is no metric query, so it watches no service
  return watchesEcsService(props) || (props.metricQueries ?? []).some((query: Record<string, any>) => watchesEcsService(query.metric));
}

export const serviceDownAlarm: StackRule = {
  kind: "stack",
  name: "alerts-service-down-alarm",
  description: "A production stack has an alarm that fires when the ECS service stops running tasks",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [ALARM]: [
      "comparisonOperator",
      "treatMissingData",
      "namespace",
      "dimensions.ServiceName",
      "metricQueries[].metric.namespace",
      "metricQueries[].metric.dimensions.ServiceName",
    ],
  },
  required: "a metric in AWS/ECS or ECS/ContainerInsights with a ServiceName dimension, LessThan(OrEqualTo)Threshold, treatMissingData breaching",
  anchors: [],
  check(resources) {
    // Every resource here is an alarm: the rule reads no other type.
    if (resources.some(isServiceDownAlarm)) return [];
    return [{
      message: "no alarm fires when the ECS service stops: add one on an AWS/ECS or ECS/ContainerInsights metric with a ServiceName dimension, " +
        "a LessThanThreshold or LessThanOrEqualToThreshold comparison and treatMissingData breaching (a stopped service sends no data)",
    }];
  },
};

/** An alarm (or a metric of its expression) on the app's heartbeat, below a threshold, with silence breaching. */
function isHeartbeatAlarm(alarm: StackResource): boolean {
  const { props } = alarm;
  if (!["LessThanThreshold", "LessThanOrEqualToThreshold"].includes(props.comparisonOperator)) return false;
  if (props.treatMissingData !== "breaching") return false;
  const isHeartbeat = (metric: Record<string, any> | undefined) => metric?.namespace === appMetricsNamespace && metric?.metricName === heartbeatMetricName;
  // Stryker disable next-line ArrayDeclaration: a stand-in element is no metric query, so it reads no heartbeat
  return isHeartbeat(props) || (props.metricQueries ?? []).some((query: Record<string, any>) => isHeartbeat(query.metric));
}

export const heartbeatAlarm: StackRule = {
  kind: "stack",
  name: "alerts-heartbeat-alarm",
  description: "A production stack has an alarm that fires when the bot stops sending its heartbeat",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [ALARM]: ["comparisonOperator", "treatMissingData", "namespace", "metricName", "metricQueries[].metric.namespace", "metricQueries[].metric.metricName"],
  },
  required: `an alarm on ${appMetricsNamespace} ${heartbeatMetricName}, LessThan(OrEqualTo)Threshold, treatMissingData breaching`,
  anchors: [],
  check(resources) {
    if (resources.some(isHeartbeatAlarm)) return [];
    return [{
      message: `no alarm fires when the bot stops sending its heartbeat: add one on ${appMetricsNamespace} ${heartbeatMetricName} ` +
        "with a LessThanThreshold or LessThanOrEqualToThreshold comparison and treatMissingData breaching (a hung or stopped bot sends nothing)",
    }];
  },
};

function subscriptionsOf(topic: StackResource, resources: StackResource[]): StackResource[] {
  return resources.filter((r) => r.type === SUBSCRIPTION && refersTo(r, "topic", topic, ["arn"]));
}

export const criticalSubscription: StackRule = {
  kind: "stack",
  name: "alerts-critical-subscription",
  description: "Someone is subscribed to the production critical topic",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: { [TOPIC]: [severityTag, "arn"], [SUBSCRIPTION]: ["topic"] },
  required: "at least one subscription whose topic is the critical topic's ARN",
  anchors: [],
  check(resources) {
    const topics = criticalTopics(resources);
    if (topics.length === 0) return [noCriticalTopic];
    return topics
      .filter((topic) => subscriptionsOf(topic, resources).length === 0)
      .map((topic) => ({
        urn: topic.urn,
        message: `the critical topic ${topic.name} has no subscription, so nobody hears a critical alarm; subscribe someone (trading-bot:alerts.emails.critical)`,
      }));
  },
};

/** Domains reserved for examples and tests (RFC 2606, RFC 6761): mail there reaches nobody. */
export function isReservedDomain(domain: string): boolean {
  const name = domain.trim().toLowerCase().replace(/\.$/, "");
  return /(^|\.)example\.(com|net|org)$/.test(name) || /(^|\.)(example|test|invalid|localhost)$/.test(name);
}

function isPlaceholderEmail(subscription: StackResource): boolean {
  const { protocol, endpoint } = subscription.props;
  if (protocol !== "email" && protocol !== "email-json") return false;
  if (typeof endpoint !== "string" || !endpoint.includes("@")) return false;
  return isReservedDomain(endpoint.slice(endpoint.lastIndexOf("@") + 1));
}

export const criticalSubscriptionNotPlaceholder: StackRule = {
  kind: "stack",
  name: "alerts-critical-subscription-not-placeholder",
  description: "The production critical topic reaches a real address, not only a placeholder at an example domain",
  scope: "production",
  enforcementLevel: "advisory",
  reads: { [TOPIC]: [severityTag, "arn"], [SUBSCRIPTION]: ["topic", "protocol", "endpoint"] },
  required: "at least one subscription that is not an e-mail at example.com/.net/.org, *.example, *.test, *.invalid or *.localhost",
  anchors: [],
  check(resources) {
    return criticalTopics(resources).flatMap((topic) => {
      const subscriptions = subscriptionsOf(topic, resources);
      if (subscriptions.length === 0 || !subscriptions.every(isPlaceholderEmail)) return [];
      const addresses = subscriptions.map((s) => s.props.endpoint).join(", ");
      return [{
        urn: topic.urn,
        message: `the critical topic ${topic.name} only reaches ${addresses}, at a domain reserved for examples; replace it with a real address (trading-bot:alerts.emails.critical)`,
      }];
    });
  },
};
