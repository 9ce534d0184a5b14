// The bootstrap project (bootstrap/) under Pulumi's mocks: one run per stack, shared by the
// tests that read it (test/bootstrapRuns.ts). prod, which owns the GitHub settings, reads
// nonprod's role ARNs through a StackReference, given from nonprod's own run.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseBootstrapConfig } from "../bootstrap/config";
import { bootstrapProgram } from "../bootstrap/program";
import { standInReviewerId, withStandIns } from "../bootstrap/standIns";
import { environmentRules, rolesOf } from "../bootstrap/trust";
import { spawnSync } from "node:child_process";
import { bootstrapRules, deployRoleBoundary, environmentBranchRules, oidcTrustExact } from "../bootstrap/policies/rules";
import { checkResource, checkStack } from "../policies/evaluate";
import { githubOwnerProblem, main as bootstrapPlan } from "../tools/bootstrapPlan/index";
import { runUnderMocks } from "../tools/engine/mockRun";
import { PolicyPackProcess, analyzeResources } from "../tools/engine/policyPack";
import { stackResourceOf } from "../tools/engine/resource";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { readProgramConfig } from "../tools/engine/stackFile";
import * as bootstrapRuns from "./bootstrapRuns";
import { bootstrapFolder } from "./bootstrapRuns";
import { repoRoot } from "./helpers";

const { runBootstrapStacks } = bootstrapRuns;

const byType = (run: MockRunResult, type: string) => run.resources.filter((r) => r.type === type);
const role = (run: MockRunResult, name: string) => byType(run, "aws:iam/role:Role").find((r) => r.name === name)!;
const document = (resource: RecordedResource, key = "policy") => JSON.parse(String(resource.inputs[key]));

