// stacks/stackFileKeys.ts and packages/stack-files/src/yamlSource.ts, in-process: every key outside the
// project's namespace with the line it gets, and YAML numbers JSON cannot hold kept as written.
// (test/config.test.ts checks the same rules through the schema, on whole stack files.)
import { strict as assert } from "node:assert";
import { KeyContext, allowedAccountOf, awsCredentialKeys, awsProviderKeys, otherKeyProblem, pulumiKeysAllowed, secretValueProblem } from "../stacks/stackFileKeys";
import { YamlSourceText, markYamlSource, withYamlSource } from "../packages/stack-files/src/yamlSource";

/** The config keys of @pulumi/aws 7 (test/config.test.ts compares the module's list with the installed provider). */
const awsKeys = [
  "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle", "defaultTags", "ec2MetadataServiceEndpoint",
  "ec2MetadataServiceEndpointMode", "endpoints", "forbiddenAccountIds", "httpProxy", "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy",
  "profile", "region", "retryMode", "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey", "sharedConfigFiles", "sharedCredentialsFiles",
  "skipCredentialsValidation", "skipMetadataApiCheck", "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "tagPolicyCompliance", "token",
  "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
];
const credentials = ["accessKey", "secretKey", "token"];

const plain: KeyContext = { file: "Pulumi.qa.yaml", stack: "qa", project: "trading-bot", isSecret: false };
const secret: KeyContext = { ...plain, isSecret: true };
const better = " (better: no key in the stack file at all, with OIDC in CI, or aws sso login or aws:profile on a workstation)";
const namespaces = "allowed namespaces: trading-bot, aws (the aws provider's settings), pulumi (pulumi:tags only)";

describe("stack file keys outside the project's namespace (stacks/stackFileKeys.ts)", () => {
  it("lists the aws provider's keys, its credentials and the one pulumi: key", () => {
    assert.deepEqual([...awsProviderKeys], awsKeys);
    assert.deepEqual(awsCredentialKeys, credentials);
    assert.deepEqual(pulumiKeysAllowed, ["pulumi:tags"]);
  });

  for (const key of awsKeys.filter((k) => !credentials.includes(k) && k !== "allowedAccountIds")) {
    it(`accepts aws:${key}, in plain text or as a secret`, () => {
      assert.equal(otherKeyProblem(`aws:${key}`, "x", plain), undefined);
      assert.equal(otherKeyProblem(`aws:${key}`, "x", secret), undefined);
    });
  }

  it("accepts aws:allowedAccountIds naming exactly one quoted 12-digit account, and refuses anything else in one line", () => {
    assert.equal(allowedAccountOf('["012345678901"]'), "012345678901");
    assert.equal(allowedAccountOf(undefined), undefined);
    assert.equal(otherKeyProblem("aws:allowedAccountIds", '["111111111111"]', plain), undefined);
    const allowed = 'allowed: exactly one 12-digit account id, quoted, e.g. ["111111111111"]';
    for (const [value, shown] of [
      ["[12345678901]", "[12345678901]"], // 012345678901 unquoted: YAML's number, its leading zero lost
      ['["111111111111","222222222222"]', '["111111111111","222222222222"]'],
      ["[]", "[]"],
      ['["11111111111a"]', '["11111111111a"]'],
      ['["1111111111111"]', '["1111111111111"]'],
      ["111111111111", "111111111111"],
      ['{"id":"111111111111"}', '{"id":"111111111111"}'],
    ]) {
      assert.equal(otherKeyProblem("aws:allowedAccountIds", value, plain), `Pulumi.qa.yaml: aws:allowedAccountIds is ${shown}; ${allowed}`, value);
    }
  });

  const cases: [key: string, value: unknown, context: KeyContext, problem: string | undefined][] = [
    ...credentials.flatMap((name): [string, unknown, KeyContext, string | undefined][] => [
      [`aws:${name}`, "AKIA-not-shown", secret, undefined],
      [`aws:${name}`, "AKIA-not-shown", plain, `Pulumi.qa.yaml: aws:${name} is stored in plain text; set it again with: pulumi config set --secret aws:${name} <value> --stack qa${better}`],
      [`aws:${name}`, "", secret, `Pulumi.qa.yaml: aws:${name} is empty; set it with: pulumi config set --secret aws:${name} <value> --stack qa${better}`],
      [`aws:${name}`, 42, secret, `Pulumi.qa.yaml: aws:${name} is empty; set it with: pulumi config set --secret aws:${name} <value> --stack qa${better}`],
    ]),
    ["aws:regoin", "us-east-1", plain, `Pulumi.qa.yaml: aws:regoin is not a setting of the aws provider; it takes ${awsKeys.map((k) => `aws:${k}`).join(", ")}`],
    ["aws:Region", "us-east-1", plain, `Pulumi.qa.yaml: aws:Region is not a setting of the aws provider; it takes ${awsKeys.map((k) => `aws:${k}`).join(", ")}`],
    ["aws:", "x", plain, `Pulumi.qa.yaml: aws: is not a setting of the aws provider; it takes ${awsKeys.map((k) => `aws:${k}`).join(", ")}`],
    ["pulumi:tags", { team: "trading" }, plain, undefined],
    ["pulumi:disable-default-providers", ["aws"], plain, "Pulumi.qa.yaml: pulumi:disable-default-providers is not allowed: of the pulumi namespace a stack file of this project may hold pulumi:tags only"],
    ["pulumi:Tags", {}, plain, "Pulumi.qa.yaml: pulumi:Tags is not allowed: of the pulumi namespace a stack file of this project may hold pulumi:tags only"],
    ["Pulumi:tags", {}, plain, `Pulumi.qa.yaml: Pulumi:tags is in the namespace Pulumi, which nothing in this project reads; ${namespaces}`],
    ["AWS:region", "us-east-1", plain, `Pulumi.qa.yaml: AWS:region is in the namespace AWS, which nothing in this project reads; ${namespaces}`],
    ["gcp:project", "acme", plain, `Pulumi.qa.yaml: gcp:project is in the namespace gcp, which nothing in this project reads; ${namespaces}`],
    ["region", "us-east-1", plain, `Pulumi.qa.yaml: region has no namespace (keys are written <namespace>:<name>); ${namespaces}`],
    [":region", "us-east-1", plain, `Pulumi.qa.yaml: :region has no namespace (keys are written <namespace>:<name>); ${namespaces}`],
  ];
  for (const [key, value, context, problem] of cases) {
    it(`${problem === undefined ? "accepts" : "refuses"} ${key} = ${JSON.stringify(value)}${context.isSecret ? " (secret)" : ""}`, () => {
      assert.equal(otherKeyProblem(key, value, context), problem);
    });
  }

  it("names the project's own namespace and file in its lines", () => {
    const other: KeyContext = { file: "Pulumi.eu.yaml", stack: "eu", project: "other-bot", isSecret: false };
    assert.equal(otherKeyProblem("x:y", 1, other), "Pulumi.eu.yaml: x:y is in the namespace x, which nothing in this project reads; allowed namespaces: other-bot, aws (the aws provider's settings), pulumi (pulumi:tags only)");
  });

  const secretCases: [value: unknown, context: KeyContext, problem: string | undefined][] = [
    ["s3cr3t", secret, undefined],
    ["s3cr3t", plain, "Pulumi.qa.yaml: trading-bot:secrets.bybitApiKey is stored in plain text; set it again with: pulumi config set --secret trading-bot:secrets.bybitApiKey <value> --stack qa"],
    ["", secret, "Pulumi.qa.yaml: trading-bot:secrets.bybitApiKey is empty; set it with: pulumi config set --secret trading-bot:secrets.bybitApiKey <value> --stack qa"],
    [undefined, secret, "Pulumi.qa.yaml: trading-bot:secrets.bybitApiKey is empty; set it with: pulumi config set --secret trading-bot:secrets.bybitApiKey <value> --stack qa"],
  ];
  for (const [value, context, problem] of secretCases) {
    it(`secretValueProblem: ${JSON.stringify(value) ?? "undefined"}${context.isSecret ? " as a secret" : " in plain text"}`, () => {
      assert.equal(secretValueProblem("trading-bot:secrets.bybitApiKey", value, context), problem);
    });
  }
});

