// In-process tests of the RDS instance rules.
import * as rds from "../../policies/rules/rdsInstance";
import { describeResourceRule, describeStackRule, resource, unknown } from "./harness";

const base = {
  multiAz: true,
  storageEncrypted: true,
  publiclyAccessible: false,
  deletionProtection: true,
  skipFinalSnapshot: false,
  backupRetentionPeriod: 14,
  performanceInsightsEnabled: true,
};
const withProps = (props: Record<string, unknown>) => ({ ...base, ...props });
const without = (key: keyof typeof base) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

/** A flag rule: its wanted value passes as a boolean or a string, anything else is refused with `why`. */
function flagCases(property: keyof typeof base, want: boolean, why: string, unsetPasses: boolean) {
  const refused = (value: unknown) => [`${property} is ${value}; ${why}`];
  return [
    { what: `${property} ${want}`, props: withProps({ [property]: want }), expect: [] },
    { what: `${property} "${want}"`, props: withProps({ [property]: String(want) }), expect: [] },
    { what: `${property} ${!want}`, props: withProps({ [property]: !want }), expect: refused(!want) },
    { what: `${property} "${!want}"`, props: withProps({ [property]: String(!want) }), expect: refused(!want) },
    { what: `${property} unset`, props: without(property), expect: unsetPasses ? [] : refused("unset") },
  ];
}

