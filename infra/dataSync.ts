import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketOwnersVariable } from "../packages/stack-files/src/dataSyncTask";
import { IamStatement, ServiceAttachment } from "./attachment";
import { AppContainer, containerDefinitionsJson, createTaskRoles, mergeAttachments } from "./fargateTask";
import * as limits from "./limits";
import { lockDownBucket } from "./privateBucket";

/** The tag that marks the data-sync task role by what it may do (the policy pack reads it). */
export const dataSyncRoleTag = "trading-bot:data-sync";

/** Where exports go: the prefix every export of a stack is written under in its bucket. */
export const exportsPrefix = "exports/";

// The naming rule that lets one stack grant another without reading its state: a stack's
// exports bucket and its import role have names derived from the account and the stack.
// (A StackReference would make dev read prod's state, secrets included.)

/** `trading-bot-data-<account>-<stack>`: the exports bucket of a stack (S3 names are global). */
export function exportsBucketName(accountId: string, stack: string): string {
  return `trading-bot-data-${accountId}-${stack}`;
}

/** `trading-bot-<stack>-data-import`: the task role of a stack's import task. */
export function importRoleName(stack: string): string {
  return `trading-bot-${stack}-data-import`;
}

export interface DataSyncArgs {
  /** Subnets the one-off tasks run in (the service's). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The task's own security group (a TaskSecurityGroup: pass it among the attachments too, for its egress rule). */
  securityGroupId: pulumi.Input<string>;
  /** Give the task a public IP (public subnets without NAT, as the service). */
  assignPublicIp: boolean;
  /** Task definition family, e.g. `trading-bot-prod-data-sync`. */
  family: string;
  /** The db tool's image, with a version tag or digest. */
  image: string;
  /** Task CPU units. @default 512 */
  cpu?: number;
  /** Task memory in MiB, paired with `cpu` as Fargate allows. @default 1024 */
  memoryMiB?: number;
  /** Region of the log group and of the exports bucket. */
  region: string;
  /** Days CloudWatch keeps the task's logs (the stack's retention). */
  logRetentionDays: number;
  /** ARN of the permissions boundary the task's roles carry (the account's bootstrap requires it of roles its deploy roles create). @default none */
  permissionsBoundary?: pulumi.Input<string>;
  /** Plain environment of the tool: the stack it runs for (DATA_SYNC_BUCKET_OWNERS is added from the buckets). */
  environment: Record<string, pulumi.Input<string>>;
  /** This stack exports: into its own bucket, which the `readers` may read and no other principal. @default none */
  export?: {
    bucketName: pulumi.Input<string>;
    /** The account of the bucket (this stack's). */
    accountId: pulumi.Input<string>;
    /** Days an export is kept before S3 deletes it (1 to 7). */
    retentionDays: number;
    /** Import task roles of the stacks that may read the exports, each with its account (this one or another). */
    readers: { roleArn: pulumi.Input<string>; accountId: pulumi.Input<string> }[];
  };
  /** This stack imports: its task role may read these buckets' exports, each in the account named, and nothing else. @default none */
  import?: {
    /** The import role's name, by the naming rule, so that sources can grant it before it exists. */
    roleName: string;
    /** The sources' exports buckets and the account that must own each. */
    sources: { bucketName: pulumi.Input<string>; accountId: pulumi.Input<string> }[];
  };
  /** What the database contributes (`DATABASE_URL` and the key from the secret, the EFS volume), the security group and its ingress rules. */
  attachments: ServiceAttachment[];
}

const containerName = "data-sync";

/**
 * The one-off Fargate task that runs the db tool (`export` in the source stack, `import` in
 * the target) inside the stack's network, so neither the database nor raw production rows
 * leave their environment. The workflow starts it with `aws ecs run-task`; nothing runs it
 * on `pulumi up`. When the stack exports, it also owns the exports bucket: private,
 * encrypted, TLS only, unversioned, every object deleted after `retentionDays`.
 */
