// AWS service limits and enumerations that both the stack config schema and the
// components check, so a bad value fails before anything reaches AWS. Sources: the ECS
// task definition, CloudWatch Logs PutRetentionPolicy, RDS, ElastiCache and CloudWatch
// API references. No Pulumi imports here: the schema loads this without the SDKs.

export const natGatewayStrategies = ["None", "Single", "OnePerAz"] as const;
export type NatGatewayStrategy = (typeof natGatewayStrategies)[number];

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

export const comparisonOperators = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export const metricStatistics = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"] as const;
export type MetricStatistic = (typeof metricStatistics)[number];

export const missingDataTreatments = ["breaching", "notBreaching", "ignore", "missing"] as const;
export type MissingDataTreatment = (typeof missingDataTreatments)[number];

/** Fargate task CPU units and, for each, the memory sizes (MiB) it may be paired with. */
export const fargateMemoryMiBByCpu: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

export const fargateCpuUnits: readonly number[] = Object.keys(fargateMemoryMiBByCpu).map(Number);

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const logRetentionDaysAllowed: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
];

/** RDS instance classes of the families that run PostgreSQL: db.<family>.<size>. */
export const rdsInstanceClassPattern =
  /^db\.(t3|t4g|m5|m5d|m6g|m6gd|m6i|m6id|m7g|m7i|m8g|r5|r5d|r6g|r6gd|r6i|r6id|r7g|r7i|r8g|x2g)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/;

/** ElastiCache node types: cache.<family>.<size>. */
export const cacheNodeTypePattern =
  /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r6gd|r7g|c7gn)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/;

/** Performance Insights retention: 7 days (free tier) or a multiple of 31 up to 731. */
export function isPerformanceInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
}

/** Days Secrets Manager waits before deleting a secret: 0 (at once) or 7 to 30. */
export function isSecretRecoveryWindow(days: number): boolean {
  return days === 0 || (Number.isInteger(days) && days >= 7 && days <= 30);
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
