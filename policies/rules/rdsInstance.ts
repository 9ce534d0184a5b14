// Production invariants of the RDS instance: it survives an AZ, keeps its data encrypted
// and recoverable, and cannot be deleted by accident.
import { ResourceRule, isTrue, productionRule } from "../rule";

const RDS = "aws:rds/instance:Instance";

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