export class DataSync extends pulumi.ComponentResource {
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly taskRole: aws.iam.Role;
  /** The task's security group, as given. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** The exports bucket, or null when the stack does not export. */
  public readonly exportsBucketName: pulumi.Output<string | null>;
  public readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: DataSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:DataSync", name, args, opts);
    validateArgs(name, args);
    this.securityGroupId = pulumi.output(args.securityGroupId);
    const bucket = args.export ? new aws.s3.Bucket(`${name}-exports`, { bucket: args.export.bucketName, forceDestroy: false }, { parent: this }) : undefined;
    const s3 = s3Statements(args, bucket);
    const environment = { ...args.environment, [bucketOwnersVariable]: bucketOwnersJson(args, bucket) };
    const merged = mergeAttachments(`DataSync ${name}`, environment, containerName, [...args.attachments, { taskRoleStatements: s3 }]);
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { namePrefix: `/ecs/${args.family}/`, retentionInDays: args.logRetentionDays }, { parent: this });
    const roles = createTaskRoles(this, name, "the data-sync task", merged, {
      name: args.import?.roleName,
      tags: { [dataSyncRoleTag]: args.import ? "import" : "export" },
    }, args.permissionsBoundary);
    this.taskRole = roles.taskRole;
    if (bucket) this.lockDownExportsBucket(name, bucket, args.export!, roles.taskRole.arn);
    const app: AppContainer = { name: containerName, image: args.image, essential: true };
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu ?? 512),
        memory: String(args.memoryMiB ?? 1024),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: roles.executionRole.arn,
        taskRoleArn: roles.taskRole.arn,
        volumes: merged.volumes,
        containerDefinitions: containerDefinitionsJson(app, merged, this.logGroup.name, args.region),
      },
      // Run by hand (the workflow) once `pulumi up` is done; still, it exists only with what it needs.
      { parent: this, dependsOn: [...roles.grants, ...merged.waitFor] },
    );
    this.exportsBucketName = pulumi.output(bucket ? bucket.bucket : null);
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinition.arn,
      securityGroupId: this.securityGroupId,
      exportsBucketName: this.exportsBucketName,
      logGroupName: this.logGroup.name,
    });
  }

  /** Locked down (infra/privateBucket.ts), no versioning (an export is kept days, not forever), expiring objects. */
  private lockDownExportsBucket(name: string, bucket: aws.s3.Bucket, exportArgs: NonNullable<DataSyncArgs["export"]>, exportRoleArn: pulumi.Output<string>): void {
    lockDownBucket(this, `${name}-exports`, bucket, readersStatements(bucket.arn, exportArgs.readers, exportRoleArn));
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-exports-expiry`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-exports",
            status: "Enabled",
            filter: { prefix: exportsPrefix },
            expiration: { days: exportArgs.retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
  }
}

/** Listing is limited to keys under exports/ (the db tool lists an export's prefix: it must hold nothing before an export, and nothing the manifest does not list on import). */
const exportsPrefixCondition = { StringLike: { "s3:prefix": `${exportsPrefix}*` } };

/**
 * The readers' import roles may list and get objects under exports/, from their own account
 * or another (the bucket policy decides cross-account). Each reader account is a principal,
 * narrowed to the roles by condition: S3 refuses a policy that names a role which does not
 * exist yet, and a reader stack may be created after this one. Every other principal (other
 * roles of these accounts, this account's own admins and deploy roles, anyone) is denied
 * exports/* outright: an identity policy with s3:GetObject on * reads nothing there. The
 * export task's own role is the one writer.
 */
export function readersStatements(bucketArn: pulumi.Output<string>, readers: NonNullable<DataSyncArgs["export"]>["readers"], exportRoleArn: pulumi.Input<string>): unknown[] {
  const exportsObjects = pulumi.interpolate`${bucketArn}/${exportsPrefix}*`;
  const readerArns = readers.map((reader) => reader.roleArn);
  const denyOthers = {
    Sid: "DenyExportsToEveryOtherPrincipal",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: exportsObjects,
    Condition: { ArnNotEquals: { "aws:PrincipalArn": [exportRoleArn, ...readerArns] } },
  };
  if (readers.length === 0) return [denyOthers];
  const accounts = pulumi.all(readers.map((reader) => reader.accountId)).apply((ids) => [...new Set(ids)].sort());
  const principal = { AWS: accounts.apply((ids) => ids.map((id) => `arn:aws:iam::${id}:root`)) };
  const only = { ArnEquals: { "aws:PrincipalArn": readerArns } };
  return [
    { Sid: "ReadersListExports", Effect: "Allow", Principal: principal, Action: "s3:ListBucket", Resource: bucketArn, Condition: { ...only, ...exportsPrefixCondition } },
    { Sid: "ReadersGetExports", Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: exportsObjects, Condition: only },
    denyOthers,
  ];
}

/** `DATA_SYNC_BUCKET_OWNERS`: the account that must own each bucket the task uses (its own exports bucket, its sources'). */
function bucketOwnersJson(args: DataSyncArgs, bucket: aws.s3.Bucket | undefined): pulumi.Output<string> {
  const owned = [
    ...(bucket && args.export ? [{ bucketName: bucket.bucket, accountId: args.export.accountId }] : []),
    ...(args.import?.sources ?? []),
  ];
  return pulumi
    .all(owned.map((entry) => pulumi.all([entry.bucketName, entry.accountId])))
    .apply((pairs) => JSON.stringify(Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : 1)))));
}

/**
 * Export: list and put objects under exports/ of its own bucket; import: list and get objects
 * under exports/ of its sources. Nothing else in S3.
 */
function s3Statements(args: DataSyncArgs, bucket: aws.s3.Bucket | undefined): IamStatement[] {
  const statements: IamStatement[] = [];
  // aws:ResourceAccount: a bucket of the same name in another account is refused too.
  const ownedBy = (accountId: pulumi.Input<string>) => ({ StringEquals: { "aws:ResourceAccount": accountId } });
  if (bucket && args.export) {
    const own = ownedBy(args.export.accountId);
    statements.push(
      { Sid: "ListExports", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket.arn], Condition: { ...exportsPrefixCondition, ...own } },
      // Multipart uploads are authorised as PutObject; aborting one that failed needs its own action.
      { Sid: "WriteExports", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: [pulumi.interpolate`${bucket.arn}/${exportsPrefix}*`], Condition: own },
    );
  }
  (args.import?.sources ?? []).forEach((source, index) => {
    statements.push(
      {
        Sid: `ListSourceExports${index}`,
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [pulumi.interpolate`arn:aws:s3:::${source.bucketName}`],
        Condition: { ...exportsPrefixCondition, ...ownedBy(source.accountId) },
      },
      {
        Sid: `ReadSourceExports${index}`,
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [pulumi.interpolate`arn:aws:s3:::${source.bucketName}/${exportsPrefix}*`],
        Condition: ownedBy(source.accountId),
      },
    );
  });
  return statements;
}

function validateArgs(name: string, args: DataSyncArgs): void {
  const where = `DataSync ${name}`;
  if (!args.export && !args.import) throw new Error(`${where}: set "export", "import" or both`);
  limits.requireValid(where, "image", args.image, limits.imageReference);
  limits.requireValid(where, "cpu", args.cpu ?? 512, limits.fargateCpu);
  limits.requireValid(where, "memoryMiB", args.memoryMiB ?? 1024, limits.fargateMemoryMiB(args.cpu ?? 512));
  limits.requireValid(where, "logRetentionDays", args.logRetentionDays, limits.logRetentionDays);
  if (args.export) limits.requireValid(where, "export.retentionDays", args.export.retentionDays, limits.wholeNumber(1, 7, "days"));
  if (args.import && args.import.sources.length === 0) throw new Error(`${where}: import.sources is []; allowed: at least one source bucket`);
}

