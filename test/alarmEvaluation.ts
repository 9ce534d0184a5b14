// A small model of how CloudWatch evaluates a metric alarm, as AWS documents it, for the tests
// that feed the stacks' alarms per-minute series:
//   Amazon CloudWatch User Guide, "Alarm evaluation" (docs.aws.amazon.com/AmazonCloudWatch/
//   latest/monitoring/alarm-evaluation.html) and "Configuring how CloudWatch alarms treat
//   missing data" (.../alarms-and-missing-data.html), with its section "Avoiding premature
//   transitions to alarm state"; PutMetricAlarm (DatapointsToAlarm, EvaluationPeriods).
// The documented rules, each below where it applies:
//   - every evaluation retrieves more datapoints than Evaluation Periods (N): the evaluation
//     range. Its length is not documented (the examples use 5 for N = 3), so it is a parameter
//     and the tests hold for a span of lengths;
//   - with at least N real datapoints in the range, the N most recent real ones are evaluated
//     and the missing-data treatment is not used;
//   - with fewer, the missing ones are filled by the treatment, as few as possible (N minus the
//     real ones), every real datapoint of the range counting;
//   - M (Datapoints to Alarm) of those N breaching: ALARM, else OK;
//   - missing: all of the range missing is INSUFFICIENT_DATA; ignore: the state is kept;
//   - premature transition: with missing or ignore, when the oldest breaching datapoint is at
//     least M periods old and every more recent one is breaching or missing, ALARM (missing) or
//     the state kept (ignore), even with fewer than M datapoints. The documented 2-of-3 row
//     "0 - X - -" stays OK, so a non-breaching datapoint anywhere in the range prevents it.
import type { ComparisonOperator, MissingDataTreatment } from "../infra/limits";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmDefinition {
  comparison: ComparisonOperator;
  threshold: number;
  /** N */
  evaluationPeriods: number;
  /** M */
  datapointsToAlarm: number;
  treatMissingData: MissingDataTreatment;
}

export function breaches(alarm: Pick<AlarmDefinition, "comparison" | "threshold">, value: number): boolean {
  switch (alarm.comparison) {
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= alarm.threshold;
  }
}

/**
 * One evaluation: `range` holds the evaluation range's datapoints, oldest first, null where
 * one is missing; `current` is the alarm's state before it.
 */
export function evaluate(alarm: AlarmDefinition, range: (number | null)[], current: AlarmState): AlarmState {
  const { evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: treatment } = alarm;
  // Real datapoints with their age in periods (0: the newest of the range), oldest first.
  const real = range.flatMap((value, index) => (value === null ? [] : [{ breaching: breaches(alarm, value), age: range.length - 1 - index }]));
  if (real.length >= n) return verdict(real.slice(-n).filter((p) => p.breaching).length, m);
  const breaching = real.filter((p) => p.breaching).length;
  const filled = n - real.length;
  if (treatment === "breaching") return verdict(breaching + filled, m);
  if (treatment === "notBreaching") return verdict(breaching, m);
  // missing and ignore: the filled datapoints count for nothing.
  const keep = treatment === "ignore";
  if (real.length === 0) return keep ? current : "INSUFFICIENT_DATA";
  if (breaching >= m) return "ALARM";
  if (breaching < real.length) return "OK";
  const oldest = real[0];
  if (oldest.age + 1 >= m) return keep ? current : "ALARM";
  return keep ? current : "INSUFFICIENT_DATA";
}

const verdict = (breaching: number, m: number): AlarmState => (breaching >= m ? "ALARM" : "OK");

/** One datapoint of a per-minute series: its value (null: never sent) and how many minutes late it arrives. */
export interface Datapoint {
  value: number | null;
  lateMinutes?: number;
}

/**
 * The alarm evaluated at the end of every minute of `series` (one period a minute) once a whole
 * range of it exists (the series starts with the metric already flowing): at minute t the range
 * holds minutes t - rangeLength + 1 .. t, each as far as it has arrived by then.
 */
export function simulate(alarm: AlarmDefinition, series: Datapoint[], rangeLength: number, initial: AlarmState = "INSUFFICIENT_DATA"): AlarmState[] {
  const states: AlarmState[] = [];
  let state = initial;
  for (let t = rangeLength - 1; t < series.length; t++) {
    const range: (number | null)[] = [];
    for (let minute = t - rangeLength + 1; minute <= t; minute++) {
      const point = series[minute];
      range.push(point && point.value !== null && minute + (point.lateMinutes ?? 0) <= t ? point.value : null);
    }
    state = evaluate(alarm, range, state);
    states.push(state);
  }
  return states;
}
