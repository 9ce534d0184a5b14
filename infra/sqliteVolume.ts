import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IamStatement, ServiceAttachment } from "./attachment";
import type { ChartMetric, DashboardSection } from "./dashboard";
import * as limits from "./limits";
import { Placement, Reachable, createSecurityGroup } from "./placement";

export interface SqliteVolumeArgs extends Placement {
  /** How many AZs (and so mount targets, one in each of the first subnets) to serve; 1 or more. */
  availabilityZoneCount: number;
  /** Turn on the EFS automatic backup policy (AWS Backup, daily, 35-day retention). */
  dailyBackup: boolean;
  /** Where the app container mounts the volume, an absolute path, e.g. `/data`. */
  mountPath: string;
  /** SQLite file name inside the mount, e.g. `trading.db`. */
  databaseFileName: string;
}

const nfsPort = 2049;
const volumeName = "sqlite-data";
/** The app (and the db tool's image, packages/db/Dockerfile) runs as this uid/gid inside its own directory of the file system. */
export const appUser = { uid: 1000, gid: 1000 };

/**
 * The SQLite stand-in for a database: an encrypted EFS file system, reached only over
 * TLS through an access point, mounted in the app container. SQLite on EFS wants a
 * single writer, so it suits one task (the stack config schema enforces that).
 */
export class SqliteVolume extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly fileSystem: aws.efs.FileSystem;
  public readonly accessPoint: aws.efs.AccessPoint;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** Its security group and port, for the composition to let clients in. */
  public readonly network: Reachable;
  /** `sqlite:////data/trading.db`. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** The file system's DNS name. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly volumes: aws.types.input.ecs.TaskDefinitionVolume[];
  public readonly mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  public readonly taskRoleStatements: IamStatement[];
  /** A task mounts the volume at start: it waits for a mount target in every AZ and the TLS-only policy. */
  public readonly waitFor: pulumi.Resource[];
  /** The file system's size, clients, I/O and burst credits, for the stack's dashboard. */
  public readonly dashboardSection: DashboardSection;

  constructor(name: string, args: SqliteVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:SqliteVolume", name, args, opts);
    validateArgs(name, args);
    this.securityGroup = createSecurityGroup(this, name, args.vpcId, "Trading bot SQLite volume (EFS): NFS from the service only");
    this.network = { securityGroupId: this.securityGroup.id, port: nfsPort, protocolName: "NFS" };
    this.fileSystem = new aws.efs.FileSystem(
      `${name}-fs`,
      { encrypted: true, performanceMode: "generalPurpose", throughputMode: "bursting" },
      { parent: this },
    );
    new aws.efs.BackupPolicy(
      `${name}-backup`,
      { fileSystemId: this.fileSystem.id, backupPolicy: { status: args.dailyBackup ? "ENABLED" : "DISABLED" } },
      { parent: this },
    );
    const tlsOnly = this.requireTls(name);
    const mountTargets = this.createMountTargets(name, args);
    this.accessPoint = this.createAccessPoint(name);

    this.volumes = [
      {
        name: volumeName,
        efsVolumeConfiguration: {
          fileSystemId: this.fileSystem.id,
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: this.accessPoint.id, iam: "ENABLED" },
        },
      },
    ];
    this.mountPoints = [{ sourceVolume: volumeName, containerPath: args.mountPath, readOnly: false }];
    this.taskRoleStatements = [
      {
        Sid: "MountSqliteVolume",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [this.fileSystem.arn],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": this.accessPoint.arn } },
      },
    ];
    this.waitFor = [...mountTargets, this.accessPoint, tlsOnly];
    this.connectionUrl = pulumi.output(`sqlite:///${args.mountPath}/${args.databaseFileName}`);
    this.endpoint = this.fileSystem.dnsName;
    this.dashboardSection = efsSection(this.fileSystem);
    this.registerOutputs({ connectionUrl: this.connectionUrl, endpoint: this.endpoint, securityGroupId: this.network.securityGroupId });
  }

  /** Refuses every request that does not arrive over TLS. */
  private requireTls(name: string): aws.efs.FileSystemPolicy {
    return new aws.efs.FileSystemPolicy(
      `${name}-tls-only`,
      {
        fileSystemId: this.fileSystem.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyUnencryptedTransport",
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "*",
              Resource: this.fileSystem.arn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      { parent: this },
    );
  }

  private createMountTargets(name: string, args: SqliteVolumeArgs): aws.efs.MountTarget[] {
    return Array.from({ length: args.availabilityZoneCount }, (_, az) =>
      new aws.efs.MountTarget(
        `${name}-mount-${az + 1}`,
        {
          fileSystemId: this.fileSystem.id,
          subnetId: pulumi.output(args.subnetIds).apply((ids) => ids[az]),
          securityGroups: [this.network.securityGroupId],
        },
        { parent: this },
      ),
    );
  }

  private createAccessPoint(name: string): aws.efs.AccessPoint {
    return new aws.efs.AccessPoint(
      `${name}-ap`,
      {
        fileSystemId: this.fileSystem.id,
        posixUser: appUser,
        rootDirectory: { path: "/trading-bot", creationInfo: { ownerUid: appUser.uid, ownerGid: appUser.gid, permissions: "0750" } },
      },
      { parent: this },
    );
  }
}

/** The SQLite file's volume (AWS/EFS, by file system id): its size, clients, I/O limit and burst credits. */
function efsSection(fileSystem: aws.efs.FileSystem): DashboardSection {
  const efs = (metricName: string, stat: ChartMetric["stat"], label: string, extra: Record<string, string> = {}): ChartMetric => ({
    namespace: "AWS/EFS",
    metricName,
    dimensions: { FileSystemId: fileSystem.id, ...extra },
    stat,
    label,
  });
  return {
    title: "Database (SQLite on EFS)",
    charts: [
      { title: "Stored (bytes)", lines: [efs("StorageBytes", "Average", "stored", { StorageClass: "Total" })] },
      { title: "Client connections", lines: [efs("ClientConnections", "Sum", "connections")] },
      { title: "I/O limit used (%)", lines: [efs("PercentIOLimit", "Maximum", "I/O limit")] },
      // Bursting throughput: when the credits run out, reads and writes slow to the baseline.
      { title: "Burst credits (bytes)", lines: [efs("BurstCreditBalance", "Minimum", "burst credits")] },
    ],
  };
}

function validateArgs(name: string, args: SqliteVolumeArgs): void {
  limits.requireAll(`SqliteVolume ${name}`, args, {
    availabilityZoneCount: limits.availabilityZoneCount,
    mountPath: limits.absolutePath,
    databaseFileName: limits.fileName,
  });
}
