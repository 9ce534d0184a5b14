import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import {
  ComparisonOperator,
  MetricStatistic,
  MissingDataTreatment,
  Severity,
  severities,
} from "./awsLimits";

export type { ComparisonOperator, MetricStatistic, MissingDataTreatment, Severity };
export { severities };

export interface AlarmMetric {
  /** CloudWatch namespace, e.g. `AWS/ECS` or the app's own. */
  namespace: string;
  metricName: string;
  statistic: MetricStatistic;
  dimensions: Record<string, pulumi.Input<string>>;
}

export interface AlertRule {
  /** Alarm name suffix, e.g. `ServiceDown`; unique in the stack. */
  name: string;
  severity: Severity;
  description: string;
  /** One metric, compared with the threshold ... */
  metric?: AlarmMetric;
  /** ... or the ratio numerator / denominator (0 when the denominator is 0), e.g. 5xx / all requests. */
  ratio?: { numerator: AlarmMetric; denominator: AlarmMetric };
  comparison: ComparisonOperator;
  threshold: number;
  /** Length of one evaluated period, in seconds (a multiple of 60). */
  periodSeconds: number;
  /** Periods in a row that must breach: the rule's "for" is periodSeconds x evaluationPeriods. */
  evaluationPeriods: number;
  /** How a period with no data counts: `breaching` makes a silent service an alarm. */
  treatMissingData: MissingDataTreatment;
}

export interface AlertsArgs {
  /** Prefix of every alarm's name, e.g. `trading-bot-prod-`. */
  alarmNamePrefix: string;
  rules: AlertRule[];
  /** E-mail addresses subscribed to each severity's topic (each must confirm by mail). */
  emails: Partial<Record<Severity, string[]>>;
}

/** An SNS topic per severity, and one CloudWatch alarm per rule notifying its severity's topic. */
export class Alerts extends pulumi.ComponentResource {
  /** Topic ARN by severity. */
  public readonly topicArns: Record<Severity, pulumi.Output<string>>;
  public readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:Alerts", name, {}, opts);
    validate(name, args);

    const topics = Object.fromEntries(
      severities.map((severity) => [
        severity,
        new aws.sns.Topic(`${name}-${severity}`, { displayName: `Trading bot ${severity} alerts` }, { parent: this }),
      ]),
    ) as Record<Severity, aws.sns.Topic>;
    for (const severity of severities) {
      (args.emails[severity] ?? []).forEach((email, index) => {
        new aws.sns.TopicSubscription(
          `${name}-${severity}-email-${index + 1}`,
          { topic: topics[severity].arn, protocol: "email", endpoint: email },
          { parent: topics[severity] },
        );
      });
    }

    this.alarms = args.rules.map((rule) => {
      const topicArn = topics[rule.severity].arn;
      return new aws.cloudwatch.MetricAlarm(
        `${name}-${rule.name}`,
        {
          name: `${args.alarmNamePrefix}${rule.name}`,
          alarmDescription: `[${rule.severity}] ${rule.description}`,
          comparisonOperator: rule.comparison,
          threshold: rule.threshold,
          evaluationPeriods: rule.evaluationPeriods,
          datapointsToAlarm: rule.evaluationPeriods,
          treatMissingData: rule.treatMissingData,
          actionsEnabled: true,
          alarmActions: [topicArn],
          okActions: [topicArn],
          ...alarmMetricArgs(rule),
        },
        { parent: this },
      );
    });

    this.topicArns = Object.fromEntries(severities.map((s) => [s, topics[s].arn])) as Record<Severity, pulumi.Output<string>>;
    this.registerOutputs({ topicArns: this.topicArns });
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
  const { numerator, denominator } = rule.ratio!;
  const query = (id: string, metric: AlarmMetric): aws.types.input.cloudwatch.MetricAlarmMetricQuery => ({
    id,
    returnData: false,
    metric: {
      namespace: metric.namespace,
      metricName: metric.metricName,
      stat: metric.statistic,
      dimensions: metric.dimensions,
      period: rule.periodSeconds,
    },
  });
  return {
    metricQueries: [
      query("numerator", numerator),
      query("denominator", denominator),
      { id: "ratio", expression: "IF(denominator > 0, numerator / denominator, 0)", label: rule.name, returnData: true },
    ],
  };
}

function validate(name: string, args: AlertsArgs): void {
  const seen = new Set<string>();
  for (const rule of args.rules) {
    const where = `Alerts ${name}: rule ${rule.name}`;
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(rule.name)) throw new Error(`${where}: the name may hold letters, digits and -`);
    if (seen.has(rule.name)) throw new Error(`${where}: the name is used twice`);
    seen.add(rule.name);
    if ((rule.metric === undefined) === (rule.ratio === undefined)) throw new Error(`${where}: set exactly one of "metric" and "ratio"`);
    if (!severities.includes(rule.severity)) throw new Error(`${where}: severity is ${rule.severity}; allowed: ${severities.join(", ")}`);
    if (!Number.isInteger(rule.periodSeconds) || rule.periodSeconds < 60 || rule.periodSeconds % 60 !== 0) {
      throw new Error(`${where}: periodSeconds is ${rule.periodSeconds}; allowed: a multiple of 60`);
    }
    if (!Number.isInteger(rule.evaluationPeriods) || rule.evaluationPeriods < 1 || rule.periodSeconds * rule.evaluationPeriods > 86400) {
      throw new Error(`${where}: evaluationPeriods is ${rule.evaluationPeriods}; allowed: 1 or more, at most one day of periods`);
    }
  }
}
