// The repository-wide GitHub settings, owned by exactly one bootstrap stack: the OIDC subject
// template, the environments with their branch rules, reviewers and secrets, and the ruleset
// that protects main. Role ARNs of the other account come through a StackReference.
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapSettings } from "./config";
import { bootstrapProject, pulumiTokenKey } from "./config";
import { EnvironmentRule, environmentRules, rolesOf, subjectClaimKeys } from "./trust";

/** Role ARNs by stage and kind: this account's, and what the GitHub-owning stack reads from the other account's stack. */
export type RoleArns = Record<string, Record<string, pulumi.Output<string>>>;

export function createRepositorySettings(settings: BootstrapSettings, options: NonNullable<BootstrapSettings["github"]>, ownRoleArns: RoleArns): void {
  const repository = settings.repository.name;
  new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate("oidc-subject-template", {
    repository,
    useDefault: false,
    includeClaimKeys: [...subjectClaimKeys],
  });
  const roleArns = { ...otherAccountRoleArns(settings, options), ...ownRoleArns };
  const tokens = new pulumi.Config(bootstrapProject).requireSecretObject<Record<string, string>>(pulumiTokenKey);
  for (const rule of environmentRules) {
    const environment = createEnvironment(repository, rule, options);
    for (const secretName of rule.secrets) {
      const value = secretName === "PULUMI_ACCESS_TOKEN" ? tokenOf(tokens, rule.name) : roleArnOf(roleArns, rule, secretName);
      new github.ActionsEnvironmentSecret(`${rule.name}-${secretName}`, { repository, environment: environment.environment, secretName, plaintextValue: pulumi.secret(value) });
    }
  }
  createMainRuleset(repository, options.requiredApprovals);
}

/** The other account's role ARNs, from its bootstrap stack's outputs. */
function otherAccountRoleArns(settings: BootstrapSettings, options: NonNullable<BootstrapSettings["github"]>): RoleArns {
  if (!options.otherAccountStack) return {};
  const other = new pulumi.StackReference("other-account", { name: options.otherAccountStack });
  const arns = other.requireOutput("roleArns") as pulumi.Output<Record<string, Record<string, string>>>;
  const stagesElsewhere = ["development", "staging", "production"].filter((stage) => !settings.stages.includes(stage as never));
  return Object.fromEntries(
    stagesElsewhere.map((stage) => [stage, Object.fromEntries(rolesOf(stage as never).map((spec) => [spec.kind, arns.apply((all) => requiredArn(all, stage, spec.kind))]))]),
  );
}

function requiredArn(all: Record<string, Record<string, string>> | undefined, stage: string, kind: string): string {
  const arn = all?.[stage]?.[kind];
  if (!arn) throw new Error(`the other account's bootstrap stack has no roleArns.${stage}.${kind}: is ${stage} in its trading-bot-bootstrap:stages?`);
  return arn;
}

function roleArnOf(roleArns: RoleArns, rule: EnvironmentRule, secretName: string): pulumi.Output<string> {
  const spec = rolesOf(rule.stage).find((role) => role.environment === rule.name && role.secret === secretName);
  const arn = spec && roleArns[rule.stage]?.[spec.kind];
  if (!arn) throw new pulumi.RunError(`no role of stage ${rule.stage} for ${secretName} in environment ${rule.name}: set otherAccountStack, or add ${rule.stage} to a bootstrap stack's stages`);
  return arn;
}

function tokenOf(tokens: pulumi.Output<Record<string, string>>, environment: string): pulumi.Output<string> {
  return tokens.apply((all) => {
    const token = all[environment];
    if (typeof token !== "string" || token.length === 0) {
      throw new pulumi.RunError(`trading-bot-bootstrap:${pulumiTokenKey}.${environment} is not set: pulumi config set --secret --path 'trading-bot-bootstrap:${pulumiTokenKey}.${environment}' <token>`);
    }
    return token;
  });
}

/** An environment with its deployment branch rule (custom patterns) and, for production, its reviewers. */
function createEnvironment(repository: string, rule: EnvironmentRule, options: NonNullable<BootstrapSettings["github"]>): github.RepositoryEnvironment {
  const environment = new github.RepositoryEnvironment(rule.name, {
    repository,
    environment: rule.name,
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    reviewers: rule.reviewers ? [{ teams: options.productionReviewers.teams, users: options.productionReviewers.users }] : [],
    preventSelfReview: rule.reviewers,
    canAdminsBypass: false,
  });
  for (const branchPattern of rule.branches) {
    new github.RepositoryEnvironmentDeploymentPolicy(`${rule.name}-${branchPattern}`, { repository, environment: environment.environment, branchPattern });
  }
  return environment;
}

/** main: pull requests with reviews (code owners' included), no force push, no deletion, nobody bypasses. */
function createMainRuleset(repository: string, requiredApprovals: number): github.RepositoryRuleset {
  return new github.RepositoryRuleset("main", {
    repository,
    name: "main",
    target: "branch",
    enforcement: "active",
    conditions: { refName: { includes: ["refs/heads/main"], excludes: [] } },
    bypassActors: [],
    rules: {
      deletion: true,
      nonFastForward: true,
      pullRequest: {
        requiredApprovingReviewCount: requiredApprovals,
        requireCodeOwnerReview: true,
        dismissStaleReviewsOnPush: true,
        requireLastPushApproval: true,
        requiredReviewThreadResolution: true,
      },
    },
  });
}
