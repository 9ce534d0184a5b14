import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as limits from "./limits";
import { ComparisonOperator, MetricStatistic, MissingDataTreatment, Severity, severities } from "./limits";

export type { ComparisonOperator, MetricStatistic, MissingDataTreatment, Severity };
export { severities };

/** The tag that tells which severity a topic or an alarm carries (the policy pack reads it). */
export const severityTag = "trading-bot:severity";

export interface AlarmMetric {
  /** CloudWatch namespace, e.g. `AWS/ECS`, `ECS/ContainerInsights` or the app's own `TradingBot`. */
  namespace: string;
  /** Metric name in that namespace, e.g. `CPUUtilization`, `RunningTaskCount`, `HttpRequests5xx`. */
  metricName: string;
  /** How each period's samples become one value, e.g. `Minimum` for a task count, `Sum` for requests. */
  statistic: MetricStatistic;
  /** Dimension name to value, e.g. `{ ClusterName, ServiceName }`; values may be outputs. */
  dimensions: Record<string, pulumi.Input<string>>;
}

export interface AlertRule {
  /** Alarm name suffix, e.g. `ServiceDown`: letters, digits and -; unique in the stack. */
  name: string;
  /** Which topic the alarm notifies (and its `[severity]` description prefix and tag). */
  severity: Severity;
  /** What firing means, for whoever is paged; prefixed with `[severity]`. */
  description: string;
  /** One metric, compared with the threshold ... */
  metric?: AlarmMetric;
  /** ... or the ratio numerator / denominator (0 when the denominator is 0), e.g. 5xx / all requests ... */
  ratio?: { numerator: AlarmMetric; denominator: AlarmMetric };
  /**
   * ... or a metric math expression over metrics by id, e.g. `desired - running` with `desired`
   * and `running` Container Insights' DesiredTaskCount and RunningTaskCount.
   */
  metricMath?: { expression: string; metrics: Record<string, AlarmMetric> };
  /** How the value is compared with `threshold`, e.g. `LessThanThreshold`. */
  comparison: ComparisonOperator;
  /** The value compared against, in the metric's unit (a ratio: 0.01 is 1 %). */
  threshold: number;
  /** Length of one evaluated period, in seconds (a multiple of 60). */
  periodSeconds: number;
  /** N: the periods evaluated, the latest ones (periodSeconds x evaluationPeriods is at most a day). */
  evaluationPeriods: number;
  /**
   * M: how many of those N must breach to alarm ("M out of N"); below N, a late or lost
   * datapoint alone cannot page.
   * @default evaluationPeriods
   */
  datapointsToAlarm?: number;
  /** How a period with no data counts: `breaching` makes a silent service an alarm. */
  treatMissingData: MissingDataTreatment;
}

export interface AlertsArgs {
  /** Prefix of every alarm's name, e.g. `trading-bot-prod-`. */
  alarmNamePrefix: string;
  /** One CloudWatch alarm each. */
  rules: AlertRule[];
  /** E-mail addresses subscribed to each severity's topic (each must confirm by mail); a severity left out has none. */
  emails: Partial<Record<Severity, string[]>>;
}

