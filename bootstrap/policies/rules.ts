// The bootstrap's policy rules: what its stacks must hold whatever their config says. Pure
// checks in the main pack's rule shape (policies/rule.ts), run through its declared-property
// proxy (policies/evaluate.ts).
import { ResourceRule, StackRule } from "../../policies/rule";

const ROLE = "aws:iam/role:Role";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const host = "token.actions.githubusercontent.com";

type Statement = { Effect?: string; Action?: string | string[]; Principal?: { Federated?: unknown }; Condition?: Record<string, Record<string, unknown>> };

const isWebIdentity = (statement: Statement) => [statement.Action].flat().includes("sts:AssumeRoleWithWebIdentity");

/** What is wrong with one web-identity statement: its `aud`, its `sub`, any looser operator on either. */
function trustProblems(statement: Statement): string[] {
  const equals = statement.Condition?.StringEquals ?? {};
  const problems: string[] = [];
  if (equals[`${host}:aud`] !== "sts.amazonaws.com") problems.push(`trusts GitHub's tokens without StringEquals ${host}:aud = sts.amazonaws.com`);
  const subjects = [equals[`${host}:sub`]].flat();
  if (subjects.length === 0 || subjects.some((sub) => typeof sub !== "string" || sub.length === 0)) {
    problems.push(`trusts GitHub's tokens without an exact ${host}:sub (StringEquals)`);
  } else if (subjects.some((sub) => /[*?]/.test(sub as string))) {
    problems.push(`its ${host}:sub ${JSON.stringify(subjects)} holds a wildcard: any branch, pull request or environment matching it could assume the role`);
  }
  for (const operator of Object.keys(statement.Condition ?? {}).filter((op) => op !== "StringEquals")) {
    const keys = Object.keys(statement.Condition![operator]).filter((key) => key.startsWith(`${host}:`));
    if (keys.length > 0) problems.push(`${operator} on ${keys.join(", ")}: only StringEquals pins GitHub's claims`);
  }
  return problems;
}

export const oidcTrustExact: ResourceRule = {
  kind: "resource",
  name: "oidc-trust-aud-and-exact-sub",
  description: "A role that trusts GitHub's OIDC tokens pins aud to sts.amazonaws.com and sub to exact subjects",
  scope: "every stack",
  enforcementLevel: "mandatory",
  reads: { [ROLE]: ["assumeRolePolicy"] },
  required: "StringEquals aud = sts.amazonaws.com and sub = one or more subjects without * or ?; no other operator on GitHub's claims",
  anchors: ["CKV_AWS_358"],
  check(props) {
    const policy = typeof props.assumeRolePolicy === "string" ? (JSON.parse(props.assumeRolePolicy) as { Statement?: Statement | Statement[] }) : props.assumeRolePolicy;
    return [policy?.Statement ?? []].flat().filter(isWebIdentity).flatMap(trustProblems);
  },
};

export const deployRoleBoundary: ResourceRule = {
  kind: "resource",
  name: "deploy-role-permissions-boundary",
  description: "A role tagged as a deploy role carries a permissions boundary",
  scope: "every stack",
  enforcementLevel: "mandatory",
  reads: { [ROLE]: ["tags.trading-bot:role-kind", "permissionsBoundary"] },
  required: "permissionsBoundary set on every role tagged trading-bot:role-kind=deploy",
  anchors: [],
  check(props) {
    if (props.tags?.["trading-bot:role-kind"] !== "deploy") return [];
    return typeof props.permissionsBoundary === "string" && props.permissionsBoundary.length > 0
      ? []
      : ["a deploy role without a permissions boundary could create a role that reaches anything in the account"];
  },
};

export const environmentBranchRules: StackRule = {
  kind: "stack",
  name: "environment-branch-rules",
  description: "Every GitHub environment admits only the branches its rules name",
  scope: "every stack",
  enforcementLevel: "mandatory",
  reads: {
    [ENVIRONMENT]: ["environment", "deploymentBranchPolicy.customBranchPolicies", "deploymentBranchPolicy.protectedBranches"],
    [DEPLOYMENT_POLICY]: ["environment", "branchPattern"],
  },
  required: "deploymentBranchPolicy with custom branch patterns (at least one RepositoryEnvironmentDeploymentPolicy) or protected branches",
  anchors: [],
  check(resources) {
    const patterns = resources.filter((r) => r.type === DEPLOYMENT_POLICY);
    return resources
      .filter((r) => r.type === ENVIRONMENT)
      .flatMap((environment) => {
        const policy = environment.props.deploymentBranchPolicy;
        const named = patterns.filter((p) => p.props.environment === environment.props.environment && typeof p.props.branchPattern === "string");
        if (policy?.protectedBranches === true) return [];
        if (policy?.customBranchPolicies === true && named.length > 0) return [];
        return [{ urn: environment.urn, message: `environment ${environment.props.environment} has no branch rule: every branch, a pull request's included, could enter it` }];
      });
  },
};

export const bootstrapRules = [oidcTrustExact, deployRoleBoundary, environmentBranchRules];