describe("bootstrap/ under mocks (one run per stack)", () => {
  let nonprod: MockRunResult;
  let prod: MockRunResult;
  before(async () => {
    ({ nonprod, prod } = await runBootstrapStacks());
  });

  it("creates GitHub's OIDC provider in each account: audience sts.amazonaws.com, no thumbprint", () => {
    for (const run of [nonprod, prod]) {
      const [provider] = byType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
      assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.equal(provider.inputs.thumbprintLists, undefined);
    }
    assert.equal(nonprod.outputs.oidcProviderArn, "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com");
    assert.equal(prod.outputs.accountId, "111111111111");
  });

  it("creates one role per job kind of each stage the account hosts, each trusting aud and exact subjects (an environment and its events, no wildcard)", () => {
    assert.deepEqual(byType(nonprod, "aws:iam/role:Role").map((r) => r.name), [...rolesOf("development"), ...rolesOf("staging")].map((r) => r.name));
    assert.deepEqual(byType(prod, "aws:iam/role:Role").map((r) => r.name), rolesOf("production").map((r) => r.name));
    const deploy = role(prod, "trading-bot-production-deploy");
    assert.deepEqual(document(deploy, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GitHubActionsJobOfOneEnvironmentAndEvent",
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:your-org/trading-bot:environment:production:event_name:push",
            },
          },
        },
      ],
    });
    assert.equal(deploy.inputs.path, "/github-actions/");
    assert.equal(deploy.state.arn, "arn:aws:iam::111111111111:role/github-actions/trading-bot-production-deploy");
    const subjectOf = (r: RecordedResource) => document(r, "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
    // The read-only preview role: pull requests, and the drift check (scheduled or dispatched).
    assert.deepEqual(subjectOf(role(nonprod, "trading-bot-development-preview")), [
      "repo:your-org/trading-bot:environment:development-preview:event_name:pull_request",
      "repo:your-org/trading-bot:environment:development-preview:event_name:schedule",
      "repo:your-org/trading-bot:environment:development-preview:event_name:workflow_dispatch",
    ]);
    assert.equal(subjectOf(role(nonprod, "trading-bot-staging-data-import")), "repo:your-org/trading-bot:environment:staging:event_name:workflow_dispatch");
    assert.equal(subjectOf(role(prod, "trading-bot-production-data-export")), "repo:your-org/trading-bot:environment:production-data-export:event_name:workflow_dispatch");
  });

  it("trusts the immutable subject too once the repository's ids are configured", async () => {
    const file = withStandIns(readProgramConfig(bootstrapFolder, "nonprod", "trading-bot-bootstrap"));
    const repository = JSON.parse(file.config["trading-bot-bootstrap:repository"]);
    const withIds = { ...file, config: { ...file.config, "trading-bot-bootstrap:repository": JSON.stringify({ ...repository, ownerId: 123456, repositoryId: 456789 }) } };
    const run = await runUnderMocks(withIds, bootstrapProgram, { project: "trading-bot-bootstrap" });
    const sub = document(role(run, "trading-bot-development-deploy"), "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
    assert.deepEqual(sub, [
      "repo:your-org/trading-bot:environment:development:event_name:push",
      "repo:your-org@123456/trading-bot@456789:environment:development:event_name:push",
    ]);
  });

  it("puts every role under the permissions boundary, with the session its job needs", () => {
    for (const run of [nonprod, prod]) {
      const [boundary] = byType(run, "aws:iam/policy:Policy");
      for (const r of byType(run, "aws:iam/role:Role")) {
        assert.equal(r.inputs.permissionsBoundary, boundary.state.arn, r.name);
        assert.equal(r.inputs.maxSessionDuration, r.name.endsWith("-deploy") ? 7200 : 3600, r.name);
      }
    }
  });

  it("the boundary: the project's services; never the boundary itself, the OIDC provider, the bootstrap's roles, a role without it, a lifted boundary", () => {
    const [boundary] = byType(prod, "aws:iam/policy:Policy");
    const statements = document(boundary).Statement as { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    const arn = "arn:aws:iam::111111111111:policy/trading-bot-permissions-boundary";
    assert.equal(boundary.state.arn, arn);
    const denied = Object.fromEntries(statements.filter((s) => s.Effect === "Deny").map((s) => [s.Sid, [s.Action, s.Resource, s.Condition]]));
    assert.deepEqual(denied.DenyChangingTheBoundary[1], arn);
    assert.deepEqual(denied.DenyTouchingTheOidcProvider[0], ["iam:*OpenIDConnectProvider*"]);
    assert.deepEqual(denied.DenyTouchingTheBootstrapRoles, [["iam:*"], "arn:aws:iam::111111111111:role/github-actions/*", undefined]);
    assert.deepEqual(denied.DenyLiftingABoundary, ["iam:DeleteRolePermissionsBoundary", "*", undefined]);
    assert.deepEqual(denied.DenyRolesWithoutTheBoundary[2], { StringNotEquals: { "iam:PermissionsBoundary": arn } });
    // A managed policy holds at most 6,144 characters (IAM quota).
    assert.ok(String(boundary.inputs.policy).length < 6_144, `${String(boundary.inputs.policy).length} characters`);
  });

  it("a deploy role creates and changes roles only with the boundary on, passes them to ECS tasks only, and reaches the project's resources by tag or name", () => {
    const policy = document(byType(nonprod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "trading-bot-development-deploy-policy")!);
    const sid = (name: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === name);
    assert.deepEqual(sid("CreateProjectRolesWithTheBoundary").Condition, { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::222222222222:policy/trading-bot-permissions-boundary" } });
    assert.equal(sid("CreateProjectRolesWithTheBoundary").Resource, "arn:aws:iam::222222222222:role/trading-bot-*");
    assert.deepEqual(sid("PassProjectRolesToTasks").Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    assert.deepEqual(sid("rdsTagged").Condition, { StringEquals: { "aws:ResourceTag/Project": "trading-bot" } });
    assert.deepEqual(sid("rdsCreateTagged").Condition, { StringEquals: { "aws:RequestTag/Project": "trading-bot" } });
    assert.deepEqual(sid("s3Named").Resource, ["arn:aws:s3:::trading-bot-*", "arn:aws:s3:::trading-config-*"]);
    assert.deepEqual(sid("logsNamed").Resource, ["arn:aws:logs:us-east-1:222222222222:log-group:/ecs/trading-bot-*", "arn:aws:logs:us-east-1:222222222222:log-group:/aws/rds/instance/trading-bot-*"]);
    // An inline policy of a role holds at most 10,240 characters (IAM quota).
    assert.ok(JSON.stringify(policy).length < 10_240, `${JSON.stringify(policy).length} characters`);
  });

  it("a preview role reads (ReadOnlyAccess) but no secret value; a data role starts the data-sync tasks and reads their logs", () => {
    const attachment = byType(nonprod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find((a) => a.name === "trading-bot-staging-preview-read-only")!;
    assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    const denials = document(byType(nonprod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "trading-bot-staging-preview-policy")!);
    assert.deepEqual(denials.Statement[0].Action, ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]);
    assert.equal(denials.Statement[0].Effect, "Deny");
    const exporter = document(byType(prod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "trading-bot-production-data-export-policy")!);
    assert.deepEqual(exporter.Statement.map((s: { Sid: string }) => s.Sid), ["RunTheDataSyncTasks", "FollowAndStopThem", "PassTheirRoles", "ReadTheTasksLogs"]);
    assert.equal(exporter.Statement[3].Resource, "arn:aws:logs:us-east-1:111111111111:log-group:/ecs/trading-bot-*:*");
    const importer = document(byType(nonprod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "trading-bot-development-data-import-policy")!);
    assert.equal(importer.Statement.at(-1).Sid, "RestartTheService");
  });

  it("refuses, one line each, a GitHub-owning stack naming no production reviewer (the committed one, until set) and a stack naming no account", () => {
    const committed = readProgramConfig(bootstrapFolder, "prod", "trading-bot-bootstrap");
    assert.throws(() => parseBootstrapConfig("prod", committed.config), {
      message: "bootstrap/Pulumi.prod.yaml: trading-bot-bootstrap:github.productionReviewers: name at least one team or user id (gh api users/<login> --jq .id): production waits for their approval",
    });
    const { "aws:allowedAccountIds": _account, ...withoutAccount } = readProgramConfig(bootstrapFolder, "nonprod", "trading-bot-bootstrap").config;
    assert.throws(() => parseBootstrapConfig("nonprod", withoutAccount), {
      message: 'bootstrap/Pulumi.nonprod.yaml: aws:allowedAccountIds is missing; the bootstrap\'s roles are one account\'s: add aws:allowedAccountIds: [ "<12-digit account id>" ]',
    });
    assert.throws(() => parseBootstrapConfig("nonprod", { ...withoutAccount, "aws:allowedAccountIds": '["2222"]' }), {
      message: 'bootstrap/Pulumi.nonprod.yaml: aws:allowedAccountIds is ["2222"]; allowed: exactly one 12-digit account id, quoted, e.g. ["111111111111"]',
    });
  });

  it("only the stack with trading-bot-bootstrap:github owns GitHub resources: nonprod has none", () => {
    assert.deepEqual(nonprod.resources.filter((r) => r.type.startsWith("github:")), []);
    assert.ok(prod.resources.some((r) => r.type.startsWith("github:")));
  });

  it("customises the repository's OIDC subject: repo, context, event_name", () => {
    const [template] = byType(prod, "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate");
    assert.deepEqual(template.inputs, { repository: "trading-bot", useDefault: false, includeClaimKeys: ["repo", "context", "event_name"] });
  });

  it("creates every environment with its branch rules; production's with reviewers, no self-review, no administrator bypass", () => {
    const environments = byType(prod, "github:index/repositoryEnvironment:RepositoryEnvironment");
    assert.deepEqual(environments.map((e) => e.inputs.environment), environmentRules.map((rule) => rule.name));
    for (const environment of environments) {
      const rule = environmentRules.find((r) => r.name === environment.inputs.environment)!;
      assert.deepEqual(environment.inputs.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
      assert.equal(environment.inputs.canAdminsBypass, false);
      assert.equal(environment.inputs.preventSelfReview, rule.reviewers);
      assert.deepEqual(environment.inputs.reviewers, rule.reviewers ? [{ teams: [], users: [standInReviewerId] }] : []);
      const patterns = byType(prod, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")
        .filter((p) => p.inputs.environment === rule.name)
        .map((p) => p.inputs.branchPattern);
      assert.deepEqual(patterns, rule.branches);
    }
  });

  it("sets each environment's secrets from the roles of both accounts and the secret tokens; nothing copied by hand", () => {
    const secrets = byType(prod, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    const value = (environment: string, name: string) => secrets.find((s) => s.inputs.environment === environment && s.inputs.secretName === name)!;
    assert.equal(value("staging", "AWS_DEPLOY_ROLE_ARN").inputs.plaintextValue, "arn:aws:iam::222222222222:role/github-actions/trading-bot-staging-deploy");
    assert.equal(value("development-preview", "AWS_PREVIEW_ROLE_ARN").inputs.plaintextValue, "arn:aws:iam::222222222222:role/github-actions/trading-bot-development-preview");
    assert.equal(value("production", "AWS_DEPLOY_ROLE_ARN").inputs.plaintextValue, "arn:aws:iam::111111111111:role/github-actions/trading-bot-production-deploy");
    assert.equal(value("production-data-export", "AWS_DATA_SYNC_ROLE_ARN").inputs.plaintextValue, "arn:aws:iam::111111111111:role/github-actions/trading-bot-production-data-export");
    assert.equal(value("production", "PULUMI_ACCESS_TOKEN").inputs.plaintextValue, "stand-in-pulumi-token-production");
    assert.ok(secrets.every((s) => s.secretInputs.includes("plaintextValue")), "every value is a Pulumi secret");
    assert.equal(secrets.length, environmentRules.flatMap((rule) => rule.secrets).length);
  });

  it("protects main with a ruleset: reviews including code owners', no force push, no deletion, no bypass", () => {
    const [ruleset] = byType(prod, "github:index/repositoryRuleset:RepositoryRuleset");
    assert.deepEqual(ruleset.inputs.conditions, { refName: { includes: ["refs/heads/main"], excludes: [] } });
    assert.deepEqual(ruleset.inputs.bypassActors, []);
    assert.equal(ruleset.inputs.enforcement, "active");
    const rules = ruleset.inputs.rules as { deletion: boolean; nonFastForward: boolean; pullRequest: Record<string, unknown> };
    assert.equal(rules.nonFastForward, true);
    assert.equal(rules.deletion, true);
    assert.equal(rules.pullRequest.requireCodeOwnerReview, true);
    assert.equal(rules.pullRequest.requiredApprovingReviewCount, 1);
  });
});

const ROLE = "aws:iam/role:Role";
const trust = (condition: Record<string, unknown>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:oidc-provider/x" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }] });
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const sub = "repo:your-org/trading-bot:environment:production:event_name:push";

describe("bootstrap/policies: its rules, in-process (compliant and non-compliant cases)", () => {
  const check = (props: Record<string, unknown>) => checkResource(oidcTrustExact, { type: ROLE, props }, {});

  it("oidc-trust-aud-and-exact-sub: passes aud and exact subjects, refuses a missing aud, a missing, empty or wildcard sub, a looser operator", () => {
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": [sub, sub.replace("your-org", "your-org@1")] } }) }), []);
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: { "token.actions.githubusercontent.com:sub": sub } }) }), [
      "trusts GitHub's tokens without StringEquals token.actions.githubusercontent.com:aud = sts.amazonaws.com",
    ]);
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: aud }) }), ["trusts GitHub's tokens without an exact token.actions.githubusercontent.com:sub (StringEquals)"]);
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "" } }) }), [
      "trusts GitHub's tokens without an exact token.actions.githubusercontent.com:sub (StringEquals)",
    ]);
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:your-org/trading-bot:*" } }) }), [
      'its token.actions.githubusercontent.com:sub ["repo:your-org/trading-bot:*"] holds a wildcard: any branch, pull request or environment matching it could assume the role',
    ]);
    assert.deepEqual(check({ assumeRolePolicy: trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": sub }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } }) }), [
      "StringLike on token.actions.githubusercontent.com:sub: only StringEquals pins GitHub's claims",
    ]);
    // A role another principal assumes is not this rule's.
    assert.deepEqual(check({ assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }), []);
  });

  it("deploy-role-permissions-boundary: a deploy role needs one; another kind does not", () => {
    const boundaryOf = (props: Record<string, unknown>) => checkResource(deployRoleBoundary, { type: ROLE, props }, {});
    assert.deepEqual(boundaryOf({ tags: { "trading-bot:role-kind": "deploy" }, permissionsBoundary: "arn:aws:iam::1:policy/b" }), []);
    assert.deepEqual(boundaryOf({ tags: { "trading-bot:role-kind": "deploy" } }), ["a deploy role without a permissions boundary could create a role that reaches anything in the account"]);
    assert.deepEqual(boundaryOf({ tags: { "trading-bot:role-kind": "preview" } }), []);
  });

  it("environment-branch-rules: custom patterns with a pattern, or protected branches; nothing else", () => {
    const ENV = "github:index/repositoryEnvironment:RepositoryEnvironment";
    const POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
    const environment = (name: string, policy: unknown) => ({ urn: `urn:${name}`, type: ENV, name, props: { environment: name, deploymentBranchPolicy: policy } });
    const pattern = (name: string) => ({ urn: `urn:p-${name}`, type: POLICY, name: `p-${name}`, props: { environment: name, branchPattern: "main" } });
    const resources = [
      environment("custom", { customBranchPolicies: true, protectedBranches: false }), pattern("custom"),
      environment("protected", { customBranchPolicies: false, protectedBranches: true }),
      environment("no-pattern", { customBranchPolicies: true, protectedBranches: false }),
      environment("open", undefined),
    ];
    assert.deepEqual(checkStack(environmentBranchRules, resources, {}), [
      { urn: "urn:no-pattern", message: "environment no-pattern has no branch rule: every branch, a pull request's included, could enter it" },
      { urn: "urn:open", message: "environment open has no branch rule: every branch, a pull request's included, could enter it" },
    ]);
  });
});

