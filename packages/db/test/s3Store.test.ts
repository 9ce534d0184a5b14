// The S3 side of export and import, with the SDK's own mocking library: the exact commands
// (bucket, keys, the manifest last and only where none is, pages of a listing), the refusals,
// and the same rows as an export on disk.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { DatabaseSync } from "node:sqlite";
import * as zlib from "node:zlib";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { parseLocation } from "../src/exportStore";
import { Refusal } from "../src/errors";
import { S3Writer } from "../src/s3Store";
import { fillSource, testKey, writeRules } from "./fixture";
import { type TestDatabase, connectionRecorder, createDatabase, runDb, tempFolder } from "./support";

const bucket = "trading-bot-data-123456789012-dev";
const prefix = "exports/42-1/";
const location = `s3://${bucket}/${prefix}`;
const tableFiles = ["001-accounts.ndjson.gz", "002-fills.ndjson.gz", "003-orders.ndjson.gz", "004-trading_strategies.ndjson.gz", "005-users.ndjson.gz", "006-trading_bot_data_sync.ndjson.gz"];
/** What the SDK needs to build requests; the mock answers them, nothing leaves the machine. */
const owner = "123456789012";
/** What the data-sync task's environment says: the account that must own each bucket it uses. */
const bucketOwners = JSON.stringify({ [bucket]: owner });
const awsEnv = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00", AWS_SECRET_ACCESS_KEY: "example-secret-key-not-used-anywhere", DATA_SYNC_BUCKET_OWNERS: bucketOwners };
const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

const s3 = mockClient(S3Client);

/** The commands sent, in order: name and input. */
function sent(): { command: string; input: Record<string, any> }[] {
  return s3.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, any> };
    return { command: command.constructor.name.replace(/Command$/, ""), input: command.input };
  });
}

function sqliteRows(file: string): Record<string, unknown[]> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}"`).all().map((row) => ({ ...row }))]));
  } finally {
    db.close();
  }
}

