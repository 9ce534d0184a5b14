import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceAttachment } from "./attachment";
import type { ChartMetric, DashboardSection } from "./dashboard";
import * as limits from "./limits";
import { Placement, Reachable, createSecurityGroup } from "./placement";

export interface PostgresDatabaseArgs extends Placement {
  /** RDS instance class, e.g. `db.t4g.small`. */
  instanceClass: string;
  /** PostgreSQL engine version: a major (`17`) or major.minor (`17.4`), 14 to 18. */
  engineVersion: string;
  /** A standby in a second AZ with synchronous replication and automatic failover. */
  multiAz: boolean;
  /** gp3 storage allocated at creation, in GiB (20 to 65536). */
  allocatedStorageGb: number;
  /** Upper bound for storage autoscaling, in GiB; equal to `allocatedStorageGb` turns it off. */
  maxAllocatedStorageGb: number;
  /** Days of automated backups and point-in-time recovery (0 to 35; 0 turns backups off). */
  backupRetentionDays: number;
  /** Refuse `DeleteDBInstance` until this is turned off. */
  deletionProtection: boolean;
  /** Days Performance Insights keeps its data: 0 (off), 7, or a multiple of 31 up to 731. */
  performanceInsightsRetentionDays: number;
  /** Pulumi `protect` on the instance: `pulumi destroy` and replacements fail until it is lifted. */
  protect: boolean;
  /** Name of the database the app uses. */
  databaseName: string;
  /** Master user name the app connects as (not `rdsadmin`). */
  username: string;
  /** Start of the final snapshot's identifier, e.g. `trading-bot-prod-db`: letters, digits and single hyphens. */
  finalSnapshotPrefix: string;
  /**
   * The instance's identifier, e.g. `trading-bot-prod-db`: it names the log group RDS writes to,
   * which is created first. Set once: a later change is ignored (renaming an instance changes
   * its endpoint), so an instance created under another name keeps it; give that name here.
   */
  identifier: string;
  /** Daily backup window, `hh24:mi-hh24:mi` in UTC (30 minutes at least). */
  backupWindow: string;
  /** Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` in UTC, apart from the backup window. */
  maintenanceWindow: string;
  /** Days CloudWatch Logs keeps the PostgreSQL log the instance exports. */
  logRetentionDays: number;
  /**
   * Parameters of the instance's own parameter group (of its engine family).
   * @default log statements slower than 1 s; TLS required (`rds.force_ssl`)
   */
  parameters?: Record<string, string>;
}

/** What the project's parameter group sets: dynamic parameters, in effect without a reboot once the group is the instance's. */
export const defaultPostgresParameters: Readonly<Record<string, string>> = {
  // Slow statements reach the exported log (milliseconds).
  log_min_duration_statement: "1000",
  // The app connects with sslmode=require; the server refuses anything else too.
  "rds.force_ssl": "1",
};

const port = 5432;

/**
 * RDS PostgreSQL for the app: gp3 storage encrypted at rest, private subnets only,
 * reachable only from what the composition lets in, a final snapshot on delete, backup and
 * maintenance windows of its own, a parameter group of its own (so a later parameter needs no
 * group switch and its reboot), and its PostgreSQL log exported to a log group created before
 * it, with the stack's retention (RDS would otherwise create one that never expires).
 * It gives the app `DATABASE_URL` (a Pulumi secret) through `connectionUrl`.
 */
export class PostgresDatabase extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly instance: aws.rds.Instance;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly parameterGroup: aws.rds.ParameterGroup;
  /** `/aws/rds/instance/<identifier>/postgresql`: where the instance exports its log. */
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly logGroupName: pulumi.Output<string>;
  /** Its security group and port, for the composition to let clients in. */
  public readonly network: Reachable;
  /** `host:port` of the instance. */
  public readonly endpoint: pulumi.Output<string>;
  /** `postgresql://user:password@host:5432/db?sslmode=require`, secret. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** Tasks connect at start: they wait for the instance. */
  public readonly waitFor: pulumi.Resource[];
  /** The instance's CPU, connections and free storage, for the stack's dashboard. */
  public readonly dashboardSection: DashboardSection;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:PostgresDatabase", name, args, opts);
    validateArgs(name, args);
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "Private subnets of the trading bot database" },
      { parent: this },
    );
    this.securityGroup = createSecurityGroup(this, name, args.vpcId, "Trading bot PostgreSQL: ingress from the service only");
    this.network = { securityGroupId: this.securityGroup.id, port, protocolName: "PostgreSQL" };
    // RDS master passwords may not contain / @ " or spaces: alphanumeric keeps the URL valid too.
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    const snapshotSuffix = createSnapshotSuffix(this, name, args);
    this.parameterGroup = new aws.rds.ParameterGroup(
      `${name}-parameters`,
      {
        family: limits.postgresParameterGroupFamily(args.engineVersion),
        description: "Trading bot PostgreSQL: the project's own parameters",
        parameters: Object.entries(args.parameters ?? defaultPostgresParameters).map(([parameterName, value]) => ({ name: parameterName, value })),
      },
      { parent: this },
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-postgresql-logs`,
      { name: `/aws/rds/instance/${args.identifier}/postgresql`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    this.logGroupName = this.logGroup.name;
    this.instance = this.createInstance(name, args, subnetGroup, password, snapshotSuffix);
    warnWhenNamedOtherwise(this.instance, args.identifier);
    this.endpoint = pulumi.interpolate`${this.instance.address}:${this.instance.port}`;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgresql://${args.username}:${password.result}@${this.instance.address}:${this.instance.port}/${args.databaseName}?sslmode=require`,
    );
    this.waitFor = [this.instance];
    this.dashboardSection = rdsSection(this.instance);
    this.registerOutputs({ endpoint: this.endpoint, connectionUrl: this.connectionUrl, securityGroupId: this.network.securityGroupId, logGroupName: this.logGroupName });
  }

  private createInstance(
    name: string,
    args: PostgresDatabaseArgs,
    subnetGroup: aws.rds.SubnetGroup,
    password: random.RandomPassword,
    snapshotSuffix: random.RandomId,
  ) {
    return new aws.rds.Instance(
      `${name}-instance`,
      {
        engine: replacedWhenChanged.engine,
        engineVersion: args.engineVersion,
        autoMinorVersionUpgrade: true,
        instanceClass: args.instanceClass,
        multiAz: args.multiAz,
        storageType: "gp3",
        allocatedStorage: args.allocatedStorageGb,
        maxAllocatedStorage: args.maxAllocatedStorageGb,
        storageEncrypted: replacedWhenChanged.storageEncrypted,
        dbName: args.databaseName,
        username: args.username,
        password: password.result,
        port,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [this.network.securityGroupId],
        publiclyAccessible: false,
        identifier: args.identifier,
        parameterGroupName: this.parameterGroup.name,
        backupRetentionPeriod: args.backupRetentionDays,
        backupWindow: args.backupWindow,
        maintenanceWindow: args.maintenanceWindow,
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: pulumi.interpolate`${args.finalSnapshotPrefix}-final-${snapshotSuffix.hex}`,
        performanceInsightsEnabled: args.performanceInsightsRetentionDays > 0,
        performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays > 0 ? args.performanceInsightsRetentionDays : undefined,
        enabledCloudwatchLogsExports: ["postgresql"],
        caCertIdentifier: "rds-ca-rsa2048-g1",
      },
      {
        parent: this,
        protect: args.protect,
        // Its log group exists before it, or RDS creates one that never expires.
        dependsOn: [this.logGroup],
        // Set once: renaming an instance changes its endpoint, and an instance created under
        // Pulumi's generated name must keep it (docs/operations.md, "RDS operations").
        ignoreChanges: ["identifier"],
        // A replacement keeps the identifier, so the old instance goes first (its final snapshot taken).
        deleteBeforeReplace: true,
      },
    );
  }
}

