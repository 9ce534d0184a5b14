// The pure parts of the tools that edit stack files, in-process: what env-sync copies
// (planSync), what promote checks and writes (pinnedImage, stageOf, checkStep, planPromotion),
// and the writer's pieces that take values (parseStackText, productionTwin, keepLineEndings,
// keepUntouchedLines, stackTextProblems). The tools themselves run as child processes in
// test/envSync.test.ts, test/promote.test.ts and test/stackFileWriter.test.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { EditRefused, InspectedTarget, StackText, keepLineEndings, keepUntouchedLines, lfText, parseStackText, productionTwin, sameFile, stackTextProblems } from "../tools/common/stackFileWriter";
import { planSync } from "../tools/envSync/index";
import { checkStep, pinnedImage, planPromotion, stageOf, stages } from "../tools/promote/index";

const committed = (stack: string) => fs.readFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8");
const read = (stack: string, text: string) => parseStackText(stack, text);
/** A target as the writer hands it over; planPromotion reads only its text, document and config. */
const target = (stack: string, text: string): InspectedTarget => ({ ...read(stack, text), directory: "/stacks", file: `/stacks/Pulumi.${stack}.yaml`, stat: {} as fs.BigIntStats });
const refusal = (message: string) => (error: unknown) => error instanceof EditRefused && error.message === message;
const digest = "0123456789abcdef".repeat(4);

/** A stack file holding only the shared keys (and one that is not shared). */
const shared = (logFormat: string, apiPrefix: string, strategies: string, extra = "") =>
  `config:\n  trading-bot:app:\n    logLevel: INFO\n    logFormat: ${logFormat}\n    apiPrefix: ${apiPrefix}\n  trading-bot:tradingConfig:\n    strategies: ${strategies}\n${extra}`;

describe("env-sync's plan (planSync)", () => {
  const base = shared("json", "/api/v1", "[a]");
  const cases: [what: string, source: string, target: string, copied: string[], secureCommands: string[], updatedText: string | undefined][] = [
    ["nothing differs", base, base, [], [], undefined],
    ["a key that is not shared differs", base.replace("logLevel: INFO", "logLevel: DEBUG"), base, [], [], undefined],
    ["one nested key differs", shared("text", "/api/v1", "[a]"), base, ["trading-bot:app.logFormat"], [], shared("text", "/api/v1", "[ a ]")],
    ["a value is copied as the source writes it, quotes kept", shared('"text"', "/api/v1", "[a]"), base, ["trading-bot:app.logFormat"], [], shared('"text"', "/api/v1", "[ a ]")],
    [
      "every shared key differs",
      shared("text", "/api/v2", "[b, c]"),
      base,
      ["trading-bot:app.logFormat", "trading-bot:app.apiPrefix", "trading-bot:tradingConfig"],
      [],
      shared("text", "/api/v2", "[ b, c ]"),
    ],
    ["the source lacks a shared key: the target keeps its own", "config:\n  trading-bot:app:\n    logFormat: json\n", base, [], [], undefined],
    [
      "the target lacks a shared key: it is added",
      shared("json", "/api/v1", "[a]"),
      "config:\n  trading-bot:app:\n    logLevel: INFO\n    logFormat: json\n    apiPrefix: /api/v1\n",
      ["trading-bot:tradingConfig"],
      [],
      "config:\n  trading-bot:app:\n    logLevel: INFO\n    logFormat: json\n    apiPrefix: /api/v1\n  trading-bot:tradingConfig:\n    strategies: [ a ]\n",
    ],
    [
      "the target lacks the mapping of nested shared keys: it is added",
      base,
      "config:\n  trading-bot:tradingConfig:\n    strategies: [a]\n",
      ["trading-bot:app.logFormat", "trading-bot:app.apiPrefix"],
      [],
      "config:\n  trading-bot:tradingConfig:\n    strategies: [ a ]\n  trading-bot:app:\n    logFormat: json\n    apiPrefix: /api/v1\n",
    ],
    [
      "the same values, written differently (an alias in the target)",
      base,
      "x: &json json\nconfig:\n  trading-bot:app:\n    logLevel: INFO\n    logFormat: *json\n    apiPrefix: \"/api/v1\"\n  trading-bot:tradingConfig:\n    strategies:\n      - a\n",
      [],
      [],
      undefined,
    ],
    [
      "a nested shared key the source holds as a secret: a command with --path, nothing copied",
      shared("{ secure: v1:abc }", "/api/v1", "[a]"),
      base,
      [],
      ["pulumi config cp --stack staging --dest dev --path 'trading-bot:app.logFormat'"],
      undefined,
    ],
    [
      "a top-level shared key holding a secret deep inside: a command without --path",
      shared("json", "/api/v1", "[{ key: { secure: v1:abc } }]"),
      base,
      [],
      ["pulumi config cp --stack staging --dest dev 'trading-bot:tradingConfig'"],
      undefined,
    ],
  ];
  for (const [what, sourceText, targetText, copied, secureCommands, updatedText] of cases) {
    it(what, () => {
      const source = read("staging", sourceText);
      const into = read("dev", targetText);
      const plan = planSync(source, into);
      assert.deepEqual(plan, { copied, secureCommands, updatedText });
      assert.equal(into.document.toString(), YAML.parseDocument(targetText).toString(), "the target's document is not modified");
      assert.equal(source.document.toString(), YAML.parseDocument(sourceText).toString(), "the source's document is not modified");
    });
  }
});

