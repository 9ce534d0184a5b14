import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as limits from "./limits";

/** One line of a chart: a CloudWatch metric of this stack's resources. */
export interface ChartMetric {
  namespace: string;
  metricName: string;
  /** Dimension name to value, e.g. `{ DBInstanceIdentifier: instance.identifier }`. */
  dimensions: Record<string, pulumi.Input<string>>;
  stat: limits.MetricStatistic;
  /** The legend, e.g. `connections`. */
  label: string;
  /** Id for metric math over it: a lower-case letter, then letters, digits and _. */
  id?: string;
  /** Leave it out of the chart when only an expression over it is shown. @default true */
  visible?: boolean;
}

/** Metric math over the chart's metrics, e.g. `IF(m1 > 0, 100 * m2 / m1, 0)`. */
export interface ChartExpression {
  expression: string;
  label: string;
  id: string;
}

export interface DashboardChart {
  title: string;
  /** Its lines; a list that is still an output (one line per cache node) is fine. */
  lines: pulumi.Input<(ChartMetric | ChartExpression)[]>;
  /** A horizontal line, e.g. the desired task count. */
  horizontal?: { label: string; value: number };
  /** Seconds per point. @default the dashboard's `periodSeconds` */
  periodSeconds?: number;
}

/** What a component contributes to the stack's dashboard: a titled row of charts. */
export interface DashboardSection {
  /** The row's heading, e.g. `Database (RDS PostgreSQL)`. */
  title: string;
  charts: DashboardChart[];
}

/** The metrics the app publishes to its own namespace (docs/configuration.md, "The app's own metrics"). */
export interface AppMetrics {
  /** CloudWatch namespace, e.g. `TradingBot`. */
  namespace: string;
  /** The dimensions every app metric carries, e.g. `{ Environment: "production" }`. */
  dimensions: Record<string, pulumi.Input<string>>;
  /** Metric names: every request, the ones answered with a 5xx, the cumulative PnL in USD. */
  requests: string;
  serverErrors: string;
  pnl: string;
  /** The app's heartbeat (one sample a minute while it trades), once it publishes one. @default none */
  heartbeat?: string;
}

export interface DashboardArgs {
  /** Dashboard name, unique in the account: letters, digits, - and _, e.g. `trading-bot-prod`. */
  dashboardName: string;
  /** Region of every chart's metrics (the stack's). */
  region: string;
  /** Seconds per point of the charts, a multiple of 60. @default 300 */
  periodSeconds?: number;
  /** The ECS service: its task counts, CPU and memory. */
  service: {
    clusterName: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    /** The task count the service keeps, drawn as a line when Container Insights is off. */
    desiredCount: number;
    /** With Container Insights the running and desired task counts are metrics; without, running tasks are counted from CPU samples. */
    containerInsights: limits.ContainerInsights;
  };
  /** Rows the backings contribute (database, cache); a backing with nothing to watch (a sidecar) adds none. */
  sections: DashboardSection[];
  /** Alarms whose state one widget shows (at most 100; none: no alarm row). */
  alarmArns: pulumi.Input<string>[];
  app: AppMetrics;
}

/** Widget sizes on CloudWatch's 24-column grid. */
const grid = { columns: 24, chartWidth: 8, chartHeight: 6, headingHeight: 1, alarmHeight: 3 } as const;
const defaultPeriodSeconds = 300;

/**
 * One CloudWatch dashboard of the stack: the service (running against desired tasks, CPU,
 * memory), a row per backing that has metrics (database, cache), every alarm's state, and
 * the app's own metrics. Every widget names this stack's resources, read from their outputs.
 */