/** An SNS topic per severity, and one CloudWatch alarm per rule notifying its severity's topic. */
export class Alerts extends pulumi.ComponentResource {
  /** Topic ARN by severity. */
  public readonly topicArns: Record<Severity, pulumi.Output<string>>;
  public readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:Alerts", name, args, opts);
    validateArgs(name, args);
    const topics = this.createTopics(name, args.emails);
    this.alarms = args.rules.map((rule) => this.createAlarm(name, args.alarmNamePrefix, rule, topics[rule.severity].arn));
    this.topicArns = Object.fromEntries(severities.map((s) => [s, topics[s].arn])) as Record<Severity, pulumi.Output<string>>;
    this.registerOutputs({ topicArns: this.topicArns });
  }

  /** One topic per severity, tagged with it, with its e-mail subscriptions. */
  private createTopics(name: string, emails: AlertsArgs["emails"]): Record<Severity, aws.sns.Topic> {
    const topics = {} as Record<Severity, aws.sns.Topic>;
    for (const severity of severities) {
      const topic = new aws.sns.Topic(
        `${name}-${severity}`,
        { displayName: `Trading bot ${severity} alerts`, tags: { [severityTag]: severity } },
        { parent: this },
      );
      (emails[severity] ?? []).forEach((email, index) => {
        new aws.sns.TopicSubscription(`${name}-${severity}-email-${index + 1}`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: topic });
      });
      topics[severity] = topic;
    }
    return topics;
  }

  private createAlarm(name: string, alarmNamePrefix: string, rule: AlertRule, topicArn: pulumi.Output<string>): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${rule.name}`,
      {
        name: `${alarmNamePrefix}${rule.name}`,
        alarmDescription: `[${rule.severity}] ${rule.description}`,
        comparisonOperator: rule.comparison,
        threshold: rule.threshold,
        evaluationPeriods: rule.evaluationPeriods,
        datapointsToAlarm: rule.datapointsToAlarm ?? rule.evaluationPeriods,
        treatMissingData: rule.treatMissingData,
        actionsEnabled: true,
        alarmActions: [topicArn],
        okActions: [topicArn],
        tags: { [severityTag]: rule.severity },
        ...alarmMetricArgs(rule),
      },
      { parent: this },
    );
  }
}

function alarmMetricArgs(rule: AlertRule): Partial<aws.cloudwatch.MetricAlarmArgs> {
  if (rule.metric) {
    return {
      namespace: rule.metric.namespace,
      metricName: rule.metric.metricName,
      statistic: rule.metric.statistic,
      dimensions: rule.metric.dimensions,
      period: rule.periodSeconds,
    };
  }
  const query = (id: string, metric: AlarmMetric): aws.types.input.cloudwatch.MetricAlarmMetricQuery => ({
    id,
    returnData: false,
    metric: { namespace: metric.namespace, metricName: metric.metricName, stat: metric.statistic, dimensions: metric.dimensions, period: rule.periodSeconds },
  });
  if (rule.metricMath) {
    const { expression, metrics } = rule.metricMath;
    return {
      metricQueries: [
        ...Object.entries(metrics).map(([id, metric]) => query(id, metric)),
        { id: limits.metricMathResultId, expression, label: rule.name, returnData: true },
      ],
    };
  }
  const { numerator, denominator } = rule.ratio!;
  return {
    metricQueries: [
      query("numerator", numerator),
      query("denominator", denominator),
      { id: "ratio", expression: "IF(denominator > 0, numerator / denominator, 0)", label: rule.name, returnData: true },
    ],
  };
}

/** Each metric of a rule with where it sits: `metric`, `ratio.numerator`, `metricMath.metrics.running`. */
function metricsOf(rule: AlertRule): [string, AlarmMetric][] {
  const math = Object.entries(rule.metricMath?.metrics ?? {}).map(([id, metric]): [string, AlarmMetric] => [`metricMath.metrics.${id}`, metric]);
  const others: [string, AlarmMetric | undefined][] = [["metric", rule.metric], ["ratio.numerator", rule.ratio?.numerator], ["ratio.denominator", rule.ratio?.denominator]];
  return [...others.filter((entry): entry is [string, AlarmMetric] => entry[1] !== undefined), ...math];
}

function validateArgs(name: string, args: AlertsArgs): void {
  const seen = new Set<string>();
  for (const rule of args.rules) {
    const where = `Alerts ${name}: rule ${rule.name}`;
    limits.requireValid(where, "name", rule.name, limits.alarmRuleName);
    if (seen.has(rule.name)) throw new Error(`${where}: the name is used twice`);
    seen.add(rule.name);
    if ([rule.metric, rule.ratio, rule.metricMath].filter((form) => form !== undefined).length !== 1) {
      throw new Error(`${where}: set exactly one of "metric", "ratio" and "metricMath"`);
    }
    limits.requireValid(where, "severity", rule.severity, limits.severity);
    limits.requireValid(where, "comparison", rule.comparison, limits.comparisonOperator);
    limits.requireValid(where, "periodSeconds", rule.periodSeconds, limits.alarmPeriodSeconds);
    if (rule.metricMath) validateMetricMath(where, rule.metricMath);
    for (const [at, metric] of metricsOf(rule)) {
      limits.requireAll(where, metric, { namespace: limits.cloudWatchNamespace, metricName: limits.metricName, statistic: limits.metricStatistic }, `${at}.`);
    }
    limits.requireValid(where, "evaluationPeriods", rule.evaluationPeriods, limits.alarmEvaluationPeriods(rule.periodSeconds));
    if (rule.datapointsToAlarm !== undefined) limits.requireValid(where, "datapointsToAlarm", rule.datapointsToAlarm, limits.alarmDatapointsToAlarm(rule.evaluationPeriods));
  }
}

function validateMetricMath(where: string, math: NonNullable<AlertRule["metricMath"]>): void {
  const ids = Object.keys(math.metrics);
  if (ids.length === 0 || ids.length > 10) throw new Error(`${where}: metricMath.metrics has ${ids.length} metrics; allowed: 1 to 10 (CloudWatch's limit for an alarm)`);
  for (const id of ids) limits.requireValid(where, "a metricMath metric id", id, limits.metricQueryId);
  limits.requireValid(where, "metricMath.expression", math.expression, limits.metricMathExpression(ids));
}
