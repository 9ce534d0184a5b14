// What a rule may read: the declaration its policy-table row is printed from is all its check can
// see. Tests of the guard itself, and of every rule in the catalog against it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { rules } from "../../policies/catalog";
import { UndeclaredPropertyError, declaredJson, declaredProps, declaredTree } from "../../policies/declared";
import { containersOf } from "../../policies/containers";
import { checkResource, checkStack, configOf, configSchema } from "../../policies/evaluate";
import { parseImage } from "../../policies/imageReference";
import { ResourceRule, StackRule, isTrue, spellsTrue, stackOfUrn } from "../../policies/rule";
import { blockText } from "../../tools/docs/blocks";
import { renderPolicyTable } from "../../tools/policyTable";
import { runResourceRule, unknown } from "./harness";

const undeclared = (rule: string, path: string) => (error: unknown) =>
  error instanceof UndeclaredPropertyError && error.rule === rule && error.path === path &&
  error.message === `policy ${rule} read ${path}, which its declaration does not name`;

const props = {
  top: 1,
  nested: { known: "a", other: "b" },
  list: [{ name: "x", value: "1", secret: "s" }, { name: "y", value: "2", secret: "t" }],
  whole: { deep: { deeper: true } },
  json: JSON.stringify([{ name: "bot", image: "repo:1.0.0", environment: [{ name: "A", value: "1" }] }]),
};
const view = (paths: string[]) => declaredProps("test-rule", paths, props);

