// Where an export lives: a folder on disk or a prefix in S3, behind one small interface, so
// the format is the same (and tested for real on disk) wherever it goes.
// A folder is written beside its final place and renamed into it when complete; S3 has no
// rename, so there the manifest, written last, is what makes an export complete.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Refusal } from "./errors";
import { type ExportFile, type ExportReader, type ExportWriter, manifestFile } from "./exportStorage";
import { fsyncPath, processAlive } from "./files";

export type ExportLocation = { kind: "folder"; folder: string; shown: string } | { kind: "s3"; bucket: string; prefix: string; shown: string };

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `--out` / `--in`: a folder, or `s3://<bucket>/<prefix>/` (the trailing slash added when missing). */
export function parseLocation(text: string, option: string): ExportLocation {
  const s3 = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(text);
  if (s3) {
    const [, bucket, rest] = s3;
    if (!bucketName.test(bucket)) throw new Refusal(`${option}: ${JSON.stringify(bucket)} is not an S3 bucket name`);
    const prefix = rest === "" || rest.endsWith("/") ? rest : `${rest}/`;
    if (prefix === "") throw new Refusal(`${option}: s3://${bucket}/ names no folder: give s3://${bucket}/<prefix>/`);
    if (prefix.split("/").slice(0, -1).some((part) => part === "" || part === "." || part === "..")) {
      throw new Refusal(`${option}: s3://${bucket}/${prefix} has an empty, . or .. part`);
    }
    return { kind: "s3", bucket, prefix, shown: `s3://${bucket}/${prefix}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Refusal(`${option}: use a folder or s3://<bucket>/<prefix>/, not ${text.split("://")[0]}://`);
  if (text === "") throw new Refusal(`${option}: names no folder`);
  const folder = path.resolve(text);
  return { kind: "folder", folder, shown: folder };
}

/** Passes bytes through, counting them and hashing them with SHA-256. */
export class DigestStream extends Transform {
  bytes = 0;
  private readonly hash = crypto.createHash("sha256");

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The hex digest; call once, after the last byte went through. */
  sha256(): string {
    return this.hash.digest("hex");
  }
}

/** `.<out>.export-<pid>-<random>.tmp` beside the final folder. */
const buildFolderPattern = /^\.(.+)\.export-(\d+)-[0-9a-f]+\.tmp$/;

/** Refuses an `--out` folder that exists and is not an empty folder, or whose parent does not exist. */
function checkOutFolder(folder: string): void {
  const parent = path.dirname(folder);
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) throw new Refusal(`--out ${folder}: the folder ${parent} does not exist`);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(folder);
  } catch {
    return; // made by the final rename
  }
  if (stat.isSymbolicLink()) throw new Refusal(`--out ${folder} is a symbolic link: give a new folder`);
  if (!stat.isDirectory()) throw new Refusal(`--out ${folder} exists and is not a folder`);
  if (fs.readdirSync(folder).length > 0) throw new Refusal(`--out ${folder} is not empty: give a new folder`);
}

/** Removes build folders that an earlier export, since killed, left beside the final one. */
function removeStaleBuildFolders(folder: string): void {
  const parent = path.dirname(folder);
  for (const name of fs.readdirSync(parent)) {
    const match = buildFolderPattern.exec(name);
    if (!match || match[1] !== path.basename(folder) || processAlive(Number(match[2]))) continue;
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/** Writes into a private folder beside `folder` (mode 0700, files 0600), renamed into place by `finish`. */
export class FolderWriter implements ExportWriter {
  readonly shown: string;
  private building: string | undefined;

  constructor(private readonly folder: string) {
    this.shown = folder;
  }

  async open(): Promise<void> {
    checkOutFolder(this.folder);
    removeStaleBuildFolders(this.folder);
    const name = `.${path.basename(this.folder)}.export-${process.pid}-${crypto.randomBytes(4).toString("hex")}.tmp`;
    this.building = path.join(path.dirname(this.folder), name);
    fs.mkdirSync(this.building, { mode: 0o700 });
  }

  async put(name: string, body: Readable): Promise<void> {
    const file = path.join(this.building!, name);
    await pipeline(body, fs.createWriteStream(file, { flags: "wx", mode: 0o600 }));
    fsyncPath(file);
  }

  async finish(manifest: Buffer): Promise<void> {
    const building = this.building!;
    const file = path.join(building, manifestFile);
    fs.writeFileSync(file, manifest, { flag: "wx", mode: 0o600 });
    fsyncPath(file);
    fsyncPath(building);
    try {
      // Over nothing or over an empty folder only: anything that appeared there meanwhile makes it fail.
      fs.renameSync(building, this.folder);
    } catch (error) {
      throw new Refusal(`--out ${this.folder}: cannot put the export in place (${(error as NodeJS.ErrnoException).code}): something else wrote there meanwhile`);
    }
    this.building = undefined;
    fsyncPath(path.dirname(this.folder));
  }

  async abort(): Promise<void> {
    if (this.building) fs.rmSync(this.building, { recursive: true, force: true });
    this.building = undefined;
  }
}

/** Reads an export folder: its regular files only (a link or a sub-folder in it is refused). */
export class FolderReader implements ExportReader {
  readonly shown: string;

  constructor(private readonly folder: string) {
    this.shown = folder;
  }

  async list(): Promise<ExportFile[]> {
    let names: string[];
    try {
      if (!fs.statSync(this.folder).isDirectory()) throw new Refusal(`--in ${this.folder} is not a folder`);
      names = fs.readdirSync(this.folder);
    } catch (error) {
      if (error instanceof Refusal) throw error;
      throw new Refusal(`--in ${this.folder}: cannot read the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return names.sort().map((name) => {
      const stat = fs.lstatSync(path.join(this.folder, name));
      if (!stat.isFile()) throw new Refusal(`${name}: not a regular file (a folder or link in the export)`);
      return { name, bytes: stat.size };
    });
  }

  async open(name: string): Promise<Readable> {
    const file = path.join(this.folder, name);
    let fd: number;
    try {
      // O_NOFOLLOW: a file swapped for a link after the listing is not followed.
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (error) {
      throw new Refusal(`${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return fs.createReadStream(file, { fd });
  }
}

/** The writer for a location; S3's SDK is loaded only for an s3:// one. */
export async function exportWriter(location: ExportLocation): Promise<ExportWriter> {
  if (location.kind === "folder") return new FolderWriter(location.folder);
  const { S3Writer } = await import("./s3Store");
  return new S3Writer(location.bucket, location.prefix);
}

export async function exportReader(location: ExportLocation): Promise<ExportReader> {
  if (location.kind === "folder") return new FolderReader(location.folder);
  const { S3Reader } = await import("./s3Store");
  return new S3Reader(location.bucket, location.prefix);
}