describe("YAML numbers JSON cannot hold, kept as written (packages/stack-files/src/yamlSource.ts)", () => {
  it("marks the source text with a NUL prefix no stack file can hold", () => {
    assert.equal(markYamlSource(".nan"), "\u0000yaml-source:.nan");
  });

  it("turns a marked string back into a value that prints as written and serialises to nothing", () => {
    const value = withYamlSource(markYamlSource("-.inf"));
    assert.ok(value instanceof YamlSourceText);
    assert.equal(value.source, "-.inf");
    assert.equal(`${value}`, "-.inf");
    assert.equal(JSON.stringify(value), undefined);
    assert.equal(JSON.stringify({ days: value }), "{}");
  });

  const unchanged: unknown[] = ["plain", "", "x\u0000yaml-source:.nan", "yaml-source:.nan", 7, null, undefined, true];
  for (const value of unchanged) {
    it(`leaves ${JSON.stringify(value) ?? "undefined"} as it is`, () => assert.equal(withYamlSource(value), value));
  }

  it("replaces marked strings inside arrays and objects, at any depth, keeping everything else", () => {
    const result = withYamlSource({ a: [1, markYamlSource(".inf"), { b: markYamlSource(".nan"), c: "text" }], d: null }) as {
      a: [number, YamlSourceText, { b: YamlSourceText; c: string }];
      d: null;
    };
    assert.deepEqual(Object.keys(result), ["a", "d"]);
    assert.equal(result.a[0], 1);
    assert.equal(String(result.a[1]), ".inf");
    assert.ok(result.a[1] instanceof YamlSourceText);
    assert.ok(result.a[2].b instanceof YamlSourceText);
    assert.equal(String(result.a[2].b), ".nan");
    assert.equal(result.a[2].c, "text");
    assert.equal(result.d, null);
  });
});
