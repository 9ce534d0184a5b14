import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IamStatement, ServiceAttachment } from "./attachment";

export interface ConfigBucketArgs {
  /** Bucket name prefix; S3 names are global, so Pulumi appends a random suffix. */
  bucketPrefix: string;
  /** Objects to upload, by key, as JSON documents (the app's trading configuration). */
  jsonObjects: Record<string, unknown>;
  /** Region, passed to the app as `AWS_REGION` beside `AWS_S3_BUCKET`. */
  region: string;
  /** Let `pulumi destroy` delete the bucket with every version of its objects (versioning keeps them otherwise). */
  forceDestroy: boolean;
}

/**
 * The per-environment bucket of the app's configuration files: private (every public
 * access path blocked, ACLs off), versioned, encrypted, TLS only. Pulumi uploads the
 * objects; the task role may read this bucket and nothing else in S3.
 */
export class ConfigBucket extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly environment: Record<string, pulumi.Input<string>>;
  public readonly taskRoleStatements: IamStatement[];

  constructor(name: string, args: ConfigBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:ConfigBucket", name, {}, opts);
    if (!/^[a-z0-9][a-z0-9-]{1,35}-$/.test(args.bucketPrefix)) {
      throw new Error(`ConfigBucket ${name}: bucketPrefix is "${args.bucketPrefix}"; allowed: lower-case letters, digits and -, ending in -, at most 37 characters`);
    }
    for (const key of Object.keys(args.jsonObjects)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*\.json$/.test(key)) {
        throw new Error(`ConfigBucket ${name}: object key "${key}" is not allowed; use letters, digits, . _ / - and end in .json`);
      }
    }

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucketPrefix: args.bucketPrefix, forceDestroy: args.forceDestroy },
      { parent: this },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      // The public access block must exist first, or S3 may judge the policy public.
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    for (const [key, document] of Object.entries(args.jsonObjects)) {
      new aws.s3.BucketObjectv2(
        `${name}-${key.replace(/[^A-Za-z0-9]+/g, "-")}`,
        {
          bucket: this.bucket.id,
          key,
          content: JSON.stringify(document, null, 2),
          contentType: "application/json",
        },
        { parent: this, dependsOn: [ownership] },
      );
    }

    this.bucketName = this.bucket.bucket;
    this.environment = { AWS_S3_BUCKET: this.bucketName, AWS_REGION: args.region };
    this.taskRoleStatements = [
      { Sid: "ListConfigBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [this.bucket.arn] },
      {
        Sid: "ReadConfigObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: [pulumi.interpolate`${this.bucket.arn}/*`],
      },
    ];

    this.registerOutputs({ bucketName: this.bucketName });
  }
}
