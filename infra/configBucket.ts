import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IamStatement, ServiceAttachment } from "./attachment";
import * as limits from "./limits";
import { lockDownBucket } from "./privateBucket";

export interface ConfigBucketArgs {
  /** Bucket name prefix: lower-case letters, digits and -, ending in -, at most 37 characters; Pulumi appends a random suffix. */
  bucketPrefix: string;
  /** Objects to upload, by key (ending in `.json`), as JSON documents (the app's trading configuration). */
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
 *
 * The app reads the objects at start, so the task definition carries their SHA-256
 * (`TRADING_CONFIG_SHA256`): a changed configuration makes a new revision and ECS rolls
 * the tasks onto it; an unchanged one changes nothing.
 */
export class ConfigBucket extends pulumi.ComponentResource implements ServiceAttachment {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  /** SHA-256 (hex) of every object's key and content, in key order. */
  public readonly contentSha256: string;
  public readonly environment: Record<string, pulumi.Input<string>>;
  public readonly taskRoleStatements: IamStatement[];
  /** The app reads its configuration at start: tasks wait for the objects. */
  public readonly waitFor: pulumi.Resource[];

  constructor(name: string, args: ConfigBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:ConfigBucket", name, args, opts);
    validateArgs(name, args);
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucketPrefix: args.bucketPrefix, forceDestroy: args.forceDestroy }, { parent: this });
    const ownership = this.lockDown(name);
    const contents = objectContents(args.jsonObjects);
    this.waitFor = this.uploadObjects(name, contents, ownership);
    this.bucketName = this.bucket.bucket;
    this.contentSha256 = sha256Of(contents);
    this.environment = { AWS_S3_BUCKET: this.bucketName, AWS_REGION: args.region, TRADING_CONFIG_SHA256: this.contentSha256 };
    this.taskRoleStatements = [
      { Sid: "ListConfigBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [this.bucket.arn] },
      { Sid: "ReadConfigObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [pulumi.interpolate`${this.bucket.arn}/*`] },
    ];
    this.registerOutputs({ bucketName: this.bucketName, contentSha256: this.contentSha256 });
  }

  /** Owner-enforced, no public access, encrypted, TLS only (infra/privateBucket.ts), and versioned. */
  private lockDown(name: string): aws.s3.BucketOwnershipControls {
    const { ownership } = lockDownBucket(this, name, this.bucket, [], `${name}-tls-only`);
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
    return ownership;
  }

  private uploadObjects(name: string, contents: [key: string, content: string][], ownership: aws.s3.BucketOwnershipControls): aws.s3.BucketObjectv2[] {
    return contents.map(
      ([key, content]) =>
        new aws.s3.BucketObjectv2(
          `${name}-${key.replace(/[^A-Za-z0-9]+/g, "-")}`,
          { bucket: this.bucket.id, key, content, contentType: "application/json" },
          { parent: this, dependsOn: [ownership] },
        ),
    );
  }
}

/** Each object's key and the exact text uploaded, in key order. */
function objectContents(jsonObjects: Record<string, unknown>): [string, string][] {
  return Object.entries(jsonObjects)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, document]) => [key, JSON.stringify(document, null, 2)]);
}

function sha256Of(contents: [string, string][]): string {
  const hash = createHash("sha256");
  for (const [key, content] of contents) hash.update(`${key}\n${content.length}\n${content}`);
  return hash.digest("hex");
}

function validateArgs(name: string, args: ConfigBucketArgs): void {
  const where = `ConfigBucket ${name}`;
  limits.requireValid(where, "bucketPrefix", args.bucketPrefix, limits.s3BucketPrefix);
  for (const key of Object.keys(args.jsonObjects)) limits.requireValid(where, "a jsonObjects key", key, limits.jsonObjectKey);
}