describe("RDS instance rules, in-process", () => {
  describeResourceRule(rds.multiAz, {
    cases: flagCases("multiAz", true, "production needs a standby in a second AZ", false),
    unknown: [{ path: "multiAz", props: base }],
  });
  describeResourceRule(rds.storageEncrypted, {
    cases: flagCases("storageEncrypted", true, "production data is encrypted at rest", false),
    unknown: [{ path: "storageEncrypted", props: base }],
  });
  describeResourceRule(rds.notPublic, {
    cases: flagCases("publiclyAccessible", false, "the database is reachable from inside the VPC only", true),
    unknown: [{ path: "publiclyAccessible", props: base }],
  });
  describeResourceRule(rds.deletionProtection, {
    cases: flagCases("deletionProtection", true, "production refuses DeleteDBInstance until it is turned off", false),
    unknown: [{ path: "deletionProtection", props: base }],
  });
  describeResourceRule(rds.performanceInsights, {
    cases: flagCases("performanceInsightsEnabled", true, "production keeps Performance Insights to diagnose slow queries", false),
    unknown: [{ path: "performanceInsightsEnabled", props: base }],
  });

  const snapshotMessage = "skipFinalSnapshot is true; deleting the production database must leave a final snapshot";
  describeResourceRule(rds.finalSnapshot, {
    cases: [
      { what: "skipFinalSnapshot false", props: base, expect: [] },
      { what: "skipFinalSnapshot unset (the provider's false)", props: without("skipFinalSnapshot"), expect: [] },
      { what: "skipFinalSnapshot true", props: withProps({ skipFinalSnapshot: true }), expect: [snapshotMessage] },
      { what: 'skipFinalSnapshot "TRUE"', props: withProps({ skipFinalSnapshot: "TRUE" }), expect: [snapshotMessage] },
    ],
    unknown: [{ path: "skipFinalSnapshot", props: base }],
  });

  describeResourceRule(rds.backupRetention, {
    cases: [
      { what: "7 days", props: withProps({ backupRetentionPeriod: 7 }), expect: [] },
      { what: "35 days", props: withProps({ backupRetentionPeriod: 35 }), expect: [] },
      { what: "6 days", props: withProps({ backupRetentionPeriod: 6 }), expect: ["backupRetentionPeriod is 6; production keeps at least 7 days of backups"] },
      { what: "0 days (no backups)", props: withProps({ backupRetentionPeriod: 0 }), expect: ["backupRetentionPeriod is 0; production keeps at least 7 days of backups"] },
      { what: "unset", props: without("backupRetentionPeriod"), expect: ["backupRetentionPeriod is unset; production keeps at least 7 days of backups"] },
      { what: 'a period that is not a number ("14")', props: withProps({ backupRetentionPeriod: "14" }), expect: ["backupRetentionPeriod is 14; production keeps at least 7 days of backups"] },
      { what: "13 days when 14 are configured", props: withProps({ backupRetentionPeriod: 13 }), config: { minimumDays: 14 },
        expect: ["backupRetentionPeriod is 13; production keeps at least 14 days of backups"] },
      { what: "14 days when 14 are configured", props: base, config: { minimumDays: 14 }, expect: [] },
    ],
    unknown: [{ path: "backupRetentionPeriod", props: base }],
  });

  describeResourceRule(rds.protectedInstance, {
    cases: [
      { what: "a protected instance", props: base, protect: true, expect: [] },
      { what: "an unprotected instance", props: base, protect: false,
        expect: ["the instance is not protected; set protect on it so no pulumi up or destroy can delete it"] },
    ],
    unknown: [],
  });

  const windowsBase = { backupWindow: "04:00-04:30", maintenanceWindow: "sun:05:00-sun:05:30" };
  describeResourceRule(rds.windows, {
    cases: [
      { what: "04:00-04:30 and sun:05:00-sun:05:30", props: windowsBase, expect: [] },
      { what: "windows that touch but do not overlap", props: { backupWindow: "04:00-04:30", maintenanceWindow: "mon:04:30-mon:05:00" }, expect: [] },
      { what: "no windows (RDS picks them)", props: {},
        expect: ["backupWindow is unset and maintenanceWindow is unset; production chooses both (RDS otherwise picks them at random, trading hours included)"] },
      { what: "no maintenance window", props: { backupWindow: "04:00-04:30" },
        expect: ["backupWindow is 04:00-04:30 and maintenanceWindow is unset; production chooses both (RDS otherwise picks them at random, trading hours included)"] },
      { what: "overlapping windows", props: { backupWindow: "04:00-04:30", maintenanceWindow: "wed:04:15-wed:04:45" },
        expect: ["backupWindow is 04:00-04:30 and maintenanceWindow is wed:04:15-wed:04:45; allowed: a maintenance window apart from the daily backup window 04:00-04:30 (RDS refuses them overlapping)"] },
      { what: "a backup window RDS refuses", props: { backupWindow: "4-5", maintenanceWindow: "sun:05:00-sun:05:30" },
        expect: ["backupWindow is 4-5 and maintenanceWindow is sun:05:00-sun:05:30; allowed: hh24:mi-hh24:mi in UTC, at least 30 minutes, e.g. 04:00-04:30"] },
      { what: "a maintenance window RDS refuses", props: { backupWindow: "04:00-04:30", maintenanceWindow: "sunday" },
        expect: ["backupWindow is 04:00-04:30 and maintenanceWindow is sunday; allowed: ddd:hh24:mi-ddd:hh24:mi in UTC, 30 minutes to a day, e.g. sun:05:00-sun:05:30"] },
    ],
    unknown: [{ path: "backupWindow", props: windowsBase }, { path: "maintenanceWindow", props: windowsBase }],
  });

  describeResourceRule(rds.logExports, {
    cases: [
      { what: "PostgreSQL exporting postgresql", props: { engine: "postgres", enabledCloudwatchLogsExports: ["postgresql"] }, expect: [] },
      { what: "PostgreSQL exporting postgresql and upgrade", props: { engine: "postgres", enabledCloudwatchLogsExports: ["upgrade", "postgresql"] }, expect: [] },
      { what: "MySQL exporting error", props: { engine: "mysql", enabledCloudwatchLogsExports: ["error"] }, expect: [] },
      { what: "no export", props: { engine: "postgres" },
        expect: ["enabledCloudwatchLogsExports is null; production exports the postgresql log, kept for a set retention"] },
      { what: "the upgrade log only", props: { engine: "postgres", enabledCloudwatchLogsExports: ["upgrade"] },
        expect: ['enabledCloudwatchLogsExports is ["upgrade"]; production exports the postgresql log, kept for a set retention'] },
      { what: "an empty list", props: { engine: "postgres", enabledCloudwatchLogsExports: [] },
        expect: ["enabledCloudwatchLogsExports is []; production exports the postgresql log, kept for a set retention"] },
    ],
    unknown: [
      { path: "engine", props: { engine: "postgres", enabledCloudwatchLogsExports: ["postgresql"] } },
      { path: "enabledCloudwatchLogsExports", props: { engine: "postgres", enabledCloudwatchLogsExports: ["postgresql"] } },
    ],
  });

  const RDS = "aws:rds/instance:Instance";
  const GROUP = "aws:rds/parameterGroup:ParameterGroup";
  const group = resource(GROUP, "trading-bot-db-parameters", { name: "trading-bot-db-parameters-3f1c2e7" });
  const instance = (name: unknown, dependencies?: Record<string, string[]>) => resource(RDS, "trading-bot-db-instance", name === undefined ? {} : { parameterGroupName: name }, dependencies);
  const defaultGroup = (name: string) => [{
    urn: instance(name).urn,
    message: `parameterGroupName is ${name} (a default group); production gives the instance its own, so a later parameter needs no switch of group and its reboot`,
  }];
  describeStackRule(rds.ownParameterGroup, {
    cases: [
      { what: "the stack's own group, by name", resources: [group, instance("trading-bot-db-parameters-3f1c2e7")], expect: [] },
      { what: "the stack's own group by recorded dependency while its name is unknown at preview",
        resources: [resource(GROUP, "trading-bot-db-parameters", { name: unknown }), instance(unknown, { parameterGroupName: [group.urn] })], expect: [] },
      { what: "a group of another stack (not a default one)", resources: [instance("shared-postgres17")], expect: [] },
      { what: "no RDS instance", resources: [group], expect: [] },
      { what: "the default group", resources: [group, instance("default.postgres17")], expect: defaultGroup("default.postgres17") },
      { what: "no group at all (RDS's default)", resources: [instance(undefined)],
        expect: [{ urn: instance(undefined).urn, message: "parameterGroupName is unset (a default group); production gives the instance its own, so a later parameter needs no switch of group and its reboot" }] },
    ],
    unknown: [
      { what: "no recorded dependency to decide", resources: [group, instance("trading-bot-db-parameters-3f1c2e7")], name: "trading-bot-db-instance", path: "parameterGroupName" },
      { what: "the group's name", resources: [group, instance("trading-bot-db-parameters-3f1c2e7")], name: "trading-bot-db-parameters", path: "name" },
    ],
  });
});
