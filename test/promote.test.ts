// `npm run promote` on real stack files in a temporary folder: what it decides through its main
// in-process; the first promotion in a child process, as a user runs it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { main as promoteMain, stages } from "../tools/promote/index";
import { inProcess, repoRoot } from "./helpers";
import { type LinkedTarget, backupsIn, committed, fingerprint, folderWith, leftovers, prodLinkedTargets, read, runTool, stackPath } from "./stackFileTools";

/** `npm run promote -- -C <folder> ...args` in a child process. */
const promoteProcess = (folder: string, ...args: string[]) => runTool("promote", folder, args);
/** The tool's main in this process, output captured. */
const promote = (folder: string, ...args: string[]) => inProcess(() => promoteMain(["-C", folder, ...args], { projectRoot: repoRoot }));
const imageOf = (text: string) => (YAML.parse(text) as { config: Record<string, any> }).config["trading-bot:app"].image as string;

const repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot";
const digest = `${repository}@sha256:${"0123456789abcdef".repeat(4)}`;
const devTag = `${repository}:dev`;
/** dev running `image`; the committed dev file. */
const devWith = (image: string) => committed("dev").replace(`image: ${devTag}`, `image: ${image}`);
/** A staging stack file: dev's settings with the staging environment. */
const stagingWith = (image: string) => devWith(image).replace("environment: development", "environment: staging").replace("Stack: dev", "Stack: staging");
const prodWith = (image: string) => committed("prod").replace(`image: ${repository}:1.0.0`, `image: ${image}`);

/** dev pinned by digest, staging and prod on version tags. */
const stages3 = () => ({ dev: devWith(digest), staging: stagingWith(`${repository}:0.9.0`), prod: committed("prod") });

