// Every key of a stack file outside the project's own namespace. The schema
// (stacks/config.ts) checks `trading-bot:` keys and `aws:region`; this module decides the
// rest, so nothing in a stack file passes unread:
// - `aws:` keys the aws provider reads are allowed; its credentials only as secrets;
// - `pulumi:tags` (the stack's tags) is the one `pulumi:` key allowed: the others change how
//   the engine runs this program (e.g. `pulumi:disable-default-providers` would take away
//   the provider every resource here uses) and belong to no stack file of this project;
// - any other namespace is a typo or a key for a program that is not this one.
// Pure: no imports, no Pulumi.

/**
 * The config keys of the aws provider: `export declare const` names of
 * `@pulumi/aws/config/vars.d.ts` (@pulumi/aws 7). A test compares this list with the
 * installed provider, so an upgrade that adds or drops a key is noticed.
 */
export const awsProviderKeys = [
  "accessKey",
  "allowedAccountIds",
  "assumeRoleWithWebIdentity",
  "assumeRoles",
  "customCaBundle",
  "defaultTags",
  "ec2MetadataServiceEndpoint",
  "ec2MetadataServiceEndpointMode",
  "endpoints",
  "forbiddenAccountIds",
  "httpProxy",
  "httpsProxy",
  "ignoreTags",
  "insecure",
  "maxRetries",
  "noProxy",
  "profile",
  "region",
  "retryMode",
  "s3UsEast1RegionalEndpoint",
  "s3UsePathStyle",
  "secretKey",
  "sharedConfigFiles",
  "sharedCredentialsFiles",
  "skipCredentialsValidation",
  "skipMetadataApiCheck",
  "skipRegionValidation",
  "skipRequestingAccountId",
  "stsRegion",
  "tagPolicyCompliance",
  "token",
  "tokenBucketRateLimiterCapacity",
  "useDualstackEndpoint",
  "useFipsEndpoint",
  "userAgents",
] as const;

/** aws provider keys that hold credentials: accepted only when stored with `--secret`. */
export const awsCredentialKeys: readonly string[] = ["accessKey", "secretKey", "token"];

/** The only `pulumi:` key a stack file of this project may hold. */
export const pulumiKeysAllowed: readonly string[] = ["pulumi:tags"];
// Stryker disable next-line StringLiteral: pulumiKeysAllowed holds one key, so join's separator never shows
const pulumiKeysShown = pulumiKeysAllowed.join(", ");

/** Where a key is checked and how it is reported. */
export interface KeyContext {
  /** The stack file's name, e.g. `Pulumi.dev.yaml`, that starts every line. */
  file: string;
  stack: string;
  /** The project's namespace, e.g. `trading-bot` (its keys are the schema's, not this module's). */
  project: string;
  /** Whether the key was stored with `--secret`. */
  isSecret: boolean;
}

/**
 * The problem with a key a secret must hold, or undefined when it is one: stored with
 * `--secret` and not empty. The value is never part of the line.
 */
export function secretValueProblem(key: string, value: unknown, context: KeyContext): string | undefined {
  const command = `pulumi config set --secret ${key} <value> --stack ${context.stack}`;
  if (!context.isSecret) return `${context.file}: ${key} is stored in plain text; set it again with: ${command}`;
  if (typeof value !== "string" || value.length === 0) return `${context.file}: ${key} is empty; set it with: ${command}`;
  return undefined;
}

/** The problem with a key outside the project's namespace, or undefined when it is allowed. */
export function otherKeyProblem(key: string, value: unknown, context: KeyContext): string | undefined {
  const separator = key.indexOf(":");
  const namespace = separator > 0 ? key.slice(0, separator) : undefined;
  const name = key.slice(separator + 1);
  if (namespace === "aws") return awsKeyProblem(key, name, value, context);
  if (namespace === "pulumi") {
    if (pulumiKeysAllowed.includes(key)) return undefined;
    return `${context.file}: ${key} is not allowed: of the pulumi namespace a stack file of this project may hold ${pulumiKeysShown} only`;
  }
  const allowed = `allowed namespaces: ${context.project}, aws (the aws provider's settings), pulumi (${pulumiKeysShown} only)`;
  if (namespace === undefined) return `${context.file}: ${key} has no namespace (keys are written <namespace>:<name>); ${allowed}`;
  return `${context.file}: ${key} is in the namespace ${namespace}, which nothing in this project reads; ${allowed}`;
}

function awsKeyProblem(key: string, name: string, value: unknown, context: KeyContext): string | undefined {
  if (!(awsProviderKeys as readonly string[]).includes(name)) {
    return `${context.file}: ${key} is not a setting of the aws provider; it takes ${awsProviderKeys.map((k) => `aws:${k}`).join(", ")}`;
  }
  if (name === "allowedAccountIds") return allowedAccountIdsProblem(key, value, context);
  if (!awsCredentialKeys.includes(name)) return undefined;
  const problem = secretValueProblem(key, value, context);
  // Credentials in a stack file at all are the last resort: say what needs none.
  return problem && `${problem} (better: no key in the stack file at all, with OIDC in CI, or aws sso login or aws:profile on a workstation)`;
}

/** What `aws:allowedAccountIds` holds in a stack file of this project: the one account its stack deploys into. */
export const allowedAccountIdsRule = 'exactly one 12-digit account id, quoted, e.g. ["111111111111"]';

/**
 * The account a stack file names with `aws:allowedAccountIds` (the CLI passes it as JSON
 * text), undefined when the key is absent; throws the problem's words when it names no
 * single account. Quoted: YAML reads 012345678901 as a number and drops the leading zero.
 */
export function allowedAccountOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let ids: unknown = value;
  if (typeof value === "string") {
    try {
      ids = JSON.parse(value);
    } catch {
      ids = value;
    }
  }
  if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== "string" || !/^\d{12}$/.test(ids[0])) {
    throw new Error(`is ${typeof value === "string" ? value : JSON.stringify(value)}; allowed: ${allowedAccountIdsRule}`);
  }
  return ids[0];
}

function allowedAccountIdsProblem(key: string, value: unknown, context: KeyContext): string | undefined {
  try {
    allowedAccountOf(value);
    return undefined;
  } catch (error) {
    return `${context.file}: ${key} ${(error as Error).message}`;
  }
}
