// What each role may do, as policy documents built from one table of the services the main
// project deploys. The same table prints docs/ci-and-trust.md's list of which services are held to
// the project by tag and which by name only (a test keeps the two the same).
import { rolePath } from "./trust";

/** How a service's resources are recognised as the project's. */
export type Scoping = "tags" | "names" | "none";

export interface ServiceScope {
  /** The IAM action prefix. */
  prefix: string;
  /** What the project creates there (docs/ci-and-trust.md). */
  what: string;
  scoping: Scoping;
  /** ARN patterns of the project's resources, for `names` (`<account>` and `<region>` are filled in). */
  resources?: string[];
  /** Why a service is held by names or not at all. */
  note?: string;
}

/** The project's tag (aws:defaultTags of every stack file) and its name prefix. */
export const projectTag = { key: "Project", value: "trading-bot" } as const;
export const namePrefix = "trading-bot-";

/** The services of the main project's resources (`npm run plan` lists them), and how each is held to the project. */
export const serviceScopes: readonly ServiceScope[] = [
  { prefix: "ec2", what: "VPC, subnets, NAT gateways, security groups and their rules", scoping: "tags" },
  { prefix: "ecs", what: "cluster, capacity providers, task definitions, services", scoping: "tags" },
  { prefix: "rds", what: "PostgreSQL instance and subnet group", scoping: "tags" },
  { prefix: "elasticache", what: "replication group and subnet group", scoping: "tags" },
  { prefix: "elasticfilesystem", what: "SQLite volume, mount targets, access point, backup policy", scoping: "tags" },
  { prefix: "secretsmanager", what: "the stack's secret", scoping: "tags" },
  { prefix: "sns", what: "alert topics and subscriptions", scoping: "tags" },
  { prefix: "servicediscovery", what: "Cloud Map namespace and service", scoping: "tags" },
  {
    prefix: "s3", what: "config and exports buckets", scoping: "names",
    resources: ["arn:aws:s3:::trading-bot-*", "arn:aws:s3:::trading-config-*"],
    note: "bucket policies and settings are not authorised by the bucket's tags: the bucket names (trading-bot-data-<account>-<stack>, trading-config-<stack>-...) hold them",
  },
  {
    prefix: "logs", what: "the tasks' log groups, the database's exported log", scoping: "names",
    resources: ["arn:aws:logs:<region>:<account>:log-group:/ecs/trading-bot-*", "arn:aws:logs:<region>:<account>:log-group:/aws/rds/instance/trading-bot-*"],
    note: "log groups by name (/ecs/trading-bot-<stack>..., /aws/rds/instance/trading-bot-<stack>-db/postgresql): not every Logs action honours tags",
  },
  {
    prefix: "cloudwatch", what: "alarms, the stack's dashboard", scoping: "names",
    resources: ["arn:aws:cloudwatch:<region>:<account>:alarm:trading-bot-*", "arn:aws:cloudwatch::<account>:dashboard/trading-bot-*"],
    note: "alarms and dashboards by name (trading-bot-<stack>-<rule>, trading-bot-<stack>)",
  },
  {
    prefix: "route53", what: "the private hosted zone Cloud Map creates for its namespace", scoping: "none",
    note: "hosted zones have ids, not names, in their ARNs and Route 53 has no tag conditions: allowed on every zone of the account",
  },
];

/** Read actions any service allows on every resource (listing and describing cannot be narrowed by most services). */
const readActions = (prefix: string) => [`${prefix}:Describe*`, `${prefix}:List*`, `${prefix}:Get*`];

/** Fills `<account>` and `<region>` of an ARN pattern. */
const arnIn = (pattern: string, account: string, region: string) => pattern.replace("<account>", account).replace("<region>", region);

export interface AccountContext {
  account: string;
  region: string;
  /** The permissions boundary's ARN (this account's). */
  boundaryArn: string;
  /** GitHub's OIDC provider in this account. */
  providerArn: string;
}

/** The statements that let a deploy role reach the project's resources of one service, and no other. */
function serviceStatements(scope: ServiceScope, context: AccountContext): Record<string, unknown>[] {
  const sid = scope.prefix.replace(/[^a-z0-9]/gi, "");
  const reads = { Sid: `${sid}Read`, Effect: "Allow", Action: readActions(scope.prefix), Resource: "*" };
  switch (scope.scoping) {
    case "tags":
      return [
        reads,
        // Resources that carry the project's tag, whatever the action; new ones only with the tag in the request.
        { Sid: `${sid}Tagged`, Effect: "Allow", Action: `${scope.prefix}:*`, Resource: "*", Condition: { StringEquals: { [`aws:ResourceTag/${projectTag.key}`]: projectTag.value } } },
        { Sid: `${sid}CreateTagged`, Effect: "Allow", Action: `${scope.prefix}:*`, Resource: "*", Condition: { StringEquals: { [`aws:RequestTag/${projectTag.key}`]: projectTag.value } } },
      ];
    case "names":
      return [reads, { Sid: `${sid}Named`, Effect: "Allow", Action: `${scope.prefix}:*`, Resource: (scope.resources ?? []).map((arn) => arnIn(arn, context.account, context.region)) }];
    case "none":
      return [reads, { Sid: `${sid}Any`, Effect: "Allow", Action: `${scope.prefix}:*`, Resource: "*" }];
  }
}

