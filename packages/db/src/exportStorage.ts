// What every place an export can live in offers (a folder, an S3 prefix): the interface the
// stores implement and the export and import code use. Its own module so that the folder store
// (exportStore.ts, which picks a store) and the S3 store (s3Store.ts, loaded only when a location
// is in S3) both depend on it and not on each other.
import type { Readable } from "node:stream";

/** Written last: an export without it is incomplete. */
export const manifestFile = "manifest.json";

export interface ExportWriter {
  readonly shown: string;
  /** Refuses a location that already holds anything; gets ready to write. */
  open(): Promise<void>;
  /** Streams `body` into the export's file `name`; resolves once it is stored. */
  put(name: string, body: Readable): Promise<void>;
  /** Writes the manifest, last: the export is complete when this returns. */
  finish(manifest: Buffer): Promise<void>;
  /** Leaves no incomplete export behind where it can; safe at any point, more than once. */
  abort(): Promise<void>;
}

export interface ExportFile {
  name: string;
  bytes: number;
}

export interface ExportReader {
  readonly shown: string;
  /** Every file of the export with its size (an S3 listing, a folder's entries). */
  list(): Promise<ExportFile[]>;
  open(name: string): Promise<Readable>;
}
