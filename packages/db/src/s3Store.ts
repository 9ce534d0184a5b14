// An export under an S3 prefix (the exports bucket of infra/dataSync.ts). Files stream in
// through lib-storage's Upload (multipart for big ones, one PutObject for small ones), never
// whole in memory; the manifest goes last, and only if no manifest is there yet
// (If-None-Match: *), so two exports to one prefix cannot both complete. Encryption is the
// bucket's default (SSE-S3); the region is the SDK's default (AWS_REGION, which ECS sets).
// The task roles need s3:ListBucket on the prefix: to refuse a prefix that holds anything
// (export) and to find files the manifest does not list (import).
// Every request names the account that must own the bucket (ExpectedBucketOwner): bucket
// names are global, so a bucket created in another account under a name this one expects
// (a source that does not exist yet) is refused by S3 instead of read or written.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import { bucketOwnersVariable } from "../../stack-files/src/dataSyncTask";
import { Refusal } from "./errors";
import { type ExportFile, type ExportReader, type ExportWriter, manifestFile } from "./exportStorage";

/** Bytes per part of a multipart upload (S3's minimum is 5 MiB), and parts in flight. */
const partBytes = 8 * 1024 * 1024;
const partsInFlight = 2;
/** An export has a few files per table: a listing longer than this is not one. */
const maxListedFiles = 10_000;

const contentType = (name: string) => (name.endsWith(".json") ? "application/json" : "application/gzip");

/** The account that must own `bucket`, from `DATA_SYNC_BUCKET_OWNERS`; refused when it names none. */
export function expectedBucketOwner(bucket: string, environment: NodeJS.ProcessEnv = process.env): string {
  const how = `set ${bucketOwnersVariable}='{"${bucket}":"<12-digit account id>"}' (the data-sync task has it)`;
  let owners: unknown;
  try {
    owners = JSON.parse(environment[bucketOwnersVariable] ?? "{}");
  } catch {
    throw new Refusal(`${bucketOwnersVariable} is not JSON; ${how}`);
  }
  const owner = owners !== null && typeof owners === "object" && Object.hasOwn(owners, bucket) ? (owners as Record<string, unknown>)[bucket] : undefined;
  if (typeof owner !== "string" || !/^\d{12}$/.test(owner)) throw new Refusal(`s3://${bucket}: no account is expected to own it; ${how}`);
  return owner;
}

/** An export's place in S3: a bucket, a prefix ending in /, the account that must own the bucket, and the client that reaches them. */
abstract class S3Folder {
  readonly shown: string;
  protected readonly client: S3Client;

  constructor(
    protected readonly bucket: string,
    protected readonly prefix: string,
    client?: S3Client,
    protected readonly owner: string = expectedBucketOwner(bucket),
  ) {
    this.shown = `s3://${bucket}/${prefix}`;
    this.client = client ?? new S3Client({});
  }
}

export class S3Writer extends S3Folder implements ExportWriter {
  private upload: Upload | undefined;

  async open(): Promise<void> {
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ExpectedBucketOwner: this.owner, Prefix: this.prefix, MaxKeys: 1 }));
    const first = listed.Contents?.[0]?.Key;
    if (first !== undefined) throw new Refusal(`--out ${this.shown} is not empty (it holds ${first.slice(this.prefix.length)}): give a new prefix`);
  }

  async put(name: string, body: Readable): Promise<void> {
    this.upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, ExpectedBucketOwner: this.owner, Key: this.prefix + name, Body: body, ContentType: contentType(name) },
      partSize: partBytes,
      queueSize: partsInFlight,
      leavePartsOnError: false,
    });
    await this.upload.done();
    this.upload = undefined;
  }

  async finish(manifest: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, ExpectedBucketOwner: this.owner, Key: this.prefix + manifestFile, Body: manifest, ContentType: contentType(manifestFile), IfNoneMatch: "*" }),
      );
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
        throw new Refusal(`--out ${this.shown}: another export wrote its manifest.json meanwhile; this one is not complete`);
      }
      throw error;
    }
  }

  /** Stops an upload in flight (its parts are dropped). Files already stored stay until the bucket's lifecycle rule deletes them: without a manifest, import refuses them. */
  async abort(): Promise<void> {
    const upload = this.upload;
    this.upload = undefined;
    await upload?.abort().catch(() => undefined);
  }
}

export class S3Reader extends S3Folder implements ExportReader {
  /** Every object under the prefix, page after page (a key in a "sub-folder" is listed too, as a/b). */
  async list(): Promise<ExportFile[]> {
    const files: ExportFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ExpectedBucketOwner: this.owner, Prefix: this.prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) files.push({ name: object.Key!.slice(this.prefix.length), bytes: object.Size ?? 0 });
      if (files.length > maxListedFiles) throw new Refusal(`--in ${this.shown} holds more than ${maxListedFiles} objects: not an export`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return files;
  }

  async open(name: string): Promise<Readable> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, ExpectedBucketOwner: this.owner, Key: this.prefix + name }));
    return object.Body as Readable;
  }
}
