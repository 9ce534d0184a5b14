// Who may assume which role: GitHub's environments of the article's flow, the subject a
// workflow job's OIDC token carries, and the roles each account holds. Pure data and
// functions, read by the program (the trust policies, the environments) and by the trust
// table test, so the table is computed from what the bootstrap creates, never hand-listed.

/** The app's stages (stacks/config.ts environments): which account hosts which is the bootstrap stack's config. */
export type Stage = "development" | "staging" | "production";
export const stages: readonly Stage[] = ["development", "staging", "production"];

/** What a role of the workflows does. Only `preview` writes nothing. */
export type RoleKind = "preview" | "deploy" | "data-import" | "data-export";

/** The events the workflows run on (preview.yml, deploy.yml, env-sync.yml, drift.yml). */
export type WorkflowEvent = "pull_request" | "push" | "workflow_dispatch" | "schedule";

/**
 * The repository's OIDC subject template: environment (or ref) and the event. A pull-request
 * run can enter an environment whose branch rule matches its head branch with an edited
 * workflow, so a role that writes trusts `event_name:push` or `workflow_dispatch`, which no
 * pull-request run can present. No `ref`: AWS reads only `aud` and `sub` of GitHub's tokens,
 * and a `ref` in the one template of the repository would make the `feature/**` deploy role
 * trust a pattern; the environments' branch rules (checked by GitHub before it issues an
 * environment job's token) hold the ref instead.
 */
export const subjectClaimKeys = ["repo", "context", "event_name"] as const;

/** A GitHub environment of the flow: its deployment branch rule, and whether it waits for reviewers. */
export interface EnvironmentRule {
  name: string;
  stage: Stage;
  /** Branch patterns (GitHub's fnmatch, `*` stops at `/`) whose runs may enter it. */
  branches: string[];
  /** Required reviewers, self-review prevented, no administrator bypass. */
  reviewers: boolean;
  /** The secrets it holds, set by the bootstrap. */
  secrets: string[];
}

const pulumiToken = "PULUMI_ACCESS_TOKEN";

/** Every environment of the repository. Pull requests preview only in the *-preview ones of development and staging. */
export const environmentRules: readonly EnvironmentRule[] = [
  { name: "development", stage: "development", branches: ["feature/**"], reviewers: false, secrets: [pulumiToken, "AWS_DEPLOY_ROLE_ARN", "AWS_DATA_SYNC_ROLE_ARN"] },
  // main too: the daily drift check (drift.yml) runs on the default branch, read-only.
  { name: "development-preview", stage: "development", branches: ["feature/**", "develop", "main"], reviewers: false, secrets: [pulumiToken, "AWS_PREVIEW_ROLE_ARN"] },
  { name: "staging", stage: "staging", branches: ["develop"], reviewers: false, secrets: [pulumiToken, "AWS_DEPLOY_ROLE_ARN", "AWS_DATA_SYNC_ROLE_ARN"] },
  { name: "staging-preview", stage: "staging", branches: ["feature/**", "develop", "main"], reviewers: false, secrets: [pulumiToken, "AWS_PREVIEW_ROLE_ARN"] },
  { name: "production-preview", stage: "production", branches: ["main"], reviewers: false, secrets: [pulumiToken, "AWS_PREVIEW_ROLE_ARN"] },
  { name: "production", stage: "production", branches: ["main"], reviewers: true, secrets: [pulumiToken, "AWS_DEPLOY_ROLE_ARN"] },
  { name: "production-data-export", stage: "production", branches: ["main"], reviewers: true, secrets: [pulumiToken, "AWS_DATA_SYNC_ROLE_ARN"] },
];

/** A role the bootstrap creates in an account: which environment and event it trusts, how long a session lasts. */
export interface RoleSpec {
  kind: RoleKind;
  stage: Stage;
  /** `trading-bot-<stage>-<kind>`, under the IAM path below. */
  name: string;
  environment: string;
  /** The events whose jobs in that environment may assume it (one subject each). */
  events: WorkflowEvent[];
  /** The environment secret that carries its ARN. */
  secret: string;
  /** Seconds; the workflows ask for this much (role-duration-seconds). */
  maxSessionSeconds: number;
}

/** The bootstrap's roles live under this IAM path, out of reach of the deploy roles' `role/trading-bot-*`. */
export const rolePath = "/github-actions/";

/**
 * Session lengths. A deploy covers the longest `pulumi up`: production's first one creates RDS
 * Multi-AZ (20 to 40 minutes) and ElastiCache with a replica (15 to 25), then waits for the
 * service's steady state (20); an engine upgrade or a class change of either takes longer, so
 * two hours. Previews and data syncs (30 minutes for a task, 20 for a restart) fit in one.
 */
export const sessionSeconds: Record<RoleKind, number> = { preview: 3600, deploy: 7200, "data-import": 3600, "data-export": 3600 };

/**
 * Per stage, what its preview runs on and how its data syncs run: development and staging are
 * previewed by pull requests and import (staging's task also exports to dev); production is
 * previewed on main before its approval, and only exports, behind its own reviewers.
 */
