// The one stack-file reader (packages/stack-files/src/stackFile.ts): it must read a file as the Pulumi CLI
// does, since every tool decides production from what it returns.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SecretValue } from "../packages/stack-files/src/secretValue";
import { StackFileError, checkProjectFolder, parseStackFile, readStackFile, stackFileMaxBytes, stackFileProductionReason } from "../packages/stack-files/src/stackFile";

const refusal = (message: string) => (error: unknown) => {
  assert.ok(error instanceof StackFileError, String(error));
  assert.equal(error.message, message);
  return true;
};

const project = "name: trading-bot\nruntime: nodejs\n";
function folderWith(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-reader-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), text);
  return folder;
}

/**
 * Every way to write `trading-bot:environment: production` that the Pulumi CLI reads as that
 * (yaml.v3 applies merge keys and aliases and decodes !!binary; ParseKey maps <ns>:config:<key>;
 * a key without a namespace gets the project's; secure values are decrypted).
 */
export const productionSpellings: Record<string, string> = {
  "the plain line": "config:\n  trading-bot:environment: production\n",
  "a merge key": 'config:\n  <<: {"trading-bot:environment": production}\n',
  "a merge key of an anchor outside config": "base: &base\n  trading-bot:environment: production\nconfig:\n  <<: *base\n",
  "the legacy <ns>:config:<key> form": "config:\n  trading-bot:config:environment: production\n",
  "no namespace (the project's)": "config:\n  environment: production\n",
  "!!binary": "config:\n  trading-bot:environment: !!binary cHJvZHVjdGlvbg==\n",
  "an alias": "names:\n  - &live production\nconfig:\n  trading-bot:environment: *live\n",
  "a quoted string": 'config:\n  "trading-bot:environment": "production"\n',
  "!!str": "config:\n  trading-bot:environment: !!str production\n",
  "a byte order mark": "\uFEFFconfig:\n  trading-bot:environment: production\n",
};

