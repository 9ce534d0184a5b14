// The one definition of production, and the stack names the program can build.
import { strict as assert } from "node:assert";
import { isProductionName, isProductionStack, nameEnvironmentConflict, productionReason } from "../packages/stack-files/src/production";
import { SecretValue } from "../packages/stack-files/src/secretValue";
import { stackNameProblem } from "../packages/stack-files/src/stackName";

describe("which stack is production (packages/stack-files/src/production.ts)", () => {
  const cases: [stack: string, environment: unknown, production: boolean][] = [
    ["prod", "production", true],
    ["production", "production", true],
    ["Prod", "production", true],
    ["PRODUCTION", undefined, true],
    ["live", "production", true],
    ["live", "staging", false],
    ["dev", "development", false],
    ["staging", "staging", false],
    ["prod-eu", "staging", false],
    ["produ", "development", false],
    // Production unless the environment is plainly development or staging: missing, another
    // spelling, another type or a secret all count as production.
    ["produ", undefined, true],
    ["live", "Production", true],
    ["live", "Development", true],
    ["live", "dev", true],
    ["live", "", true],
    ["live", 1, true],
    ["live", null, true],
    ["live", ["development"], true],
    ["live", { value: "development" }, true],
    ["live", new SecretValue("trading-bot:environment"), true],
  ];
  for (const [stack, environment, production] of cases) {
    it(`${stack} with environment ${String(environment)} is ${production ? "" : "not "}production`, () => {
      assert.equal(isProductionStack(stack, environment), production);
    });
  }

  it("says why a stack is production", () => {
    assert.equal(productionReason("PROD", "staging"), "its name is a production name (prod, production)");
    assert.equal(productionReason("live", "production"), "its stack file says trading-bot:environment: production");
    assert.equal(productionReason("dev", "development"), undefined);
  });

  it("takes other production names, still without regard to case", () => {
    assert.equal(isProductionName("Live", ["live"]), true);
    assert.equal(isProductionName("prod", ["live"]), false);
  });

  it("calls a production name with another environment a conflict", () => {
    assert.equal(
      nameEnvironmentConflict("prod", "development"),
      'the stack prod has a production name (prod, production) but trading-bot:environment is "development"; allowed: production',
    );
    assert.equal(nameEnvironmentConflict("Prod", 1), "the stack Prod has a production name (prod, production) but trading-bot:environment is 1 (a number); allowed: production");
    assert.equal(nameEnvironmentConflict("production", undefined), undefined, "a file that says nothing leaves the name to decide: production");
    assert.equal(nameEnvironmentConflict("prod", new SecretValue("trading-bot:environment")), undefined, "a secret environment cannot disagree: production");
    assert.equal(nameEnvironmentConflict("prod", "production"), undefined);
    assert.equal(nameEnvironmentConflict("live", "production"), undefined, "a production environment under another name is production, not a conflict");
    assert.equal(nameEnvironmentConflict("dev", "staging"), undefined);
  });
});

describe("stack names the program can build (packages/stack-files/src/stackName.ts)", () => {
  const rule = "use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen";
  for (const good of ["dev", "prod", "staging", "feature-x1", "a", "abcdefghij0123456789"]) {
    it(`accepts ${good}`, () => assert.equal(stackNameProblem(good), undefined));
  }
  const bad: [string, string][] = [
    ["Dev", '"Dev"'],
    ["PROD", '"PROD"'],
    ["feature_x", '"feature_x"'],
    ["feature.x", '"feature.x"'],
    ["feature--x", '"feature--x"'],
    ["feature-", '"feature-"'],
    ["1dev", '"1dev"'],
    ["", '""'],
    ["abcdefghij0123456789x", '"abcdefghij0123456789x"'],
    ["../prod", '"../prod"'],
    ["dev\n", '"dev\\n"'],
    // Shown whole up to 40 characters, cut after 40 beyond.
    ["y".repeat(40), `"${"y".repeat(40)}"`],
    ["y".repeat(41), `"${"y".repeat(40)}"... (41 characters)`],
    ["x".repeat(1000), `"${"x".repeat(40)}"... (1000 characters)`],
  ];
  for (const [name, shown] of bad) {
    it(`refuses ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}...` : name)}`, () => {
      assert.equal(stackNameProblem(name), `${shown} is not a stack name this project can build: ${rule}`);
    });
  }
});
