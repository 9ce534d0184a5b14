// The metrics the bot publishes itself: its side of the alarms' contract. The table of docs/configuration.md
// is checked against this list, the task role may publish to this namespace only, and the
// policy pack looks for the heartbeat alarm by these names. No imports: the pack reads it.

/** The CloudWatch namespace of the app's own metrics (the container gets it as METRICS_NAMESPACE). */
export const appMetricsNamespace = "TradingBot";

/** The one dimension of every app metric: the app's ENVIRONMENT. */
export const appMetricsDimension = "Environment";

/** The metric each running bot sends once a minute from its trading loop. */
export const heartbeatMetricName = "Heartbeat";

/** Each app metric's name by what it measures (the alarms' and the dashboard's references). */
export const appMetricNames = { requests: "HttpRequests", serverErrors: "HttpRequests5xx", pnl: "TradingPnl", heartbeat: heartbeatMetricName } as const;

export interface AppMetric {
  name: string;
  /** The CloudWatch unit the app sends it with. */
  unit: "Count" | "None";
  /** What the app sends, and when. */
  meaning: string;
}

export const appMetrics: readonly AppMetric[] = [
  { name: appMetricNames.requests, unit: "Count", meaning: "1 per HTTP request served (the alarms read its Sum a minute)" },
  { name: appMetricNames.serverErrors, unit: "Count", meaning: "1 per request answered with a 5xx status" },
  { name: appMetricNames.pnl, unit: "None", meaning: "the cumulative profit and loss in USD, at least once a minute while trading" },
  {
    name: heartbeatMetricName,
    unit: "Count",
    meaning: "1 every minute from each task's trading loop (not from the HTTP server: a loop that hangs while /health answers stops it)",
  },
];
