// Production invariants of the RDS instance: it survives an AZ, keeps its data encrypted
// and recoverable, cannot be deleted by accident, and is operated on purpose: its own windows,
// its own parameter group, its log exported.
import { rdsBackupWindow, rdsMaintenanceWindow, rdsWindowsApart } from "../../infra/limits";
import { anyRefersTo } from "../references";
import { ResourceRule, StackRule, isTrue, productionRule } from "../rule";

const RDS = "aws:rds/instance:Instance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";

/** A rule that wants a boolean property to be `want`. */
function flagRule(name: string, description: string, property: string, want: boolean, anchors: string[], why: string): ResourceRule {
  return productionRule(RDS, {
    name,
    description,
    reads: [property],
    required: String(want),
    anchors,
    check(props) {
      const value = props[property];
      if (isTrue(value) === want) return [];
      return [`${property} is ${value ?? "unset"}; ${why}`];
    },
  });
}

export const multiAz = flagRule(
  "rds-multi-az",
  "The production database has a standby in a second AZ",
  "multiAz",
  true,
  ["cdk-nag AwsSolutions-RDS3", "Checkov CKV_AWS_157"],
  "production needs a standby in a second AZ",
);

export const storageEncrypted = flagRule(
  "rds-storage-encrypted",
  "The production database encrypts its storage, backups and snapshots",
  "storageEncrypted",
  true,
  ["cdk-nag AwsSolutions-RDS2", "Checkov CKV_AWS_16", "awsguard rds-storage-encrypted"],
  "production data is encrypted at rest",
);

export const notPublic = flagRule(
  "rds-not-public",
  "The production database has no public endpoint",
  "publiclyAccessible",
  false,
  ["Checkov CKV_AWS_17", "awsguard rds-instance-public-access-check"],
  "the database is reachable from inside the VPC only",
);

export const deletionProtection = flagRule(
  "rds-deletion-protection",
  "The production database refuses deletion until protection is lifted",
  "deletionProtection",
  true,
  ["cdk-nag AwsSolutions-RDS10", "Checkov CKV_AWS_293"],
  "production refuses DeleteDBInstance until it is turned off",
);

export const performanceInsights = flagRule(
  "rds-performance-insights",
  "The production database records Performance Insights",
  "performanceInsightsEnabled",
  true,
  ["Checkov CKV_AWS_353"],
  "production keeps Performance Insights to diagnose slow queries",
);

export const finalSnapshot = productionRule(RDS, {
  name: "rds-final-snapshot",
  description: "Deleting the production database leaves a final snapshot",
  reads: ["skipFinalSnapshot"],
  required: "false",
  anchors: [],
  check(props) {
    if (!isTrue(props.skipFinalSnapshot)) return [];
    return ["skipFinalSnapshot is true; deleting the production database must leave a final snapshot"];
  },
});

export const backupRetention = productionRule(RDS, {
  name: "rds-backup-retention",
  description: "The production database keeps a week of backups and point-in-time recovery",
  reads: ["backupRetentionPeriod"],
  required: ">= 7 days",
  anchors: ["cdk-nag AwsSolutions-RDS13", "Checkov CKV_AWS_133", "awsguard rds-instance-backup-enabled"],
  config: { minimumDays: { type: "integer", default: 7, minimum: 1, maximum: 35 } },
  check(props, { config }) {
    const days = props.backupRetentionPeriod;
    if (typeof days === "number" && days >= config.minimumDays) return [];
    return [`backupRetentionPeriod is ${days ?? "unset"}; production keeps at least ${config.minimumDays} days of backups`];
  },
});

export const protectedInstance = productionRule(RDS, {
  name: "rds-protected",
  description: "Pulumi refuses to delete or replace the production database",
  reads: [],
  readsOptions: ["protect"],
  required: "true",
  anchors: [],
  check(_props, { protect }) {
    if (protect) return [];
    return ["the instance is not protected; set protect on it so no pulumi up or destroy can delete it"];
  },
});

export const windows = productionRule(RDS, {
  name: "rds-windows",
  description: "The production database backs up and is patched in windows chosen for it, apart from each other",
  reads: ["backupWindow", "maintenanceWindow"],
  required: "backupWindow and maintenanceWindow set, valid and not overlapping",
  anchors: [],
  check(props) {
    const { backupWindow, maintenanceWindow } = props;
    if (backupWindow === undefined || maintenanceWindow === undefined) {
      return [`backupWindow is ${backupWindow ?? "unset"} and maintenanceWindow is ${maintenanceWindow ?? "unset"}; production chooses both (RDS otherwise picks them at random, trading hours included)`];
    }
    const problem = rdsBackupWindow(backupWindow) ?? rdsMaintenanceWindow(maintenanceWindow) ?? rdsWindowsApart(backupWindow)(maintenanceWindow);
    return problem ? [`backupWindow is ${backupWindow} and maintenanceWindow is ${maintenanceWindow}; ${problem}`] : [];
  },
});

/** The log types RDS exports per engine; production exports at least its engine's main log. */
const mainLog: Record<string, string> = { postgres: "postgresql", mysql: "error", mariadb: "error" };

export const logExports = productionRule(RDS, {
  name: "rds-log-exports",
  description: "The production database exports its log to CloudWatch Logs",
  reads: ["engine", "enabledCloudwatchLogsExports"],
  required: "enabledCloudwatchLogsExports holds the engine's log (postgresql for PostgreSQL)",
  anchors: ["Checkov CKV_AWS_129"],
  check(props) {
    const wanted = mainLog[props.engine] ?? "postgresql";
    const exported: unknown[] = Array.isArray(props.enabledCloudwatchLogsExports) ? props.enabledCloudwatchLogsExports : [];
    if (exported.includes(wanted)) return [];
    return [`enabledCloudwatchLogsExports is ${JSON.stringify(props.enabledCloudwatchLogsExports ?? null)}; production exports the ${wanted} log, kept for a set retention`];
  },
});

export const ownParameterGroup: StackRule = {
  kind: "stack",
  name: "rds-parameter-group",
  description: "The production database uses a parameter group of its own, not a default one",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: { [RDS]: ["parameterGroupName"], [PARAMETER_GROUP]: ["name"] },
  required: "parameterGroupName: a parameter group of the stack, or any group not named default.*",
  anchors: [],
  check(resources) {
    const groups = resources.filter((r) => r.type === PARAMETER_GROUP);
    return resources
      .filter((r) => r.type === RDS)
      .filter((instance) => !anyRefersTo([instance], "parameterGroupName", groups, ["name"]))
      .filter((instance) => {
        const name: unknown = instance.props.parameterGroupName;
        return typeof name !== "string" || name.startsWith("default.");
      })
      .map((instance) => ({
        urn: instance.urn,
        message: `parameterGroupName is ${instance.props.parameterGroupName ?? "unset"} (a default group); production gives the instance its own, so a later parameter needs no switch of group and its reboot`,
      }));
  },
};
