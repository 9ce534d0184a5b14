import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IamStatement, ServiceAttachment } from "./attachment";

export interface SqliteVolumeArgs {
  /** VPC of the component's security group. */
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ; a mount target is made in each of the first `availabilityZoneCount`. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** How many AZs (and so mount targets) to serve. */
  availabilityZoneCount: number;
  /** Turn on the EFS automatic backup policy (AWS Backup, daily, 35-day retention). */
  dailyBackup: boolean;
  /** Where the app container mounts the volume, e.g. `/data`. */
  mountPath: string;
  /** SQLite file name inside the mount, e.g. `trading.db`. */
  databaseFileName: string;
}

/**
 * The SQLite stand-in for a database: an encrypted EFS file system, reached only over
 * TLS through an access point, mounted in the app container. SQLite on EFS wants a
 * single writer, so it suits one task (the stack config schema enforces that).
 */
export class SqliteVolume extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly fileSystem: aws.efs.FileSystem;
  public readonly accessPoint: aws.efs.AccessPoint;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** `sqlite:////data/trading.db`. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** The file system's DNS name. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly volumes: aws.types.input.ecs.TaskDefinitionVolume[];
  public readonly mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  public readonly taskRoleStatements: IamStatement[];

  private readonly resourceName: string;

  constructor(name: string, args: SqliteVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:SqliteVolume", name, {}, opts);
    this.resourceName = name;
    if (!Number.isInteger(args.availabilityZoneCount) || args.availabilityZoneCount < 1) {
      throw new Error(`SqliteVolume ${name}: availabilityZoneCount is ${args.availabilityZoneCount}; allowed: a whole number of 1 or more`);
    }
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(args.mountPath)) {
      throw new Error(`SqliteVolume ${name}: mountPath is "${args.mountPath}"; allowed: an absolute path such as /data`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(args.databaseFileName)) {
      throw new Error(`SqliteVolume ${name}: databaseFileName is "${args.databaseFileName}"; allowed: a file name such as trading.db`);
    }

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Trading bot SQLite volume (EFS): NFS from the service only" },
      { parent: this },
    );
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
    new aws.efs.FileSystemPolicy(
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
    for (let az = 0; az < args.availabilityZoneCount; az++) {
      new aws.efs.MountTarget(
        `${name}-mount-${az + 1}`,
        {
          fileSystemId: this.fileSystem.id,
          subnetId: pulumi.output(args.subnetIds).apply((ids) => ids[az]),
          securityGroups: [this.securityGroup.id],
        },
        { parent: this },
      );
    }
    // The app runs as uid/gid 1000 inside its own directory of the file system.
    this.accessPoint = new aws.efs.AccessPoint(
      `${name}-ap`,
      {
        fileSystemId: this.fileSystem.id,
        posixUser: { uid: 1000, gid: 1000 },
        rootDirectory: {
          path: "/trading-bot",
          creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" },
        },
      },
      { parent: this },
    );

    const volumeName = "sqlite-data";
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
    this.connectionUrl = pulumi.output(`sqlite:///${args.mountPath}/${args.databaseFileName}`);
    this.endpoint = this.fileSystem.dnsName;

    this.registerOutputs({ connectionUrl: this.connectionUrl, endpoint: this.endpoint });
  }

  allowIngressFrom(sourceSecurityGroupId: pulumi.Input<string>): void {
    new aws.vpc.SecurityGroupIngressRule(
      `${this.resourceName}-from-service`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: sourceSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        description: "NFS from the trading bot service",
      },
      { parent: this },
    );
  }
}