const stageTrust: Record<Stage, { previewEvent: WorkflowEvent; dataKind: RoleKind; dataEnvironment: string }> = {
  development: { previewEvent: "pull_request", dataKind: "data-import", dataEnvironment: "development" },
  staging: { previewEvent: "pull_request", dataKind: "data-import", dataEnvironment: "staging" },
  production: { previewEvent: "push", dataKind: "data-export", dataEnvironment: "production-data-export" },
};

/** The roles of one stage: preview, deploy, and the data sync. */
export function rolesOf(stage: Stage): RoleSpec[] {
  const role = (kind: RoleKind, environment: string, events: WorkflowEvent[], secret: string): RoleSpec => ({
    kind, stage, name: `trading-bot-${stage}-${kind}`, environment, events, secret, maxSessionSeconds: sessionSeconds[kind],
  });
  const { previewEvent, dataKind, dataEnvironment } = stageTrust[stage];
  return [
    // Read-only: also the drift check's, scheduled daily or dispatched by hand (drift.yml).
    role("preview", `${stage}-preview`, [previewEvent, "schedule", "workflow_dispatch"], "AWS_PREVIEW_ROLE_ARN"),
    role("deploy", stage, ["push"], "AWS_DEPLOY_ROLE_ARN"),
    role(dataKind, dataEnvironment, ["workflow_dispatch"], "AWS_DATA_SYNC_ROLE_ARN"),
  ];
}

/** The repository as its tokens name it; with ids, the immutable subject format GitHub issues to new repositories. */
export interface RepositoryIdentity {
  owner: string;
  name: string;
  ownerId?: number;
  repositoryId?: number;
}

/** `repo:<owner>/<repo>` (classic) or `repo:<owner>@<id>/<repo>@<id>` (immutable; GitHub's `sub_claim_prefix`). */
export function subjectPrefixes(repository: RepositoryIdentity): string[] {
  const classic = `repo:${repository.owner}/${repository.name}`;
  if (repository.ownerId === undefined || repository.repositoryId === undefined) return [classic];
  return [classic, `repo:${repository.owner}@${repository.ownerId}/${repository.name}@${repository.repositoryId}`];
}

/** The subject of a job's token under the template: `repo:o/r:environment:<env>:event_name:<event>`. */
export function subjectOf(prefix: string, environment: string | undefined, ref: string, event: string): string {
  const context = environment !== undefined ? `environment:${environment}` : event === "pull_request" ? "pull_request" : `ref:${ref}`;
  return `${prefix}:${context}:event_name:${event}`;
}

export const oidcHost = "token.actions.githubusercontent.com";
export const oidcAudience = "sts.amazonaws.com";

/** The trust policy of a role: GitHub's provider of this account, `aud` and the exact subjects (StringEquals). */
export function trustPolicy(providerArn: string, subjects: string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsJobOfOneEnvironmentAndEvent",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${oidcHost}:aud`]: oidcAudience, [`${oidcHost}:sub`]: subjects.length === 1 ? subjects[0] : subjects } },
      },
    ],
  };
}

/** Does a run of `branch` pass an environment's deployment branch patterns (GitHub's fnmatch: `*` stops at `/`, `**` does not)? */
export function branchAllowed(patterns: string[], branch: string): boolean {
  return patterns.some((pattern) => {
    const regex = pattern
      .split(/(\*\*|\*)/)
      .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    return new RegExp(`^${regex}$`).test(branch);
  });
}

/** What each kind of role may do, in words (docs/ci-and-trust.md; bootstrap/permissions.ts has the documents). */
export const roleAbilities: Record<RoleKind, string> = {
  preview: "read everything (ReadOnlyAccess) except secret values (Secrets Manager, SSM parameters): `pulumi preview`",
  deploy: "create and change the project's resources (by tag or name, see below), IAM roles only with the boundary on: `pulumi up`",
  "data-import": "start, follow and stop the stage's data-sync tasks, pass their roles to ECS, restart its services, read their logs",
  "data-export": "start, follow and stop production's data-sync task, pass its roles to ECS, read its logs; nothing else",
};

/** The role table of docs/ci-and-trust.md: every role, its account, the exact subject it trusts and what it may do. */
export function renderRoleTable(repository: RepositoryIdentity): string {
  const rows = stages.flatMap(rolesOf).map((role) => {
    const subject = role.events.map((event) => `\`${subjectOf(subjectPrefixes(repository)[0], role.environment, "", event)}\``).join(", ");
    const account = role.stage === "production" ? "prod" : "nonprod";
    return `| \`${role.name}\` | ${account} | \`${role.environment}\` (\`${role.secret}\`) | ${subject} | ${role.maxSessionSeconds / 3600} h | ${roleAbilities[role.kind]} |`;
  });
  return ["| role | account | environment (secret) | trusts `sub` (with `aud` = `sts.amazonaws.com`) | session | may |", "|---|---|---|---|---|---|", ...rows].join("\n");
}