describe("the stack-file reader reads what the Pulumi CLI reads", () => {
  for (const [what, text] of Object.entries(productionSpellings)) {
    it(`reads trading-bot:environment written as ${what}`, () => {
      const file = parseStackFile("live", text);
      assert.equal(file.config["trading-bot:environment"], "production");
      assert.match(stackFileProductionReason(file) ?? "", /^its stack file says (trading-bot:environment|trading-bot:config:environment|environment): production$/);
    });
  }

  it("names the key as written when it is spelt another way", () => {
    assert.equal(stackFileProductionReason(parseStackFile("live", productionSpellings["the legacy <ns>:config:<key> form"])), "its stack file says trading-bot:config:environment: production");
    assert.deepEqual(parseStackFile("live", "config:\n  environment: staging\n").respelledKeys, { "trading-bot:environment": "environment" });
  });

  it("reads a secure value as a secret nobody here can read, at the top or inside", () => {
    const file = parseStackFile("live", "config:\n  trading-bot:environment:\n    secure: v1:AAAA\n  trading-bot:app:\n    token:\n      - secure: v1:BBBB\n");
    assert.ok(file.config["trading-bot:environment"] instanceof SecretValue);
    assert.deepEqual(JSON.parse(JSON.stringify(file.config)), { "trading-bot:environment": "[secret]", "trading-bot:app": { token: ["[secret]"] } });
    assert.deepEqual(file.secretKeys, ["trading-bot:environment", "trading-bot:app"]);
    assert.equal(
      stackFileProductionReason(file),
      "its trading-bot:environment is a secret (secure:), which nothing here can read; only development or staging make a stack non-production",
    );
  });

  it("decodes !!binary anywhere to the text its bytes hold", () => {
    const file = parseStackFile("dev", "config:\n  trading-bot:app:\n    logLevel: !!binary REVCVUc=\n");
    assert.deepEqual(file.config["trading-bot:app"], { logLevel: "DEBUG" });
  });

  it("applies an explicit key over a merged one, as the CLI's library does", () => {
    const file = parseStackFile("dev", 'config:\n  <<: {"trading-bot:environment": production}\n  trading-bot:environment: development\n');
    assert.equal(file.config["trading-bot:environment"], "development");
  });

  it("reads an empty file, a comment or an empty config as no config", () => {
    for (const text of ["", "# nothing\n", "config:\n", "config: {}\n", "secretsprovider: passphrase\n"]) {
      assert.deepEqual(parseStackFile("dev", text).config, {}, JSON.stringify(text));
    }
  });

  const refused: [what: string, text: string, message: string][] = [
    ["two spellings of one key", "config:\n  trading-bot:environment: development\n  trading-bot:config:environment: production\n",
      "Pulumi.qa.yaml: trading-bot:environment is written twice, as trading-bot:environment and as trading-bot:config:environment; the Pulumi CLI would keep one of them at random: keep one"],
    ["a key with and without the namespace", "config:\n  environment: production\n  trading-bot:environment: development\n",
      "Pulumi.qa.yaml: trading-bot:environment is written twice, as environment and as trading-bot:environment; the Pulumi CLI would keep one of them at random: keep one"],
    ["a key the CLI cannot parse", "config:\n  trading-bot:app:image: x\n",
      "Pulumi.qa.yaml: trading-bot:app:image is not a config key the Pulumi CLI can read; write keys as <namespace>:<name>"],
    ["three colons", "config:\n  a:config:b:c: x\n", "Pulumi.qa.yaml: a:config:b:c is not a config key the Pulumi CLI can read; write keys as <namespace>:<name>"],
    ["an empty namespace in the legacy form", "config:\n  :config:environment: production\n",
      "Pulumi.qa.yaml: :config:environment is not a config key the Pulumi CLI can read; write keys as <namespace>:<name>"],
    ["a duplicate key", "config:\n  trading-bot:environment: development\n  trading-bot:environment: production\n",
      "Pulumi.qa.yaml line 3: not valid YAML: Map keys must be unique at line 3, column 3:"],
    ["an unknown tag", "config:\n  trading-bot:environment: !prod development\n", "Pulumi.qa.yaml line 2: not valid YAML: Unresolved tag: !prod at line 2, column 28:"],
    ["a second document", "config: {}\n---\nconfig:\n  trading-bot:environment: production\n",
      "Pulumi.qa.yaml line 2: not valid YAML: Source contains multiple documents; please use YAML.parseAllDocuments() at line 2, column 1:"],
    ["Pulumi ESC imports", "environment:\n  - trading/prod\nconfig: {}\n",
      "Pulumi.qa.yaml: environment imports Pulumi ESC environments, whose config no tool here can read offline; keep every setting in the stack file"],
    ["a !!binary value that is not UTF-8 text", "config:\n  trading-bot:environment: !!binary /w==\n", "Pulumi.qa.yaml: a !!binary value is not UTF-8 text; write the value out"],
    ["a file that is a list", "- config\n", "Pulumi.qa.yaml: a stack file is a mapping with a config key"],
    ["a config that is a list", "config:\n  - a\n", 'Pulumi.qa.yaml: "config" must be a mapping of keys to values'],
    ["an alias bomb", `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nconfig: {}\n`,
      'Pulumi.qa.yaml: its YAML aliases expand beyond 100 (an alias bomb, "billion laughs"): write the values out'],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what} in one line`, () => {
      assert.throws(() => parseStackFile("qa", text), refusal(message));
    });
  }
});

describe("the stack-file reader opens the file before it trusts it", () => {
  it("reads a source through a symbolic link, judged by its content", () => {
    const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.prod.yaml": "config:\n  trading-bot:environment: production\n" });
    fs.symlinkSync("Pulumi.prod.yaml", path.join(folder, "Pulumi.live.yaml"));
    const file = readStackFile(folder, "live");
    assert.equal(stackFileProductionReason(file), "its stack file says trading-bot:environment: production");
  });

  it("refuses a target that is a symbolic link, or a file with another name", () => {
    const folder = folderWith({ "Pulumi.prod.yaml": "config:\n  trading-bot:environment: production\n" });
    fs.symlinkSync("Pulumi.prod.yaml", path.join(folder, "Pulumi.qa.yaml"));
    assert.throws(() => readStackFile(folder, "qa", "target"), refusal("Pulumi.qa.yaml is a symbolic link; a stack file must be a regular file of its own"));
    fs.rmSync(path.join(folder, "Pulumi.qa.yaml"));
    fs.linkSync(path.join(folder, "Pulumi.prod.yaml"), path.join(folder, "Pulumi.qa.yaml"));
    assert.throws(
      () => readStackFile(folder, "qa", "target"),
      refusal("Pulumi.qa.yaml has 2 hard links, so another name (maybe a production stack's file) opens the same file; a stack file must have exactly one"),
    );
  });

  it("never blocks on a FIFO: the open returns at once, and the file is refused", () => {
    const folder = folderWith({});
    assert.equal(spawnSync("mkfifo", [path.join(folder, "Pulumi.qa.yaml")]).status, 0);
    for (const role of ["source", "target"] as const) assert.throws(() => readStackFile(folder, "qa", role), refusal("Pulumi.qa.yaml is not a regular file"));
  });

  it("refuses a file over the limit, and a missing one, and a stack name it cannot build", () => {
    const folder = folderWith({ "Pulumi.big.yaml": `config: {}\n#${"x".repeat(stackFileMaxBytes)}\n` });
    assert.throws(() => readStackFile(folder, "big"), refusal("Pulumi.big.yaml is 1.0 MiB; a stack file may hold at most 1 MiB"));
    assert.throws(() => readStackFile(folder, "gone"), refusal(`Pulumi.gone.yaml does not exist in ${folder}`));
    assert.throws(() => readStackFile(folder, "../prod"), refusal('"../prod" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen'));
  });
});