describe("a rule's declaration", () => {
  it("lets a check read a declared property and refuses any other", () => {
    const seen = view(["top"]);
    assert.equal(seen.top, 1);
    assert.throws(() => seen.nested, undeclared("test-rule", "nested"));
    assert.throws(() => seen.absent, undeclared("test-rule", "absent"), "an absent property is refused too: a fixture without it must not hide the read");
  });

  it("follows nested keys one by one", () => {
    const seen = view(["nested.known"]);
    assert.equal(seen.nested.known, "a");
    assert.throws(() => seen.nested.other, undeclared("test-rule", "nested.other"));
  });

  it("opens a list's elements with [] and a chosen element's key with [key=...]", () => {
    const seen = view(["list[name=x].value"]);
    assert.deepEqual(seen.list.map((e: { name: string; value: string }) => `${e.name}=${e.value}`), ["x=1", "y=2"]);
    assert.equal(seen.list.find((e: { name: string }) => e.name === "y").value, "2");
    assert.throws(() => seen.list[0].secret, undeclared("test-rule", "list[0].secret"));
    assert.equal(view(["list[].value"]).list.length, 2);
    assert.throws(() => view(["list[].value"]).list[1].name, undeclared("test-rule", "list[1].name"));
  });

  it("lets the key a selector names be read whole", () => {
    const seen = declaredProps("test-rule", ["tags[key=Name].value"], { tags: [{ key: { text: "Name" }, value: "bot", other: 1 }] });
    assert.equal(seen.tags[0].key.text, "Name");
    assert.throws(() => seen.tags[0].other, undeclared("test-rule", "tags[0].other"));
  });

  it("takes only canonical indexes of a list for elements: [10] is guarded like [0], \"01\" and length are not elements", () => {
    const list = Array.from({ length: 11 }, (_, index) => ({ name: `n${index}`, secret: "s" }));
    const seen = declaredProps("test-rule", ["list[].name"], { list });
    assert.equal(seen.list[10].name, "n10");
    assert.throws(() => seen.list[10].secret, undeclared("test-rule", "list[10].secret"));
    // Declared without [], the list has no elements to open: only what every list has is readable.
    const plain = declaredProps("test-rule", ["list.name"], { list });
    assert.equal(plain.list.length, 11);
    assert.equal(plain.list["01"], undefined);
    assert.throws(() => plain.list[0], undeclared("test-rule", "list[0]"));
  });

  it("lets a path's last key be read whole", () => {
    assert.equal(view(["whole"]).whole.deep.deeper, true);
    assert.deepEqual(view(["list"]).list[0], props.list[0]);
  });

  it("keeps what every object has: iteration, string conversion, Object.prototype", () => {
    const seen = view(["list[].name", "nested.known"]);
    assert.deepEqual([...seen.list].map((e) => e.name), ["x", "y"]);
    assert.equal(`${seen.nested.known}`, "a");
    assert.equal(typeof seen.nested.hasOwnProperty, "function");
  });

  it("guards below a declared key named like an Object.prototype member (constructor) as below any other", () => {
    const seen = declaredProps("test-rule", ["constructor.name"], { constructor: { name: "x", other: "y" } });
    const guarded = seen.constructor as unknown as Record<string, unknown>;
    assert.equal(guarded.name, "x");
    assert.throws(() => guarded.other, undeclared("test-rule", "constructor.other"));
  });

  it("reads a declared property that holds null as null", () => {
    const seen = declaredProps("test-rule", ["gone.inner", "list[].name"], { gone: null, list: [null] });
    assert.equal(seen.gone, null);
    assert.equal(seen.list[0], null);
  });

  it("parses a JSON property under the same declaration", () => {
    const containers = declaredJson(view(["json[].name", "json[].environment[].name"]), "json") as Record<string, any>[];
    assert.equal(containers[0].name, "bot");
    assert.equal(containers[0].environment[0].name, "A");
    assert.throws(() => containers[0].image, undeclared("test-rule", "json[0].image"));
    assert.throws(() => containers[0].environment[0].value, undeclared("test-rule", "json[0].environment[0].value"));
    assert.throws(() => declaredJson(props, "json"), /declaredJson\(json\) needs the properties a rule's check receives/);
  });

  it("names the whole path of a JSON property below the top level in its refusals", () => {
    const nested = declaredProps("test-rule", ["outer.json[].name"], { outer: { json: JSON.stringify([{ name: "bot", image: "repo:1.0.0" }]) } });
    const containers = declaredJson(nested.outer, "json") as Record<string, any>[];
    assert.equal(containers[0].name, "bot");
    assert.throws(() => containers[0].image, undeclared("test-rule", "outer.json[0].image"));
  });

  it("reads containers only from properties a rule's check receives, not calling others invalid JSON", () => {
    assert.deepEqual(containersOf(declaredProps("test-rule", ["containerDefinitions[].name"], { containerDefinitions: '[{"name":"bot"}]' })), [{ name: "bot" }]);
    assert.throws(() => containersOf({ containerDefinitions: "[]" }), /^Error: declaredJson\(containerDefinitions\) needs the properties a rule's check receives$/);
  });

  it("refuses a malformed path", () => {
    for (const path of ["", "a.", "a..b", "a[", "a[b]", "[]", "a[]x", "a.[]"]) {
      assert.throws(() => declaredTree([path]), new RegExp(`malformed property path ${JSON.stringify(path).replace(/[[\]]/g, "\\$&")}`), path);
    }
  });

  it("hides from a stack rule every resource type it does not declare, and undeclared dependencies", () => {
    const seen: string[] = [];
    const rule: StackRule = {
      kind: "stack", name: "peek", description: "", scope: "production", enforcementLevel: "mandatory", required: "", anchors: [],
      reads: { "aws:x:X": ["a"] },
      check(resources) {
        seen.push(...resources.map((r) => r.type));
        assert.deepEqual(resources[0].propertyDependencies.a, ["urn:y"]);
        assert.throws(() => resources[0].propertyDependencies.b, undeclared("peek", "b"));
        return [];
      },
    };
    checkStack(rule, [
      { urn: "urn:x", type: "aws:x:X", name: "x", props: { a: 1, b: 2 }, propertyDependencies: { a: ["urn:y"], b: ["urn:z"] } },
      { urn: "urn:y", type: "aws:y:Y", name: "y", props: { a: 1 } },
    ], configOf(rule, {}));
    assert.deepEqual(seen, ["aws:x:X"]);
  });

  it("gives a stack rule no resource type and protect false: it judges no one resource", () => {
    const rule: StackRule = {
      kind: "stack", name: "peek", description: "", scope: "production", enforcementLevel: "mandatory", required: "", anchors: [],
      reads: { "aws:x:X": [] }, readsOptions: ["protect"],
      check: (_resources, context) => [{ message: `${JSON.stringify(context.type)} ${context.protect}` }],
    };
    assert.deepEqual(checkStack(rule, [{ urn: "urn:x", type: "aws:x:X", name: "x", props: {} }], configOf(rule, {})), [{ message: '"" false' }]);
  });

  it("gives every rule the production stack names as config, prod and production by default", () => {
    const rule = rules[0];
    assert.deepEqual(configSchema(rule).properties.productionStacks, {
      type: "array",
      items: { type: "string" },
      default: ["prod", "production"],
      description: "Stack names treated as production (compared without regard to case)",
    });
    assert.deepEqual(configOf(rule, {}).productionStacks, ["prod", "production"]);
    assert.deepEqual(configOf(rule, { productionStacks: ["live"] }).productionStacks, ["live"]);
  });

  it("gives the protect option only to a rule that declares it", () => {
    const rule: ResourceRule = {
      kind: "resource", name: "peek", description: "", scope: "production", enforcementLevel: "mandatory", required: "", anchors: [],
      reads: { "aws:x:X": [] },
      check: (_props, context) => [String(context.protect)],
    };
    assert.throws(() => checkResource(rule, { type: "aws:x:X", props: {}, protect: true }, {}), undeclared("peek", "protect (resource option)"));
    assert.deepEqual(checkResource({ ...rule, readsOptions: ["protect"] }, { type: "aws:x:X", props: {}, protect: true }, {}), ["true"]);
    assert.deepEqual(checkResource({ ...rule, readsOptions: ["protect"] }, { type: "aws:x:X", props: {} }, {}), ["false"], "protect unset is false");
    assert.deepEqual(checkResource(rule, { type: "aws:y:Y", props: {} }, {}), [], "a type the rule does not read is not its concern");
  });

  it("stops a check on an undeclared read before it reads the value, even an unknown one", () => {
    const rule: ResourceRule = {
      kind: "resource", name: "peek", description: "", scope: "production", enforcementLevel: "mandatory", required: "", anchors: [],
      reads: { "aws:x:X": ["a"] },
      check: (p) => [String(p.b)],
    };
    assert.throws(() => runResourceRule(rule, "aws:x:X", { a: 1, b: unknown }), undeclared("peek", "b"));
  });
});

describe("the rules' shared helpers", () => {
  it("reads the stack out of a URN, and refuses what is not one", () => {
    assert.equal(stackOfUrn("urn:pulumi:prod::trading-bot::aws:s3/bucket:Bucket::b"), "prod");
    assert.equal(stackOfUrn("urn:pulumi:feature-x::trading-bot::pulumi:pulumi:Stack::trading-bot-feature-x"), "feature-x");
    for (const urn of ["prod::trading-bot", "urn:pulumi:::trading-bot::x", "xurn:pulumi:prod::p::t::n"]) {
      assert.throws(() => stackOfUrn(urn), new RegExp(`^Error: not a Pulumi URN: ${urn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`), urn);
    }
  });

  it("reads an image reference's tag and digest; a colon before the last slash is a registry port", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const cases: [image: string, tag: string | undefined, digest: string | undefined][] = [
      ["repo", undefined, undefined],
      ["repo:1.0", "1.0", undefined],
      ["localhost:5000/repo", undefined, undefined],
      ["localhost:5000/repo:1.0", "1.0", undefined],
      [`repo@${digest}`, undefined, digest],
      [`repo:1.0@${digest}`, "1.0", digest],
      [`localhost:5000/repo@${digest}`, undefined, digest],
      [`@${digest}`, undefined, digest],
    ];
    for (const [image, tag, expected] of cases) assert.deepEqual(parseImage(image), { tag, digest: expected }, image);
  });

  it("takes true and \"true\" in any case as a provider's true, nothing else", () => {
    for (const value of [true, "true", "TRUE", "True"]) assert.equal(isTrue(value), true, String(value));
    for (const value of [false, "false", "1", "yes", 1, undefined, null, "truee", " true"]) assert.equal(isTrue(value), false, String(value));
  });

  it("takes every spelling the app reads as true, whole words only", () => {
    for (const value of ["1", "on", "t", "true", "y", "yes", "YES", " On "]) assert.equal(spellsTrue(value), true, value);
    for (const value of [undefined, "", "0", "off", "f", "false", "n", "no", "truee", "xtrue", "yes!", "10", "onn"]) assert.equal(spellsTrue(value), false, String(value));
  });
});

describe("the catalog's declarations", () => {
  it("parse, and name every rule's properties in the policy table", () => {
    const table = renderPolicyTable();
    for (const rule of rules) {
      const row = table.split("\n").find((line) => line.startsWith(`| \`${rule.name}\` |`));
      assert.ok(row, rule.name);
      for (const [type, paths] of Object.entries(rule.reads)) {
        declaredTree(paths);
        assert.ok(row.includes(type), `${rule.name}: ${type}`);
        for (const path of paths) assert.ok(row.includes(path), `${rule.name}: ${path}`);
      }
    }
  });

  it("are what the policy table of docs/policies.md says", () => {
    const table = blockText(fs.readFileSync(path.join(__dirname, "..", "..", "docs", "policies.md"), "utf8"), "policy-table");
    assert.equal(table, renderPolicyTable(), "run npm run docs");
  });

  it("give every rule a one-line description", () => {
    for (const rule of rules) assert.match(rule.description, /^[A-Z][^\n]+[^.\n]$/, rule.name);
  });

  it("give every rule a unique name and at least one type", () => {
    assert.equal(new Set(rules.map((r) => r.name)).size, rules.length);
    for (const rule of rules) assert.ok(Object.keys(rule.reads).length > 0, rule.name);
  });
});