describe("npm run promote", () => {
  it("takes the stage order from the schema's environments", () => {
    assert.deepEqual(stages, ["development", "staging", "production"]);
  });

  it("copies the digest from dev to staging, keeping every other line and comment, with a backup", () => {
    const folder = folderWith(stages3());
    const before = read(folder, "staging");
    const run = promoteProcess(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 0, run.stderr);
    const after = read(folder, "staging");
    assert.equal(after, before.replace(`image: ${repository}:0.9.0`, `image: ${digest}`), "only the image line changed: comments and key order kept");
    assert.equal(imageOf(after), digest);
    assert.match(run.stdout, new RegExp(`^Promoting trading-bot:app\\.image from Pulumi\\.dev\\.yaml to Pulumi\\.staging\\.yaml: ${digest.replace(/[.]/g, "\\.")}$`, "m"));
    assert.match(run.stdout, /^-    image: .*trading-bot:0\.9\.0$/m);
    assert.match(run.stdout, /^\+    image: .*@sha256:[0-9a-f]{64}$/m);
    const [backup] = backupsIn(folder);
    assert.equal(fs.readFileSync(path.join(folder, ".pulumi-backups", backup), "utf8"), before);
    assert.match(run.stdout, new RegExp(`^Backed up the old Pulumi\\.staging\\.yaml to \\.pulumi-backups/${backup.replace(/\./g, "\\.")}\\.$`, "m"));
    assert.match(run.stdout, /\nApply it: pulumi up --stack staging\n$/);
    assert.equal(run.stderr, "");
    assert.equal(read(folder, "dev"), devWith(digest));
  });

  it("promotes into production only with --yes, and says so", async () => {
    const folder = folderWith({ ...stages3(), staging: stagingWith(digest) });
    const prodBefore = fingerprint(stackPath(folder, "prod"));
    const refused = await promote(folder, "--from", "staging", "--to", "prod");
    assert.equal(refused.status, 2);
    assert.equal(
      refused.stderr,
      "promote: refusing to promote into prod without --yes: it is a production stack: its name is a production name (prod, production); check the change with --dry-run, then pass --yes\n",
    );
    assert.deepEqual(fingerprint(stackPath(folder, "prod")), prodBefore);
    assert.deepEqual(leftovers(folder), []);
    const run = await promote(folder, "--from", "staging", "--to", "prod", "--yes");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "promote: warning: wrote the production stack file Pulumi.prod.yaml\n");
    assert.equal(read(folder, "prod"), prodWith(digest));
  });

  it("takes a stack's stage from its own file, not its name: dev -> uat (staging) -> live (production, --yes)", async () => {
    const live = prodWith(`${repository}:1.0.0`).replace("Stack: prod", "Stack: live");
    const folder = folderWith({ dev: devWith(digest), uat: stagingWith(`${repository}:0.9.0`), live });
    assert.equal((await promote(folder, "--from", "dev", "--to", "uat")).status, 0);
    const refused = await promote(folder, "--from", "uat", "--to", "live");
    assert.equal(refused.status, 2);
    assert.equal(
      refused.stderr,
      "promote: refusing to promote into live without --yes: it is a production stack: its stack file says trading-bot:environment: production; check the change with --dry-run, then pass --yes\n",
    );
    assert.equal((await promote(folder, "--from", "uat", "--to", "live", "--yes")).status, 0);
    assert.equal(imageOf(read(folder, "live")), digest);
  });

  it("says so when the target already runs the image (exit 0, nothing written)", async () => {
    const folder = folderWith({ ...stages3(), staging: stagingWith(digest) });
    const run = await promote(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `Pulumi.staging.yaml already runs ${digest}; nothing to promote.\n`);
    assert.deepEqual(leftovers(folder), []);
  });

  it("prints the diff and writes nothing with --dry-run (into production too, without --yes)", async () => {
    const folder = folderWith({ ...stages3(), staging: stagingWith(digest) });
    const prodBefore = fingerprint(stackPath(folder, "prod"));
    const run = await promote(folder, "--from", "staging", "--to", "prod", "--dry-run");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\+    image: .*@sha256:[0-9a-f]{64}$/m);
    assert.match(run.stdout, /\nDry run: nothing written\.\n$/);
    assert.deepEqual(fingerprint(stackPath(folder, "prod")), prodBefore);
    assert.deepEqual(leftovers(folder), []);
  });

  const sourceImages: [string, string, string][] = [
    ["a version tag", `${repository}:1.4.2`, `"${repository}:1.4.2"`],
    ["a tag that looks like a digest", `${repository}:sha256-${"0123456789abcdef".repeat(4)}`, `"${repository}:sha256-${"0123456789abcdef".repeat(4)}"`],
    ["a short digest", `${repository}@sha256:0123456789abcdef`, `"${repository}@sha256:0123456789abcdef"`],
    ["a tag and a digest", `${repository}:1.4.2@sha256:${"0123456789abcdef".repeat(4)}`, `"${repository}:1.4.2@sha256:${"0123456789abcdef".repeat(4)}"`],
  ];
  for (const [what, image, shown] of sourceImages) {
    it(`refuses a source image pinned by ${what} rather than by digest (exit 2)`, async () => {
      const folder = folderWith({ ...stages3(), dev: devWith(image) });
      const before = fingerprint(stackPath(folder, "staging"));
      const run = await promote(folder, "--from", "dev", "--to", "staging");
      assert.equal(run.status, 2);
      assert.equal(
        run.stderr,
        `promote: Pulumi.dev.yaml: trading-bot:app.image is ${shown}, not pinned by digest; promote only <repository>@sha256:<64 hex digits>, the digest the build pushed, so every stage runs the same build\n`,
      );
      assert.deepEqual(fingerprint(stackPath(folder, "staging")), before);
      assert.deepEqual(leftovers(folder), []);
    });
  }

  it("refuses a source image held as a secret (exit 2)", async () => {
    const folder = folderWith({ ...stages3(), dev: committed("dev").replace(`image: ${devTag}`, "image:\n      secure: v1:aW1hZ2U=") });
    const run = await promote(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^promote: Pulumi\.dev\.yaml: trading-bot:app\.image is not a plain string, not pinned by digest; /);
    assert.doesNotMatch(run.stderr, /aW1hZ2U/);
  });

  it("refuses a source without an image (exit 2)", async () => {
    const folder = folderWith({ ...stages3(), dev: devWith(digest).replace(`    image: ${digest}\n`, "") });
    const run = await promote(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "promote: Pulumi.dev.yaml has no trading-bot:app.image to promote\n");
  });

  it("refuses a target whose trading-bot:app is not a plain mapping (an alias), rather than guess (exit 2)", async () => {
    // The app settings under a top-level key the Pulumi CLI ignores, and trading-bot:app an alias of them.
    const staging = stagingWith(`${repository}:0.9.0`);
    const app = /  trading-bot:app:\n((?: {4}.*\n)+)/.exec(staging)!;
    const viaAlias = `app-base: &app\n${app[1].replace(/^ {2}/gm, "")}${staging.replace(app[0], "  trading-bot:app: *app\n")}`;
    assert.match(viaAlias, /^  trading-bot:app: \*app$/m);
    const folder = folderWith({ ...stages3(), staging: viaAlias });
    const before = fingerprint(stackPath(folder, "staging"));
    const run = await promote(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "promote: Pulumi.staging.yaml: trading-bot:app is not a plain mapping in the file; set the image by hand\n");
    assert.deepEqual(fingerprint(stackPath(folder, "staging")), before);
    assert.deepEqual(leftovers(folder), []);
  });

  const steps: [string, Record<string, string>, string, string, string][] = [
    [
      "skipping a stage (development -> production)",
      stages3(),
      "dev",
      "prod",
      "promote: refusing to promote from dev (development) to prod (production): it skips staging; images move one stage at a time: development -> staging -> production\n",
    ],
    [
      "going backwards (staging -> development)",
      { ...stages3(), staging: stagingWith(digest) },
      "staging",
      "dev",
      "promote: refusing to promote from staging (staging) to dev (development): it goes backwards; images move one stage at a time: development -> staging -> production\n",
    ],
    [
      "going backwards out of production (production -> staging)",
      { ...stages3(), prod: prodWith(digest) },
      "prod",
      "staging",
      "promote: refusing to promote from prod (production) to staging (staging): it goes backwards; images move one stage at a time: development -> staging -> production\n",
    ],
    [
      "going sideways (staging -> staging)",
      { ...stages3(), staging: stagingWith(digest), qa: stagingWith(`${repository}:0.9.0`) },
      "staging",
      "qa",
      "promote: refusing to promote from staging (staging) to qa (staging): both are the same stage; images move one stage at a time: development -> staging -> production\n",
    ],
    [
      "a target whose environment is not a stage",
      { ...stages3(), qa: stagingWith(`${repository}:0.9.0`).replace("  trading-bot:environment: staging\n", "") },
      "dev",
      "qa",
      "promote: Pulumi.qa.yaml: trading-bot:environment is null; allowed: development, staging, production\n",
    ],
  ];
  for (const [what, files, from, to, message] of steps) {
    it(`refuses ${what} (exit 2), even with --yes`, async () => {
      const folder = folderWith(files);
      const before = fingerprint(stackPath(folder, to));
      const run = await promote(folder, "--from", from, "--to", to, "--yes");
      assert.equal(run.status, 2);
      assert.equal(run.stderr, message);
      assert.deepEqual(fingerprint(stackPath(folder, to)), before);
      assert.deepEqual(leftovers(folder), []);
    });
  }

  const targets: LinkedTarget[] = [
    ["the same stack twice", () => undefined, "dev", "promote: --from and --to name the same stack\n"],
    ...prodLinkedTargets("promote", {
      symbolic: "a target that is a symbolic link to prod's file",
      hard: "a target that is a hard link to prod's file",
    }),
    [
      "a stack name the project cannot build (Staging)",
      (folder) => fs.symlinkSync("Pulumi.staging.yaml", stackPath(folder, "Staging")),
      "Staging",
      'promote: "Staging" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen\n',
    ],
    ["a missing target", () => undefined, "qa", "promote: Pulumi.qa.yaml does not exist in FOLDER\n"],
  ];
  for (const [what, prepare, to, message] of targets) {
    it(`refuses ${what} (exit 2), even with --yes, prod untouched`, async () => {
      const folder = folderWith({ ...stages3(), staging: stagingWith(digest) });
      prepare(folder);
      const prodBefore = fingerprint(stackPath(folder, "prod"));
      const from = to === "dev" ? "dev" : "staging";
      const run = await promote(folder, "--from", from, "--to", to, "--yes");
      assert.equal(run.status, 2);
      assert.equal(run.stderr, message.replace("FOLDER", folder));
      assert.deepEqual(fingerprint(stackPath(folder, "prod")), prodBefore);
      assert.deepEqual(leftovers(folder), []);
    });
  }

  it("refuses a result that fails the schema before writing anything (exit 1)", async () => {
    const broken = stagingWith(`${repository}:0.9.0`).replace("cpu: 256", "cpu: 300");
    const folder = folderWith({ dev: devWith(digest), staging: broken });
    const before = fingerprint(stackPath(folder, "staging"));
    const run = await promote(folder, "--from", "dev", "--to", "staging");
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      "promote: the promoted Pulumi.staging.yaml would fail the stack config schema; nothing written:\n" +
        "  Pulumi.staging.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384\n",
    );
    assert.deepEqual(fingerprint(stackPath(folder, "staging")), before);
    assert.deepEqual(leftovers(folder), []);
  });
});
