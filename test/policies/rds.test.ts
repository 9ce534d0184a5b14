// In-process tests of the RDS instance rules.
import * as rds from "../../policies/rules/rdsInstance";
import { describeResourceRule } from "./harness";

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
});
