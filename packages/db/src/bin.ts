#!/usr/bin/env node
// The db tool's entry point in its image (packages/db/Dockerfile): `node dist/db/src/bin.js
// <command> ...`. In the repository, `npm run db` runs src/index.ts through tools/launch.js.
import * as path from "node:path";
import { main } from "./index";

// The image's /app (package.json, data/), three folders above dist/db/src/.
main(process.argv.slice(2), { projectRoot: path.resolve(__dirname, "..", "..", "..") }).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`db: ${String((error as Error)?.message ?? error).split("\n")[0]}\n`);
    process.exitCode = 1;
  },
);
