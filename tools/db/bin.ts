#!/usr/bin/env node
// The db tool's entry point in its image (docker/db.Dockerfile): `node dist/tools/db/bin.js
// <command> ...`. In the repository, `npm run db` runs tools/db/index.ts through tools/launch.js.
import * as path from "node:path";
import { main } from "./index";

// The image's /app (package.json, data/), three folders above dist/tools/db/.
main(process.argv.slice(2), { projectRoot: path.resolve(__dirname, "..", "..", "..") }).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`db: ${String((error as Error)?.message ?? error).split("\n")[0]}\n`);
    process.exitCode = 1;
  },
);