describe("bootstrap/policies over the Analyzer protocol, and npm run bootstrap-plan", function () {
  let pack: PolicyPackProcess;
  let runs: { nonprod: MockRunResult; prod: MockRunResult };
  before(async () => {
    [pack, runs] = await Promise.all([PolicyPackProcess.start(path.join(bootstrapFolder, "policies")), runBootstrapStacks()]);
  });
  after(() => pack?.stop());
  const analyze = (stack: string, resources: RecordedResource[]) => analyzeResources(pack, [stackResourceOf(stack, "trading-bot-bootstrap"), ...resources]);
  const copy = (resources: RecordedResource[]) => JSON.parse(JSON.stringify(resources)) as RecordedResource[];

  it("serves the three rules, and passes both committed stacks with no diagnostic", async () => {
    assert.deepEqual((await pack.info()).policies.map((p) => [p.name, p.level]), bootstrapRules.map((r) => [r.name, "mandatory"]));
    assert.deepEqual(await analyze("nonprod", runs.nonprod.resources), []);
    assert.deepEqual(await analyze("prod", runs.prod.resources), []);
  });

  it("refuses a deploy role without its boundary, a wildcard subject and an environment without branch rules", async () => {
    const resources = copy(runs.prod.resources);
    const deploy = resources.find((r) => r.name === "trading-bot-production-deploy")!;
    delete deploy.inputs.permissionsBoundary;
    delete deploy.state.permissionsBoundary;
    const preview = resources.find((r) => r.name === "trading-bot-production-preview")!;
    preview.inputs.assumeRolePolicy = trust({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:your-org/trading-bot:*" } });
    const production = resources.find((r) => r.name === "production" && r.type.endsWith(":RepositoryEnvironment"))!;
    const withoutPatterns = resources.filter((r) => !(r.type.endsWith(":RepositoryEnvironmentDeploymentPolicy") && r.inputs.environment === "production"));
    const found = await analyze("prod", withoutPatterns);
    assert.deepEqual(found.map((d) => [d.policy, d.urn, d.message]).sort(), [
      ["deploy-role-permissions-boundary", deploy.urn, "a deploy role without a permissions boundary could create a role that reaches anything in the account"],
      ["environment-branch-rules", production.urn, "environment production has no branch rule: every branch, a pull request's included, could enter it"],
      ["oidc-trust-aud-and-exact-sub", preview.urn, "StringLike on token.actions.githubusercontent.com:sub: only StringEquals pins GitHub's claims"],
      ["oidc-trust-aud-and-exact-sub", preview.urn, "trusts GitHub's tokens without an exact token.actions.githubusercontent.com:sub (StringEquals)"],
    ].sort());
  });

  it("npm run bootstrap-plan -- prod: runs nonprod first for its role ARNs, then the pack; exit 0", () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "bootstrapPlan", "prod"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^trading-bot-bootstrap prod: \d+ resources \(offline, under Pulumi's mocks\)$/m);
    assert.match(result.stdout, /^ {2}github:index\/actionsEnvironmentSecret:ActionsEnvironmentSecret staging-AWS_DEPLOY_ROLE_ARN$/m);
    assert.match(result.stdout, /^Policies: no violation\nOK: no mandatory violation\n$/m);
  });

  it("exactly one bootstrap stack owns the GitHub settings: the committed files, and two or none refused", () => {
    assert.equal(githubOwnerProblem(bootstrapFolder), undefined);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-stacks-"));
    const prodText = fs.readFileSync(path.join(bootstrapFolder, "Pulumi.prod.yaml"), "utf8");
    fs.writeFileSync(path.join(folder, "Pulumi.prod.yaml"), prodText);
    fs.writeFileSync(path.join(folder, "Pulumi.other.yaml"), prodText);
    assert.equal(githubOwnerProblem(folder), "the bootstrap stacks other, prod all have trading-bot-bootstrap:github; exactly one stack owns the repository's GitHub settings");
    fs.writeFileSync(path.join(folder, "Pulumi.prod.yaml"), fs.readFileSync(path.join(bootstrapFolder, "Pulumi.nonprod.yaml"), "utf8"));
    fs.writeFileSync(path.join(folder, "Pulumi.other.yaml"), fs.readFileSync(path.join(bootstrapFolder, "Pulumi.nonprod.yaml"), "utf8"));
    assert.equal(githubOwnerProblem(folder), "no bootstrap stack has trading-bot-bootstrap:github; exactly one stack owns the repository's GitHub settings");
  });

  it("npm run bootstrap-plan refuses a stack it has no file for, or a bad name (exit 2, one line)", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      assert.equal(await bootstrapPlan(["staging"], { projectRoot: repoRoot }), 2);
      assert.equal(await bootstrapPlan(["../prod"], { projectRoot: repoRoot }), 2);
    } finally {
      console.error = original;
    }
    assert.deepEqual(errors, [`bootstrap-plan: Pulumi.staging.yaml does not exist in ${bootstrapFolder}`, 'bootstrap-plan: "../prod" is not a bootstrap stack name']);
  });
});