describe("env-sync's plan refuses a parent of a nested shared key that is not a plain mapping", () => {
  const notPlain = (stack: string) => `Pulumi.${stack}.yaml: trading-bot:app is not a plain mapping in the file; set trading-bot:app.logFormat there by hand`;
  const tradingConfig = "  trading-bot:tradingConfig:\n    strategies: [a]\n";
  const targets: [what: string, text: string][] = [
    ["empty (null)", `config:\n  trading-bot:app:\n${tradingConfig}`],
    ["a string", `config:\n  trading-bot:app: text\n${tradingConfig}`],
    ["an alias", `base: &app\n  logLevel: INFO\n  logFormat: json\n  apiPrefix: /api/v1\nconfig:\n  trading-bot:app: *app\n${tradingConfig}`],
  ];
  for (const [what, text] of targets) {
    it(`in the target: ${what}`, () => {
      assert.throws(() => planSync(read("staging", shared("text", "/api/v1", "[a]")), read("dev", text)), refusal(notPlain("dev")));
    });
  }
});

describe("env-sync's plan refuses a shared value the source writes with a YAML alias or merge key", () => {
  const aliased = (key: string) => `Pulumi.staging.yaml: ${key} is written with a YAML alias or merge key; write it out to copy it`;
  const app = "  logLevel: INFO\n  logFormat: text\n  apiPrefix: /api/v1\n";
  const sources: [what: string, text: string, key: string][] = [
    ["an alias value", `x: &fmt text\n${shared("*fmt", "/api/v1", "[a]")}`, "trading-bot:app.logFormat"],
    ["an alias inside a shared mapping", `x: &s [b]\n${shared("json", "/api/v1", "*s")}`, "trading-bot:tradingConfig"],
    ["a parent that is an alias", `base: &app\n${app}config:\n  trading-bot:app: *app\n  trading-bot:tradingConfig:\n    strategies: [a]\n`, "trading-bot:app.logFormat"],
    ["a merge key", `base: &app\n${app}config:\n  trading-bot:app:\n    <<: *app\n  trading-bot:tradingConfig:\n    strategies: [a]\n`, "trading-bot:app.logFormat"],
  ];
  for (const [what, text, key] of sources) {
    it(`in the source: ${what}`, () => {
      assert.throws(() => planSync(read("staging", text), read("dev", shared("json", "/api/v1", "[a]"))), refusal(aliased(key)));
    });
  }
  // The Pulumi CLI reads trading-bot:config:app and app as trading-bot:app; the document API does not.
  for (const written of ["trading-bot:config:app", "app"]) {
    it(`in the source: a shared key spelt ${written}`, () => {
      const text = shared("json", "/api/v1", "[a]").replace("  trading-bot:app:", `  ${written}:`);
      assert.throws(() => planSync(read("staging", text), read("dev", shared("json", "/api/v1", "[a]"))), refusal(`Pulumi.staging.yaml: trading-bot:app is written as ${written}; write it as trading-bot:app to copy it`));
    });
  }
});