/** IAM for the deploy roles: the project's task roles, only with the boundary on; passing them to ECS tasks only. */
function iamStatements(context: AccountContext): Record<string, unknown>[] {
  const roles = `arn:aws:iam::${context.account}:role/${namePrefix}*`;
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": context.boundaryArn } };
  return [
    { Sid: "IamRead", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
    { Sid: "CreateProjectRolesWithTheBoundary", Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"], Resource: roles, Condition: withBoundary },
    { Sid: "ChangeProjectRoles", Effect: "Allow", Action: ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"], Resource: roles },
    { Sid: "PassProjectRolesToTasks", Effect: "Allow", Action: "iam:PassRole", Resource: roles, Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
    {
      Sid: "ServiceLinkedRolesOfTheProjectsServices",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": ["ecs.amazonaws.com", "rds.amazonaws.com", "elasticache.amazonaws.com", "elasticfilesystem.amazonaws.com", "servicediscovery.amazonaws.com"] } },
    },
  ];
}

/**
 * What no role of the project may do, whatever its identity policy: the boundary's denials.
 * Change the boundary, the OIDC provider or the bootstrap's roles; lift a boundary; create or
 * change a role without this boundary.
 */
export function boundaryDenials(context: AccountContext): Record<string, unknown>[] {
  return [
    {
      Sid: "DenyChangingTheBoundary",
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
      Resource: context.boundaryArn,
    },
    { Sid: "DenyTouchingTheOidcProvider", Effect: "Deny", Action: ["iam:*OpenIDConnectProvider*"], Resource: "*" },
    { Sid: "DenyTouchingTheBootstrapRoles", Effect: "Deny", Action: ["iam:*"], Resource: `arn:aws:iam::${context.account}:role${rolePath}*` },
    { Sid: "DenyLiftingABoundary", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
    {
      Sid: "DenyRolesWithoutTheBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": context.boundaryArn } },
    },
    { Sid: "DenyUsersAndAccessKeys", Effect: "Deny", Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"], Resource: "*" },
  ];
}

/** The permissions boundary: the most any project role may do (deploy roles and the task roles they create). */
export function boundaryPolicy(context: AccountContext): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      // The services of the project, and what its task roles need at run time (image pulls, metrics).
      {
        Sid: "TheProjectsServices",
        Effect: "Allow",
        Action: [...serviceScopes.map((scope) => `${scope.prefix}:*`), "iam:*", "ecr:*", "sts:GetCallerIdentity", "kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
      },
      ...boundaryDenials(context),
    ],
  };
}

/** The deploy role's identity policy: each service held to the project's resources, IAM under the boundary. */
export function deployPolicy(context: AccountContext): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      ...serviceScopes.flatMap((scope) => serviceStatements(scope, context)),
      ...iamStatements(context),
      { Sid: "WhoAmI", Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" },
    ],
  };
}

/** AWS's managed read-only policy, the preview roles' base. */
export const readOnlyAccessArn = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** What a preview role may not read although ReadOnlyAccess would let it: secret values (a pull request's code holds the role). */
export function previewDenials(): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "NoSecretValues",
        Effect: "Deny",
        Action: ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
        Resource: "*",
      },
    ],
  };
}

/**
 * A data-sync role: start, follow and stop the data-sync tasks of the project's stacks, pass
 * their roles to ECS, restart a service (an import's last step), read the task's logs. It
 * never touches data: the tasks' own roles do (main project, infra/dataSync.ts).
 */
export function dataSyncPolicy(context: AccountContext, restartsServices: boolean): Record<string, unknown> {
  const { account, region } = context;
  const clusters = { ArnLike: { "ecs:cluster": `arn:aws:ecs:${region}:${account}:cluster/${namePrefix}*` } };
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "RunTheDataSyncTasks", Effect: "Allow", Action: "ecs:RunTask", Resource: `arn:aws:ecs:${region}:${account}:task-definition/${namePrefix}*-data-sync:*`, Condition: clusters },
      { Sid: "FollowAndStopThem", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:StopTask"], Resource: `arn:aws:ecs:${region}:${account}:task/${namePrefix}*/*` },
      // The data-sync tasks' roles only (infra/dataSync.ts): run-task overrides may name another task role.
      {
        Sid: "PassTheirRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [`arn:aws:iam::${account}:role/${namePrefix}data-sync-*`, `arn:aws:iam::${account}:role/${namePrefix}*-data-import`],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      // The ops engineer's script prints the task's log: the project's log groups only.
      { Sid: "ReadTheTasksLogs", Effect: "Allow", Action: ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource: `arn:aws:logs:${region}:${account}:log-group:/ecs/${namePrefix}*:*` },
      ...(restartsServices
        ? [{ Sid: "RestartTheService", Effect: "Allow", Action: ["ecs:UpdateService", "ecs:DescribeServices"], Resource: `arn:aws:ecs:${region}:${account}:service/${namePrefix}*/*` }]
        : []),
    ],
  };
}

/** The scope table of docs/ci-and-trust.md: the services, what the project creates in each, and how the deploy roles are held to it. */
export function renderScopeTable(): string {
  const how: Record<Scoping, string> = {
    tags: `tag \`${projectTag.key}: ${projectTag.value}\` (aws:ResourceTag, aws:RequestTag)`,
    names: "names only",
    none: "not at all",
  };
  return [
    "| service | what the project creates | held to the project by | why |",
    "|---|---|---|---|",
    ...serviceScopes.map((s) => `| ${s.prefix} | ${s.what} | ${how[s.scoping]}${s.resources ? `: ${s.resources.map((r) => `\`${r}\``).join(", ")}` : ""} | ${s.note ?? ""} |`),
  ].join("\n");
}