/** CPU, connections and free storage of the instance (AWS/RDS, by its identifier). */
function rdsSection(instance: aws.rds.Instance): DashboardSection {
  const dimensions = { DBInstanceIdentifier: instance.identifier };
  const rds = (metricName: string, stat: ChartMetric["stat"], label: string): ChartMetric => ({ namespace: "AWS/RDS", metricName, dimensions, stat, label });
  return {
    title: "Database (RDS PostgreSQL)",
    charts: [
      { title: "CPU (%)", lines: [rds("CPUUtilization", "Average", "CPU")] },
      { title: "Connections", lines: [rds("DatabaseConnections", "Maximum", "connections")] },
      { title: "Free storage (bytes)", lines: [rds("FreeStorageSpace", "Minimum", "free storage")] },
    ],
  };
}

/**
 * Says so during an update when the instance exists under another identifier (created before
 * the setting): the log group made for the configured name receives nothing.
 */
function warnWhenNamedOtherwise(instance: aws.rds.Instance, identifier: string): void {
  instance.identifier.apply((actual) => {
    if (actual && actual !== identifier) pulumi.log.warn(namedOtherwiseWarning(actual, identifier), instance);
  });
}

export function namedOtherwiseWarning(actual: string, configured: string): string {
  return (
    `the RDS instance is named ${actual}, not ${configured} (it was created before trading-bot:database.identifier): it is kept as it is, ` +
    `and its log goes to /aws/rds/instance/${actual}/postgresql; set trading-bot:database.identifier to ${actual} and adopt that log group (docs/operations.md, "RDS operations")`
  );
}

/** Inputs of the instance that the provider cannot change in place: a change replaces it. */
const replacedWhenChanged = { engine: "postgres", storageEncrypted: true } as const;

/**
 * The final snapshot's suffix: 8 hex digits, new whenever the instance is replaced (its
 * keepers are the inputs that force a new instance) or destroyed and created again, the same
 * otherwise. A fixed name fails the second delete with "snapshot already exists"; a name
 * kept with ignoreChanges would pass the old one on to the replacement.
 */
function createSnapshotSuffix(parent: pulumi.Resource, name: string, args: PostgresDatabaseArgs): random.RandomId {
  return new random.RandomId(
    `${name}-final-snapshot-suffix`,
    {
      byteLength: 4,
      keepers: {
        engine: replacedWhenChanged.engine,
        storageEncrypted: String(replacedWhenChanged.storageEncrypted),
        dbName: args.databaseName,
        username: args.username,
      },
    },
    { parent },
  );
}

function validateArgs(name: string, args: PostgresDatabaseArgs): void {
  limits.requireAll(`PostgresDatabase ${name}`, args, {
    identifier: limits.rdsInstanceIdentifier,
    backupWindow: limits.rdsBackupWindow,
    maintenanceWindow: (value) => limits.rdsMaintenanceWindow(value) ?? limits.rdsWindowsApart(args.backupWindow)(value),
    logRetentionDays: limits.logRetentionDays,
    instanceClass: limits.rdsInstanceClass,
    engineVersion: limits.postgresEngineVersion,
    username: limits.postgresUsername,
    databaseName: limits.postgresIdentifier,
    allocatedStorageGb: limits.gp3StorageGb,
    maxAllocatedStorageGb: limits.maxAllocatedStorageGb(args.allocatedStorageGb),
    backupRetentionDays: limits.backupRetentionDays,
    performanceInsightsRetentionDays: limits.performanceInsightsRetentionDays,
    finalSnapshotPrefix: limits.rdsSnapshotPrefix,
  });
}