describe("env-sync's plan, on documents the stack-file reader would refuse", () => {
  it("takes a mapping that holds secure beside other keys for a value, not a secret", () => {
    const text = shared("{ secure: v1:abc, note: x }", "/api/v1", "[a]");
    const source = { stack: "staging", fileName: "Pulumi.staging.yaml", document: YAML.parseDocument(text), config: YAML.parse(text).config, respelledKeys: {} };
    const plan = planSync(source, read("dev", shared("json", "/api/v1", "[a]")));
    assert.deepEqual(plan, { copied: ["trading-bot:app.logFormat"], secureCommands: [], updatedText: shared("{ secure: v1:abc, note: x }", "/api/v1", "[ a ]") });
  });
});

describe("promote's checks (pinnedImage, stageOf, checkStep) and plan (planPromotion)", () => {
  const withImage = (image: string, environment = "development") => `config:\n  trading-bot:environment: ${environment}\n  trading-bot:app:\n    image: ${image}\n`;
  const notPinned = (shown: string) =>
    `Pulumi.dev.yaml: trading-bot:app.image is ${shown}, not pinned by digest; promote only <repository>@sha256:<64 hex digits>, the digest the build pushed, so every stage runs the same build`;

  const pinned = [`123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot@sha256:${digest}`, `bot@sha256:${digest}`, `localhost:5000/team/bot@sha256:${digest}`];
  for (const image of pinned) {
    it(`promotes ${image.slice(0, 40)}...`, () => assert.equal(pinnedImage(read("dev", withImage(image))), image));
  }
  const refused: [what: string, text: string, message: string][] = [
    ["a tag", withImage("bot:1.4.2"), notPinned('"bot:1.4.2"')],
    ["a tag and a digest", withImage(`bot:1.4.2@sha256:${digest}`), notPinned(`"bot:1.4.2@sha256:${digest}"`)],
    ["a short digest", withImage(`bot@sha256:${digest.slice(1)}`), notPinned(`"bot@sha256:${digest.slice(1)}"`)],
    ["an upper-case digest", withImage(`bot@sha256:${digest.toUpperCase()}`), notPinned(`"bot@sha256:${digest.toUpperCase()}"`)],
    ["a digest with text after it", withImage(`bot@sha256:${digest}x`), notPinned(`"bot@sha256:${digest}x"`)],
    ["text before the repository", withImage(` -bot@sha256:${digest}`), notPinned(`"-bot@sha256:${digest}"`)],
    ["an upper-case repository", withImage(`Bot@sha256:${digest}`), notPinned(`"Bot@sha256:${digest}"`)],
    ["a secret", "config:\n  trading-bot:app:\n    image:\n      secure: v1:abc\n", notPinned("not a plain string")],
    ["a number", withImage("42"), notPinned("not a plain string")],
    ["no image", "config:\n  trading-bot:app:\n    logLevel: INFO\n", "Pulumi.dev.yaml has no trading-bot:app.image to promote"],
    ["no app at all", "config:\n  trading-bot:environment: development\n", "Pulumi.dev.yaml has no trading-bot:app.image to promote"],
    ["an app that is not a mapping", "config:\n  trading-bot:app: bot\n", "Pulumi.dev.yaml has no trading-bot:app.image to promote"],
    ["an app that is null", "config:\n  trading-bot:app: null\n", "Pulumi.dev.yaml has no trading-bot:app.image to promote"],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses an image with ${what}`, () => assert.throws(() => pinnedImage(read("dev", text)), refusal(message)));
  }

  it("moves images through the schema's environments in order", () => assert.deepEqual(stages, ["development", "staging", "production"]));

  const stageCases: [environment: string | undefined, stage: number | string][] = [
    ["development", 0],
    ["staging", 1],
    ["production", 2],
    ["prod", 'Pulumi.qa.yaml: trading-bot:environment is "prod"; allowed: development, staging, production'],
    ["Production", 'Pulumi.qa.yaml: trading-bot:environment is "Production"; allowed: development, staging, production'],
    [undefined, "Pulumi.qa.yaml: trading-bot:environment is null; allowed: development, staging, production"],
  ];
  for (const [environment, stage] of stageCases) {
    it(`reads the stage of ${environment ?? "a file without an environment"}: ${stage}`, () => {
      const file = read("qa", environment === undefined ? "config: {}\n" : `config:\n  trading-bot:environment: ${environment}\n`);
      if (typeof stage === "number") assert.equal(stageOf(file), stage);
      else assert.throws(() => stageOf(file), refusal(stage));
    });
  }

  const env = (stack: string, environment: string) => read(stack, `config:\n  trading-bot:environment: ${environment}\n`);
  const order = "images move one stage at a time: development -> staging -> production";
  const steps: [from: StackText, to: StackText, refused: string | undefined][] = [
    [env("dev", "development"), env("staging", "staging"), undefined],
    [env("staging", "staging"), env("prod", "production"), undefined],
    [env("dev", "development"), env("prod", "production"), `refusing to promote from dev (development) to prod (production): it skips staging; ${order}`],
    [env("prod", "production"), env("staging", "staging"), `refusing to promote from prod (production) to staging (staging): it goes backwards; ${order}`],
    [env("prod", "production"), env("dev", "development"), `refusing to promote from prod (production) to dev (development): it goes backwards; ${order}`],
    [env("staging", "staging"), env("uat", "staging"), `refusing to promote from staging (staging) to uat (staging): both are the same stage; ${order}`],
    [env("dev", "development"), env("qa", "development"), `refusing to promote from dev (development) to qa (development): both are the same stage; ${order}`],
  ];
  for (const [from, to, message] of steps) {
    it(`${message === undefined ? "allows" : "refuses"} ${from.stack} -> ${to.stack}`, () => {
      if (message === undefined) assert.doesNotThrow(() => checkStep(from, to));
      else assert.throws(() => checkStep(from, to), refusal(message));
    });
  }

  const image = `bot@sha256:${digest}`;
  const planCases: [what: string, text: string, updatedText: string | undefined | Error][] = [
    ["a target with another image", "config:\n  trading-bot:app:\n    image: bot:1.0 # the old one\n    logLevel: INFO\n", `config:\n  trading-bot:app:\n    image: ${image} # the old one\n    logLevel: INFO\n`],
    ["a target without an image", "config:\n  trading-bot:app:\n    logLevel: INFO\n", `config:\n  trading-bot:app:\n    logLevel: INFO\n    image: ${image}\n`],
    ["a target with a flow mapping", "config:\n  trading-bot:app: { logLevel: INFO }\n", `config:\n  trading-bot:app: { logLevel: INFO, image: ${image} }\n`],
    ["a target that already runs the image", `config:\n  trading-bot:app:\n    image: ${image}\n`, undefined],
    ["a target whose app is an alias", "x: &app\n  image: bot:1.0\nconfig:\n  trading-bot:app: *app\n", new EditRefused("Pulumi.staging.yaml: trading-bot:app is not a plain mapping in the file; set the image by hand")],
    ["a target without an app", "config:\n  trading-bot:environment: staging\n", new EditRefused("Pulumi.staging.yaml: trading-bot:app is not a plain mapping in the file; set the image by hand")],
  ];
  for (const [what, text, updatedText] of planCases) {
    it(`plans ${what}`, () => {
      const into = target("staging", text);
      if (updatedText instanceof Error) assert.throws(() => planPromotion(into, image), refusal(updatedText.message));
      else assert.deepEqual(planPromotion(into, image), { image, updatedText });
      assert.equal(into.document.toString(), YAML.parseDocument(text).toString(), "the target's document is not modified");
    });
  }
});

