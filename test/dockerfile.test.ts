// The db tool's image: docker/db.Dockerfile cannot be built on these machines (no Docker
// engine), so it is linted (dockerfile-utils, from the VS Code Docker extension's author),
// read with a Dockerfile parser (dockerfile-ast), and the tool it compiles is compiled here
// the same way and run from the image's layout with only its production dependencies.
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

const dockerfilePath = path.join(repoRoot, "docker", "db.Dockerfile");
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
 * Compiles tools/db/bin.ts and every file it imports (relative imports, static or dynamic), as
 * tsc -p tsconfig.db.json does, without type-checking; returns the packages the files import.
 */
function compileTool(outDir: string): Set<string> {
  const external = new Set<string>();
  const pending = [path.join(repoRoot, "tools", "db", "bin.ts")];
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
    const target = path.join(outDir, path.relative(repoRoot, file).replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  return external;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

describe("the db tool's image (docker/db.Dockerfile)", () => {
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

  it("starts the compiled tool in exec form (no shell), the file tsconfig.db.json compiles tools/db/bin.ts to", () => {
    const [entrypoint, ...more] = keyword(lastStage(), "ENTRYPOINT") as JSONInstruction[];
    assert.equal(more.length, 0);
    assert.deepEqual(entrypoint.getJSONStrings().map((argument) => argument.getJSONValue()), ["node", "dist/tools/db/bin.js"]);
    const config = JSON.parse(fs.readFileSync(path.join(repoRoot, "tsconfig.db.json"), "utf8"));
    assert.deepEqual([config.compilerOptions.outDir, config.compilerOptions.rootDir, config.files], ["dist", ".", ["tools/db/bin.ts"]]);
    assert.ok(dockerfileText().includes("RUN node_modules/.bin/tsc -p tsconfig.db.json\n"));
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
      "--from=build /app/dist ./dist",
      "--from=build /app/rds-ca.pem ./",
      "package.json ./",
      "data/sync-rules.yaml data/test-data.yaml ./data/",
    ]);
    const instructions = DockerfileParser.parse(dockerfileText()).getInstructions();
    assert.deepEqual(keyword(instructions, "ADD"), []);
    assert.deepEqual(instructions.filter((instruction) => /\b[a-z]+:\/\//i.test(instruction.getArgumentsContent() ?? "")).map((i) => i.getKeyword()), []);
  });

  it("keeps the production dependencies but @pulumi/* (and the workspace) for npm prune: the modules stage's edit of package.json", () => {
    const edit = /&& node -e '(.*)' \\$/m.exec(dockerfileText());
    assert.ok(edit, "the modules stage's node -e");
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "db-image-modules-"));
    try {
      fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(folder, "package.json"));
      execFileSync(path.join(repoRoot, "node_modules", ".bin", "node"), ["-e", edit[1]], { cwd: folder });
      const original = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
      const edited = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"));
      assert.deepEqual(Object.keys(edited.dependencies).sort(), Object.keys(original.dependencies).filter((name) => !name.startsWith("@pulumi/")).sort());
      assert.equal(edited.workspaces, undefined);
      assert.deepEqual(edited.devDependencies, original.devDependencies, "npm prune --omit=dev drops those");
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it(".dockerignore keeps node_modules, .git, stack files, databases, .env files and exports out of the build", () => {
    const patterns = fs.readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    for (const required of [".git", "**/node_modules", "Pulumi.*.yaml", "**/*.db", "**/.env*", "exports", "**/exports"]) assert.ok(patterns.includes(required), required);
    assert.deepEqual(patterns.filter((line) => line.startsWith("!")), [], "nothing let back in");
  });

  it("compiles to a tool that loads only Node's modules and production dependencies (no @pulumi/*) and runs from the image's layout", async function () {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), "db-image-"));
    try {
      const external = compileTool(path.join(app, "dist"));
      const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
      const packages = [...external].filter((name) => !name.startsWith("node:") && !builtinModules.includes(name)).map(packageOf);
      assert.deepEqual([...new Set(packages)].sort(), ["@aws-sdk/client-s3", "@aws-sdk/lib-storage", "commander", "pg", "pg-copy-streams", "pg-cursor", "yaml", "zod"]);
      for (const name of packages) assert.ok(name in manifest.dependencies, `${name} is a production dependency`);
      // The image's /app: its files, and the repository's modules behind a guard that refuses any
      // package the compiled files load that is not a production dependency (or is @pulumi/*).
      fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(app, "package.json"));
      fs.mkdirSync(path.join(app, "data"));
      for (const file of ["sync-rules.yaml", "test-data.yaml"]) fs.copyFileSync(path.join(repoRoot, "data", file), path.join(app, "data", file));
      fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(app, "node_modules"));
      const allowed = Object.keys(manifest.dependencies).filter((name) => !name.startsWith("@pulumi/"));
      const guard = path.join(app, "guard.js");
      fs.writeFileSync(
        guard,
        `const Module = require("module"); const resolve = Module._resolveFilename; const allowed = ${JSON.stringify(allowed)};
Module._resolveFilename = function (request, parent, ...rest) {
  const name = request.split("/").slice(0, request.startsWith("@") ? 2 : 1).join("/");
  if (parent && parent.filename && parent.filename.startsWith(${JSON.stringify(path.join(app, "dist"))}) && !request.startsWith(".") && !request.startsWith("node:") && !allowed.includes(name)) throw new Error("not a production dependency: " + request);
  return resolve.call(this, request, parent, ...rest);
};`,
      );
      const node = path.join(repoRoot, "node_modules", ".bin", "node");
      const run = promisify(execFile);
      const help = await run(node, ["-r", guard, "dist/tools/db/bin.js", "--help"], { cwd: app });
      assert.match(help.stdout, /\n {2}export \[options\] {2}write the schema or an anonymised subset to files/);
      assert.match(help.stdout, /\n {2}import \[options\] {2}check an export whole/);
      // Bad input from the compiled copy, run from another folder as the task runs it (no stack files; the
      // task definition names the stack and its environment): the target passes the guard, the bucket does not.
      const task = { cwd: "/", env: { ...process.env, DATA_SYNC_STACK: "dev", DATA_SYNC_ENVIRONMENT: "development" } };
      await assert.rejects(run(node, ["-r", guard, path.join(app, "dist/tools/db/bin.js"), "import", "--in", "s3://b/", "--to-env", "DATABASE_URL", "--to-stack", "dev"], task), (error: { code: number; stderr: string }) => {
        assert.deepEqual([error.code, error.stderr], [2, 'db: --in: "b" is not an S3 bucket name\n']);
        return true;
      });
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