describe("the project folder: where the Pulumi CLI reads these stack files and no others", () => {
  const refusedFolders: [what: string, files: Record<string, string>, message: string][] = [
    ["a Pulumi.json beside Pulumi.yaml (the CLI reads it first)", { "Pulumi.yaml": project, "Pulumi.json": "{}" },
      "Pulumi.json in FOLDER: the Pulumi CLI would read it as the project file, and its stack files would not be the ones these tools read; keep Pulumi.yaml only"],
    ["a Pulumi.yml", { "Pulumi.yml": project },
      "Pulumi.yml in FOLDER: the Pulumi CLI would read it as the project file, and its stack files would not be the ones these tools read; keep Pulumi.yaml only"],
    ["a project file in another case", { "pulumi.YAML": project },
      "pulumi.YAML in FOLDER: the Pulumi CLI would read it as the project file, and its stack files would not be the ones these tools read; keep Pulumi.yaml only"],
    ["stackConfigDir", { "Pulumi.yaml": `${project}stackConfigDir: config\n` },
      "Pulumi.yaml sets stackConfigDir: every stack's settings live in Pulumi.<stack>.yaml beside it, where every tool reads them; remove stackConfigDir"],
    ["project-level config", { "Pulumi.yaml": `${project}config:\n  trading-bot:environment:\n    default: development\n` },
      "Pulumi.yaml sets config: every stack's settings live in Pulumi.<stack>.yaml beside it, where every tool reads them; remove config"],
    ["another project's name", { "Pulumi.yaml": "name: other\nruntime: nodejs\n" }, 'Pulumi.yaml names the project "other"; this program is trading-bot'],
  ];
  for (const [what, files, message] of refusedFolders) {
    it(`refuses ${what}`, () => {
      const folder = folderWith({ ...files, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n" });
      assert.throws(() => readStackFile(folder, "dev"), refusal(message.replace("FOLDER", folder)));
    });
  }

  it("accepts the committed project folder, and a folder of stack files without a project file", () => {
    checkProjectFolder(path.resolve(__dirname, ".."));
    checkProjectFolder(folderWith({ "Pulumi.dev.yaml": "config: {}\n" }));
  });
});