describe("npm run db -- export and import with S3 (aws-sdk-client-mock)", function () {
  let source: TestDatabase;
  let recorder: Awaited<ReturnType<typeof connectionRecorder>>;
  let folder: string;
  let rules: string;
  let onDisk: string;
  const workflowExport = () => ["export", "--type", "subset", "--rules", rules, "--from-env", "DATABASE_URL", "--from-stack", "dev", "--out", location, "--yes"];
  const exportEnv = () => ({ ...awsEnv, DATABASE_URL: source.url, DATA_SYNC_KEY: testKey });

  before(async () => {
    source = await createDatabase();
    await fillSource(source);
    recorder = await connectionRecorder();
    folder = tempFolder("s3");
    rules = writeRules(folder);
    onDisk = path.join(folder, "on-disk");
    const result = await runDb(["export", "--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--out", onDisk], { DATA_SYNC_KEY: testKey });
    assert.equal(result.code, 0, result.stderr);
  });
  beforeEach(() => s3.reset());
  after(async () => {
    s3.restore();
    await source?.drop();
    await recorder?.close();
  });

  it("export (the workflow's arguments) puts every file under the prefix, the manifest last and only where none is", async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
    const result = await runDb(workflowExport(), exportEnv());
    assert.equal(result.code, 0, result.stderr);
    const calls = sent();
    assert.deepEqual(calls[0], { command: "ListObjectsV2", input: { Bucket: bucket, ExpectedBucketOwner: owner, Prefix: prefix, MaxKeys: 1 } });
    assert.deepEqual(calls.slice(1).map((call) => [call.command, call.input.Bucket, call.input.Key, call.input.ContentType, call.input.IfNoneMatch]), [
      ...tableFiles.map((file) => ["PutObject", bucket, `${prefix}${file}`, "application/gzip", undefined]),
      ["PutObject", bucket, `${prefix}schema.json`, "application/json", undefined],
      ["PutObject", bucket, `${prefix}manifest.json`, "application/json", "*"],
    ]);
    assert.ok(calls.every((call) => !("ServerSideEncryption" in call.input)), "encryption is the bucket's default (SSE-S3)");
    assert.ok(calls.every((call) => call.input.ExpectedBucketOwner === owner), "every request names the account that must own the bucket");
    const bodies = new Map(calls.slice(1).map((call) => [call.input.Key.slice(prefix.length), Buffer.from(call.input.Body)]));
    const manifest = JSON.parse(bodies.get("manifest.json")!.toString("utf8"));
    assert.deepEqual(manifest.source, { stack: "dev" });
    for (const entry of [manifest.schema, ...manifest.tables]) {
      assert.deepEqual([bodies.get(entry.file)!.length, sha256(bodies.get(entry.file)!)], [entry.bytes, entry.sha256], entry.file);
    }
    // The same rows as the export on disk, from the same source and key.
    // The same rows as the export on disk; the record (the last file) differs only by when each export ran.
    for (const file of tableFiles.slice(0, -1)) assert.deepEqual(zlib.gunzipSync(bodies.get(file)!), zlib.gunzipSync(fs.readFileSync(path.join(onDisk, file))), file);
  });

  it("refuses a prefix that already holds a manifest.json, before reading the source (exit 2)", async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: `${prefix}manifest.json`, Size: 900 }] });
    const result = await runDb(["export", "--type", "schema", "--from-url", recorder.url, "--from-stack", "dev", "--out", location], awsEnv);
    assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: --out ${location} is not empty (it holds manifest.json): give a new prefix\n` });
    assert.deepEqual(sent(), [{ command: "ListObjectsV2", input: { Bucket: bucket, ExpectedBucketOwner: owner, Prefix: prefix, MaxKeys: 1 } }]);
    assert.equal(recorder.connections(), 0);
  });

  it("refuses a bucket the task's DATA_SYNC_BUCKET_OWNERS does not name, or names no account for, before any S3 request (exit 2)", async () => {
    const other = "s3://trading-bot-data-123456789012-staging/exports/42-1/";
    const how = (name: string) => `set DATA_SYNC_BUCKET_OWNERS='{"${name}":"<12-digit account id>"}' (the data-sync task has it)`;
    for (const [env, stderr] of [
      [{ ...awsEnv, DATA_SYNC_BUCKET_OWNERS: undefined }, `db: s3://${bucket}: no account is expected to own it; ${how(bucket)}\n`],
      [{ ...awsEnv, DATA_SYNC_BUCKET_OWNERS: JSON.stringify({ [bucket]: "12345" }) }, `db: s3://${bucket}: no account is expected to own it; ${how(bucket)}\n`],
      [{ ...awsEnv, DATA_SYNC_BUCKET_OWNERS: "{not json" }, `db: DATA_SYNC_BUCKET_OWNERS is not JSON; ${how(bucket)}\n`],
    ] as const) {
      const result = await runDb(["export", "--type", "schema", "--from-url", recorder.url, "--from-stack", "dev", "--out", location], env);
      assert.deepEqual(result, { code: 2, stdout: "", stderr });
    }
    const result = await runDb(["import", "--in", other, "--to-url", `sqlite:///${path.join(folder, "other.db")}`, "--to-stack", "dev"], awsEnv);
    assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: s3://trading-bot-data-123456789012-staging: no account is expected to own it; ${how("trading-bot-data-123456789012-staging")}\n` });
    assert.deepEqual(sent(), []);
    assert.equal(recorder.connections(), 0);
  });

  it("a failed upload ends the export with exit 3 and no manifest (an incomplete export)", async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: `${prefix}003-orders.ndjson.gz` }).rejects(new Error("Access Denied"));
    const result = await runDb(workflowExport(), exportEnv());
    assert.equal(result.code, 3);
    assert.match(result.stderr, /\ndb: Access Denied\n$/);
    assert.deepEqual(
      sent().slice(1).map((call) => call.input.Key.slice(prefix.length)),
      tableFiles.slice(0, 3),
      "nothing after the failed file, no manifest",
    );
  });

  it("a finished export whose manifest another run wrote first is refused (If-None-Match: * answered 412)", async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: `${prefix}manifest.json` }).rejects(Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), { $metadata: { httpStatusCode: 412 } }));
    const result = await runDb(workflowExport(), exportEnv());
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`\ndb: --out ${location}: another export wrote its manifest.json meanwhile; this one is not complete\n$`));
  });

  it("streams a big file in parts (CreateMultipartUpload, UploadPart x3, CompleteMultipartUpload)", async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "upload-1" });
    s3.on(UploadPartCommand).callsFake((input) => ({ ETag: `"part-${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const data = crypto.randomBytes(20 * 1024 * 1024);
    const chunks = Array.from({ length: 20 }, (_, i) => data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    const writer = new S3Writer(bucket, prefix, new S3Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } }), owner);
    await writer.put("big.ndjson.gz", Readable.from(chunks));
    const calls = sent();
    assert.deepEqual(calls.map((call) => call.command), ["CreateMultipartUpload", "UploadPart", "UploadPart", "UploadPart", "CompleteMultipartUpload"]);
    assert.deepEqual([calls[0].input.Bucket, calls[0].input.Key, calls[0].input.ContentType], [bucket, `${prefix}big.ndjson.gz`, "application/gzip"]);
    const parts = calls.slice(1, 4);
    assert.deepEqual(parts.map((call) => [call.input.UploadId, call.input.PartNumber, call.input.Body.length]), [["upload-1", 1, 8388608], ["upload-1", 2, 8388608], ["upload-1", 3, 4194304]]);
    assert.equal(sha256(Buffer.concat(parts.map((call) => call.input.Body))), sha256(data));
    assert.deepEqual(calls[4].input.MultipartUpload, { Parts: [1, 2, 3].map((n) => ({ ETag: `"part-${n}"`, PartNumber: n })) });
  });

  it("a failed part aborts the multipart upload (AbortMultipartUpload)", async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "upload-2" });
    s3.on(UploadPartCommand).resolves({ ETag: '"ok"' });
    s3.on(UploadPartCommand, { PartNumber: 2 }).rejects(new Error("Slow Down"));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const writer = new S3Writer(bucket, prefix, new S3Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } }), owner);
    await assert.rejects(writer.put("big.ndjson.gz", Readable.from([crypto.randomBytes(17 * 1024 * 1024)])), /Slow Down/);
    const aborts = sent().filter((call) => call.command === "AbortMultipartUpload");
    assert.deepEqual(aborts.map((call) => call.input), [{ Bucket: bucket, Key: `${prefix}big.ndjson.gz`, UploadId: "upload-2" }]);
  });

  /** The export on disk served as S3 would: listed in two pages, each object's body a stream of its file. */
  function serveOnDisk(extra: { Key: string; Size: number }[] = []): void {
    const objects = fs.readdirSync(onDisk).sort().map((name) => ({ Key: `${prefix}${name}`, Size: fs.statSync(path.join(onDisk, name)).size }));
    s3.on(ListObjectsV2Command).callsFake((input) =>
      input.ContinuationToken === undefined
        ? { IsTruncated: true, NextContinuationToken: "page-2", Contents: objects.slice(0, 4) }
        : { IsTruncated: false, Contents: [...objects.slice(4), ...extra] },
    );
    s3.on(GetObjectCommand).callsFake((input) => ({ Body: fs.createReadStream(path.join(onDisk, input.Key.slice(prefix.length))) }));
  }

  it("import reads every page of the listing (ContinuationToken) and refuses an object the manifest does not list, having read only the manifest", async () => {
    serveOnDisk([{ Key: `${prefix}late/extra.ndjson.gz`, Size: 20 }]);
    const target = path.join(folder, "refused.db");
    const result = await runDb(["import", "--in", location, "--to-url", `sqlite:///${target}`, "--to-stack", "dev"], awsEnv);
    assert.deepEqual(result, { code: 2, stdout: "", stderr: `db: late/extra.ndjson.gz: in ${location} but not listed in manifest.json\n` });
    assert.deepEqual(sent(), [
      { command: "ListObjectsV2", input: { Bucket: bucket, ExpectedBucketOwner: owner, Prefix: prefix, ContinuationToken: undefined } },
      { command: "ListObjectsV2", input: { Bucket: bucket, ExpectedBucketOwner: owner, Prefix: prefix, ContinuationToken: "page-2" } },
      { command: "GetObject", input: { Bucket: bucket, ExpectedBucketOwner: owner, Key: `${prefix}manifest.json` } },
    ]);
    assert.ok(!fs.existsSync(target));
  });

  it("import from S3 (the workflow's arguments) loads what an import from the folder loads", async () => {
    serveOnDisk();
    const fromS3 = path.join(folder, "from-s3.db");
    const result = await runDb(["import", "--in", location, "--to-env", "DATABASE_URL", "--to-stack", "dev"], { ...awsEnv, DATABASE_URL: `sqlite:///${fromS3}` });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      sent().filter((call) => call.command === "GetObject").map((call) => call.input.Key.slice(prefix.length)),
      ["manifest.json", "schema.json", ...tableFiles],
    );
    const fromFolder = path.join(folder, "from-folder.db");
    assert.equal((await runDb(["import", "--in", onDisk, "--to-url", `sqlite:///${fromFolder}`, "--to-stack", "dev"])).code, 0);
    assert.deepEqual(sqliteRows(fromS3), sqliteRows(fromFolder));
  });

  it("import refuses a production target before any S3 request", async () => {
    serveOnDisk();
    const result = await runDb(["import", "--in", location, "--to-env", "DATABASE_URL", "--to-stack", "production"], { ...awsEnv, DATABASE_URL: `sqlite:///${path.join(folder, "prod.db")}` });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^db: refusing to write to the stack production: it is production/);
    assert.deepEqual(sent(), []);
  });

  it("parses s3:// locations: a trailing slash added, bad bucket names and empty or dot parts refused", () => {
    assert.deepEqual(parseLocation("s3://my-bucket/exports/1-1", "--out"), { kind: "s3", bucket: "my-bucket", prefix: "exports/1-1/", shown: "s3://my-bucket/exports/1-1/" });
    const refusals: [string, string][] = [
      ["s3://My_Bucket/x/", '--in: "My_Bucket" is not an S3 bucket name'],
      ["s3://my-bucket/", "--in: s3://my-bucket/ names no folder: give s3://my-bucket/<prefix>/"],
      ["s3://my-bucket/exports//1/", "--in: s3://my-bucket/exports//1/ has an empty, . or .. part"],
      ["s3://my-bucket/exports/../other/", "--in: s3://my-bucket/exports/../other/ has an empty, . or .. part"],
    ];
    for (const [text, message] of refusals) assert.throws(() => parseLocation(text, "--in"), new Refusal(message), text);
  });
});