export class Dashboard extends pulumi.ComponentResource {
  public readonly dashboard: aws.cloudwatch.Dashboard;
  public readonly dashboardName: pulumi.Output<string>;
  /** The console page of the dashboard. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:Dashboard", name, args, opts);
    validateArgs(name, args);
    const sections = [serviceSection(args), ...args.sections, appSection(args.app)];
    const widgets = layOut(sections, args.alarmArns, args.region, args.periodSeconds ?? defaultPeriodSeconds);
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: args.dashboardName, dashboardBody: pulumi.jsonStringify({ widgets }) },
      { parent: this },
    );
    this.dashboardName = this.dashboard.dashboardName;
    this.url = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${this.dashboardName}`;
    this.registerOutputs({ dashboardName: this.dashboardName, url: this.url });
  }
}

/** Running against desired tasks, then CPU and memory, of the service. */
function serviceSection({ service }: DashboardArgs): DashboardSection {
  const dimensions = { ClusterName: service.clusterName, ServiceName: service.serviceName };
  const ecs = (metricName: string, label: string): ChartMetric => ({ namespace: "AWS/ECS", metricName, dimensions, stat: "Average", label });
  const insights = service.containerInsights !== "disabled";
  const tasks: DashboardChart = insights
    ? {
        title: "Running and desired tasks",
        lines: [
          { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions, stat: "Average", label: "running" },
          { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions, stat: "Average", label: "desired" },
        ],
      }
    : {
        // Without Container Insights, AWS/ECS counts one CPU sample a minute per running task.
        title: "Running tasks (CPU samples a minute) and desired",
        lines: [{ namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions, stat: "SampleCount", label: "running" }],
        horizontal: { label: "desired", value: service.desiredCount },
        periodSeconds: 60,
      };
  return {
    title: "Service (ECS)",
    charts: [tasks, { title: "CPU (%)", lines: [ecs("CPUUtilization", "CPU")] }, { title: "Memory (%)", lines: [ecs("MemoryUtilization", "memory")] }],
  };
}

/** The app's PnL, its requests with the share answered with a 5xx, and its heartbeat. */
function appSection(app: AppMetrics): DashboardSection {
  const metric = (metricName: string, stat: limits.MetricStatistic, label: string, extra: Partial<ChartMetric> = {}): ChartMetric => ({
    namespace: app.namespace,
    metricName,
    dimensions: app.dimensions,
    stat,
    label,
    ...extra,
  });
  const charts: DashboardChart[] = [
    { title: "Trading PnL (USD)", lines: [metric(app.pnl, "Average", "PnL")] },
    { title: "Requests", lines: [metric(app.requests, "Sum", "requests"), metric(app.serverErrors, "Sum", "5xx")] },
    {
      title: "5xx share (%)",
      lines: [
        metric(app.requests, "Sum", "requests", { id: "requests", visible: false }),
        metric(app.serverErrors, "Sum", "5xx", { id: "errors", visible: false }),
        { expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx share", id: "share" },
      ],
    },
  ];
  if (app.heartbeat) charts.push({ title: "Heartbeat (samples)", lines: [metric(app.heartbeat, "SampleCount", "heartbeats")] });
  return { title: `The app (${app.namespace})`, charts };
}

type Widget = Record<string, unknown>;

/** Each section as a heading and rows of charts, the alarms after the service and backings, the app last. */
function layOut(sections: DashboardSection[], alarmArns: pulumi.Input<string>[], region: string, periodSeconds: number): Widget[] {
  const widgets: Widget[] = [];
  let y = 0;
  const heading = (text: string) => {
    widgets.push({ type: "text", x: 0, y, width: grid.columns, height: grid.headingHeight, properties: { markdown: `## ${text}` } });
    y += grid.headingHeight;
  };
  const app = sections[sections.length - 1];
  for (const section of [...sections.slice(0, -1), "alarms" as const, app]) {
    if (section === "alarms") {
      // An alarm widget lists 1 to 100 alarms: a stack without alert rules gets no row.
      if (alarmArns.length === 0) continue;
      heading("Alarms");
      widgets.push({ type: "alarm", x: 0, y, width: grid.columns, height: grid.alarmHeight, properties: { title: "Alarm states", alarms: alarmArns } });
      y += grid.alarmHeight;
      continue;
    }
    heading(section.title);
    section.charts.forEach((chart, index) => {
      const column = index % (grid.columns / grid.chartWidth);
      if (index > 0 && column === 0) y += grid.chartHeight;
      widgets.push({ type: "metric", x: column * grid.chartWidth, y, width: grid.chartWidth, height: grid.chartHeight, properties: chartProperties(chart, region, periodSeconds) });
    });
    y += grid.chartHeight;
  }
  return widgets;
}

/** A metric widget's properties: its lines in CloudWatch's array form, its period and annotations. */
function chartProperties(chart: DashboardChart, region: string, periodSeconds: number): Record<string, unknown> {
  return {
    title: chart.title,
    region,
    view: "timeSeries",
    stacked: false,
    period: chart.periodSeconds ?? periodSeconds,
    metrics: pulumi.output(chart.lines).apply((lines) => lines.map(metricRow)),
    ...(chart.horizontal && { annotations: { horizontal: [chart.horizontal] } }),
  };
}

/** `[namespace, name, dimension, value, ..., { stat, label }]`, or `[{ expression, label, id }]`. */
function metricRow(line: pulumi.Unwrap<ChartMetric | ChartExpression>): unknown[] {
  if ("expression" in line) return [{ expression: line.expression, label: line.label, id: line.id }];
  const options = { stat: line.stat, label: line.label, ...(line.id && { id: line.id }), ...(line.visible === false && { visible: false }) };
  return [line.namespace, line.metricName, ...Object.entries(line.dimensions).flat(), options];
}

function validateArgs(name: string, args: DashboardArgs): void {
  const where = `Dashboard ${name}`;
  limits.requireValid(where, "dashboardName", args.dashboardName, limits.dashboardName);
  if (args.periodSeconds !== undefined) limits.requireValid(where, "periodSeconds", args.periodSeconds, limits.alarmPeriodSeconds);
  limits.requireValid(where, "service.desiredCount", args.service.desiredCount, limits.desiredCount);
  limits.requireValid(where, "service.containerInsights", args.service.containerInsights, limits.containerInsights);
  if (args.alarmArns.length > limits.alarmWidgetMaxAlarms) {
    throw new Error(`${where}: alarmArns holds ${args.alarmArns.length} alarms; an alarm widget shows at most ${limits.alarmWidgetMaxAlarms}`);
  }
  for (const [field, metricName] of Object.entries({ "app.requests": args.app.requests, "app.serverErrors": args.app.serverErrors, "app.pnl": args.app.pnl })) {
    limits.requireValid(where, field, metricName, limits.metricName);
  }
  if (args.app.heartbeat !== undefined) limits.requireValid(where, "app.heartbeat", args.app.heartbeat, limits.metricName);
  limits.requireValid(where, "app.namespace", args.app.namespace, limits.cloudWatchNamespace);
}