describe("the stack file writer's pieces that take values", () => {
  const identityCases: [a: { dev: bigint; ino: bigint }, b: { dev: bigint; ino: bigint }, same: boolean][] = [
    [{ dev: 1n, ino: 2n }, { dev: 1n, ino: 2n }, true],
    [{ dev: 1n, ino: 2n }, { dev: 9n, ino: 2n }, false],
    [{ dev: 1n, ino: 2n }, { dev: 1n, ino: 9n }, false],
  ];
  for (const [a, b, same] of identityCases) {
    it(`sameFile(${a.dev}/${a.ino}, ${b.dev}/${b.ino}) is ${same}`, () => assert.equal(sameFile(a, b), same));
  }

  const parseCases: [stack: string, text: string, environment: unknown, productionReason: string | undefined][] = [
    ["qa", "config:\n  trading-bot:environment: staging\n", "staging", undefined],
    ["qa", "config:\n  trading-bot:environment: production\n", "production", "its stack file says trading-bot:environment: production"],
    ["prod", "config: {}\n", undefined, "its name is a production name (prod, production)"],
    ["qa", "", undefined, "its stack file has no trading-bot:environment; only development or staging make a stack non-production"],
    ["qa", "# only a comment\n", undefined, "its stack file has no trading-bot:environment; only development or staging make a stack non-production"],
    ["qa", "base: &base\n  trading-bot:environment: production\nconfig:\n  <<: *base\n", "production", "its stack file says trading-bot:environment: production"],
  ];
  for (const [stack, text, environment, productionReason] of parseCases) {
    it(`parseStackText reads ${JSON.stringify(text)} of ${stack}`, () => {
      const parsed = parseStackText(stack, text);
      assert.deepEqual(
        { stack: parsed.stack, fileName: parsed.fileName, text: parsed.text, environment: parsed.environment, productionReason: parsed.productionReason },
        { stack, fileName: `Pulumi.${stack}.yaml`, text, environment, productionReason },
      );
      assert.deepEqual(parsed.config, (YAML.parse(text, { merge: true }) as { config?: unknown } | null)?.config ?? {});
      assert.equal(parsed.document.toString(), YAML.parseDocument(text).toString());
    });
  }
  it("parseStackText refuses what the stack-file reader refuses, in its words", () => {
    assert.throws(() => parseStackText("qa", "config: 3\n"), refusal('Pulumi.qa.yaml: "config" must be a mapping of keys to values'));
  });
  it("parseStackText refuses a merge key YAML cannot apply, in one line", () => {
    assert.throws(() => parseStackText("qa", "config:\n  <<: 5\n"), refusal("Pulumi.qa.yaml: not a usable stack file: Merge sources must be maps or map aliases"));
  });

  const prod = { dev: 1n, ino: 20n };
  const entries = [
    { fileName: "Pulumi.dev.yaml", stack: "dev", identity: { dev: 1n, ino: 10n } },
    { fileName: "Pulumi.prod.yaml", stack: "prod", identity: prod },
    { fileName: "Pulumi.live.yaml", stack: "live", identity: { dev: 1n, ino: 30n } },
    { fileName: "Pulumi.gone.yaml", stack: "gone", identity: undefined },
  ];
  const twinCases: [identity: { dev: bigint; ino: bigint }, fileName: string, environment: unknown, twin: string | undefined][] = [
    [prod, "Pulumi.Prod.yaml", "production", "Pulumi.prod.yaml"],
    [prod, "Pulumi.qa.yaml", undefined, "Pulumi.prod.yaml"],
    [prod, "Pulumi.prod.yaml", "production", undefined],
    [{ dev: 2n, ino: 20n }, "Pulumi.qa.yaml", "production", undefined],
    [{ dev: 1n, ino: 10n }, "Pulumi.qa.yaml", "development", undefined],
    [{ dev: 1n, ino: 30n }, "Pulumi.qa.yaml", "production", "Pulumi.live.yaml"],
    [{ dev: 1n, ino: 30n }, "Pulumi.qa.yaml", "staging", undefined],
  ];
  for (const [identity, fileName, environment, twin] of twinCases) {
    it(`productionTwin of ${fileName} (${identity.dev}/${identity.ino}, ${String(environment)}): ${twin}`, () => {
      assert.equal(productionTwin(identity, fileName, entries, environment), twin);
    });
  }

  const endings: [before: string, after: string, kept: string][] = [
    ["a: 1\nb: 2\n", "a: 1\nb: 3\n", "a: 1\nb: 3\n"],
    ["a: 1\r\nb: 2\r\n", "a: 1\nb: 3\n", "a: 1\r\nb: 3\r\n"],
    ["a: 1\r\nb: 2\r\n", "a: 1\r\nb: 3\r\n", "a: 1\r\nb: 3\r\n"],
    ["a: 1\nb: 2\n", "a: 1\r\nb: 3\r\n", "a: 1\nb: 3\n"],
    ["\uFEFFa: 1\r\n", "a: 2\n", "\uFEFFa: 2\r\n"],
    ["\uFEFFa: 1\n", "\uFEFFa: 2\n", "\uFEFFa: 2\n"],
    ["a: 1\n", "\uFEFFa: 2\n", "a: 2\n"],
    ["a: 1\n", "a: \uFEFF2\n", "a: \uFEFF2\n"],
  ];
  for (const [before, after, kept] of endings) {
    it(`keepLineEndings(${JSON.stringify(before)}, ${JSON.stringify(after)})`, () => assert.equal(keepLineEndings(before, after), kept));
  }
  for (const [text, lf] of [["a\r\nb\r\n", "a\nb\n"], ["a\rb\n", "a\rb\n"], ["a\n", "a\n"]]) {
    it(`lfText(${JSON.stringify(text)})`, () => assert.equal(lfText(text), lf));
  }

  const untouched: [what: string, original: string, roundTrip: string, edited: string, result: string][] = [
    ["keeps untouched lines as written", "a: [x]\nb: old\n", "a: [ x ]\nb: old\n", "a: [ x ]\nb: new\n", "a: [x]\nb: new\n"],
    ["keeps a run of untouched lines as written", "a: [x]\nb: [y]\nc: old\n", "a: [ x ]\nb: [ y ]\nc: old\n", "a: [ x ]\nb: [ y ]\nc: new\n", "a: [x]\nb: [y]\nc: new\n"],
    ["keeps them around an added line", "a: [x]\nb: 1\n", "a: [ x ]\nb: 1\n", "a: [ x ]\nc: 2\nb: 1\n", "a: [x]\nc: 2\nb: 1\n"],
    ["keeps them around a removed line", "a: [x]\nb: 1\nc: [y]\n", "a: [ x ]\nb: 1\nc: [ y ]\n", "a: [ x ]\nc: [ y ]\n", "a: [x]\nc: [y]\n"],
    ["keeps CRLF originals' lines (the caller restores the endings)", "a: [x]\r\nb: old\r\n", "a: [ x ]\nb: old\n", "a: [ x ]\nb: new\n", "a: [x]\nb: new\n"],
    ["takes the edit when the line counts differ", "a: {\n  b: old }\n", "a: { b: old }\n", "a: { b: new }\n", "a: { b: new }\n"],
    // Lined up against the round trip, the original's extra blank line would push "# end" out of the result.
    ["takes the edit when the line counts differ, so no comment is lost", "a:   [x]\nb: 1 # c\n\n\n# end\n", "a: [ x ]\nb: 1 # c\n\n# end\n", "a: [ x ]\nb: 2 # c\n\n# end\n",
      "a: [ x ]\nb: 2 # c\n\n# end\n"],
    ["takes the edit when the kept lines would change its meaning", "a: 1\nb: 2\n", "a: 1\nb: 3\n", "a: 1\nb: 3\nc: 4\n", "a: 1\nb: 3\nc: 4\n"],
    ["takes the edit when the kept lines would not parse", "a: [x\nb: 1\n", "a: [ x ]\nb: 1\n", "a: [ x ]\nb: 2\n", "a: [ x ]\nb: 2\n"],
  ];
  for (const [what, original, roundTrip, edited, result] of untouched) {
    it(`keepUntouchedLines ${what}`, () => assert.equal(keepUntouchedLines(original, roundTrip, edited), result));
  }

  it("stackTextProblems finds none in the committed stack files", () => {
    for (const stack of ["dev", "staging", "prod"]) assert.deepEqual(stackTextProblems(stack, committed(stack)), [], stack);
  });
  const problems: [what: string, stack: string, text: string, lines: string[]][] = [
    [
      "lists the schema's problems, one line each",
      "dev",
      committed("dev").replace("logFormat: json", "logFormat: xml").replace("desiredCount: 1", "desiredCount: -1"),
      ["Pulumi.dev.yaml: trading-bot:app.logFormat is \"xml\"; allowed: json, text", "Pulumi.dev.yaml: trading-bot:service.desiredCount is -1; allowed: tasks from 0 to 100"],
    ],
    ["gives the reader's refusal", "dev", "config: 3\n", ['Pulumi.dev.yaml: "config" must be a mapping of keys to values']],
  ];
  for (const [what, stack, text, lines] of problems) {
    it(`stackTextProblems ${what}`, () => assert.deepEqual(stackTextProblems(stack, text), lines));
  }
});
