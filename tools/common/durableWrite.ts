// Writing files so that what is on disk is whole: every byte written through the descriptor
// (a write may write less than asked), and a rename or link in a folder made durable by
// syncing the folder. The writers call fs through the module object, so a test can make
// `fs.writeSync` fail (no space left) the way a full disk does.
import * as fs from "node:fs";

/** Writes all of `text` through `fd`, or throws (ENOSPC on a full disk). */
export function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  for (let offset = 0; offset < bytes.length; ) {
    const written = fs.writeSync(fd, bytes, offset, bytes.length - offset);
    if (written <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
    offset += written;
  }
}

/** fsync a folder so a rename or link in it is on disk (not supported on Windows). */
export function syncFolder(folder: string): void {
  if (process.platform === "win32") return;
  const fd = fs.openSync(folder, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
