import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceAttachment } from "./attachment";
import { isPerformanceInsightsRetention, rdsInstanceClassPattern } from "./awsLimits";

export interface PostgresDatabaseArgs {
  /** VPC of the component's security group. */
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ, for the DB subnet group. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** RDS instance class, e.g. `db.t4g.small`. */
  instanceClass: string;
  /** PostgreSQL engine version: a major (`17`) or major.minor (`17.4`). */
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
  /** Keep Performance Insights (Database Insights standard) data for this many days; 0 turns it off. */
  performanceInsightsRetentionDays: number;
  /** Pulumi `protect` on the instance: `pulumi destroy` and replacements fail until it is lifted. */
  protect: boolean;
  /** Name of the database the app uses. */
  databaseName: string;
  /** Master user name the app connects as. */
  username: string;
}

/**
 * RDS PostgreSQL for the app: gp3 storage encrypted at rest, private subnets only,
 * reachable only from the service's security group, a final snapshot on delete.
 * It gives the app `DATABASE_URL` (a Pulumi secret) through `connectionUrl`.
 */
export class PostgresDatabase extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly instance: aws.rds.Instance;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** `host:port` of the instance. */
  public readonly endpoint: pulumi.Output<string>;
  /** `postgresql://user:password@host:5432/db?sslmode=require`, secret. */
  public readonly connectionUrl: pulumi.Output<string>;

  private readonly port = 5432;
  private readonly resourceName: string;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:PostgresDatabase", name, {}, opts);
    this.resourceName = name;
    validate(name, args);

    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "Private subnets of the trading bot database" },
      { parent: this },
    );
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Trading bot PostgreSQL: ingress from the service only" },
      { parent: this },
    );
    // RDS master passwords may not contain / @ " or spaces: alphanumeric keeps the URL valid too.
    const password = new random.RandomPassword(
      `${name}-password`,
      { length: 32, special: false },
      { parent: this },
    );

    this.instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        engine: "postgres",
        engineVersion: args.engineVersion,
        autoMinorVersionUpgrade: true,
        instanceClass: args.instanceClass,
        multiAz: args.multiAz,
        storageType: "gp3",
        allocatedStorage: args.allocatedStorageGb,
        maxAllocatedStorage: args.maxAllocatedStorageGb,
        storageEncrypted: true,
        dbName: args.databaseName,
        username: args.username,
        password: password.result,
        port: this.port,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [this.securityGroup.id],
        publiclyAccessible: false,
        backupRetentionPeriod: args.backupRetentionDays,
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${name}-final`,
        performanceInsightsEnabled: args.performanceInsightsRetentionDays > 0,
        performanceInsightsRetentionPeriod:
          args.performanceInsightsRetentionDays > 0 ? args.performanceInsightsRetentionDays : undefined,
        enabledCloudwatchLogsExports: ["postgresql"],
        caCertIdentifier: "rds-ca-rsa2048-g1",
      },
      { parent: this, protect: args.protect },
    );

    this.endpoint = pulumi.interpolate`${this.instance.address}:${this.instance.port}`;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgresql://${args.username}:${password.result}@${this.instance.address}:${this.instance.port}/${args.databaseName}?sslmode=require`,
    );

    this.registerOutputs({ endpoint: this.endpoint, connectionUrl: this.connectionUrl });
  }

  allowIngressFrom(sourceSecurityGroupId: pulumi.Input<string>): void {
    new aws.vpc.SecurityGroupIngressRule(
      `${this.resourceName}-from-service`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: sourceSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: this.port,
        toPort: this.port,
        description: "PostgreSQL from the trading bot service",
      },
      { parent: this },
    );
  }
}

function validate(name: string, args: PostgresDatabaseArgs): void {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new Error(`PostgresDatabase ${name}: ${field} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  };
  if (!rdsInstanceClassPattern.test(args.instanceClass)) {
    fail("instanceClass", args.instanceClass, "an RDS class such as db.t4g.small");
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(args.username) || args.username === "rdsadmin") {
    fail("username", args.username, "lower-case letters, digits and _, starting with a letter (not rdsadmin)");
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(args.databaseName)) {
    fail("databaseName", args.databaseName, "lower-case letters, digits and _, starting with a letter");
  }
  if (!Number.isInteger(args.allocatedStorageGb) || args.allocatedStorageGb < 20 || args.allocatedStorageGb > 65536) {
    fail("allocatedStorageGb", args.allocatedStorageGb, "20 to 65536 (gp3)");
  }
  if (args.maxAllocatedStorageGb < args.allocatedStorageGb || args.maxAllocatedStorageGb > 65536) {
    fail("maxAllocatedStorageGb", args.maxAllocatedStorageGb, `${args.allocatedStorageGb} (allocatedStorageGb) to 65536`);
  }
  if (!Number.isInteger(args.backupRetentionDays) || args.backupRetentionDays < 0 || args.backupRetentionDays > 35) {
    fail("backupRetentionDays", args.backupRetentionDays, "0 to 35");
  }
  const pi = args.performanceInsightsRetentionDays;
  if (pi !== 0 && !isPerformanceInsightsRetention(pi)) {
    fail("performanceInsightsRetentionDays", pi, "0 (off), 7, or a multiple of 31 up to 731");
  }
}
