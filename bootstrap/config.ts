// The bootstrap stack's config: which account, which stages it hosts, the repository, and
// (in the one stack that owns the repository-wide GitHub resources) what those need.
import { z } from "zod";
import { allowedAccountOf } from "../stacks/stackFileKeys";
import { Stage, stages } from "./trust";

export const bootstrapProject = "trading-bot-bootstrap";

const repositorySchema = z.strictObject({
  /** The repository's owner and name, as in `repo:<owner>/<name>`. */
  owner: z.string().regex(/^[A-Za-z0-9-]{1,39}$/, "a GitHub user or organisation name"),
  name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "a GitHub repository name"),
  /** The ids of the immutable subject format (`repo:<owner>@<id>/<name>@<id>`), once the repository issues it. */
  ownerId: z.number().int().positive().optional(),
  repositoryId: z.number().int().positive().optional(),
});

const githubSchema = z.strictObject({
  /** The bootstrap stack of the other account, whose role ARNs become its environments' secrets. */
  otherAccountStack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, "a stack name <org>/<project>/<stack>").optional(),
  /** Who approves production and production-data-export: GitHub team and user ids, at least one. */
  productionReviewers: z
    .strictObject({ teams: z.array(z.number().int().positive()).default([]), users: z.array(z.number().int().positive()).default([]) })
    .refine((reviewers) => reviewers.teams.length + reviewers.users.length > 0, {
      message: "name at least one team or user id (gh api users/<login> --jq .id): production waits for their approval",
    }),
  /** Reviews the ruleset requires on main (code owners' included). */
  requiredApprovals: z.number().int().min(1).max(6).default(1),
});

const schema = z.strictObject({
  "aws:region": z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-east-1"),
  "trading-bot-bootstrap:repository": repositorySchema,
  /** The stages whose stacks deploy into this stack's account. */
  "trading-bot-bootstrap:stages": z.array(z.enum(stages as [Stage, ...Stage[]])).min(1),
  /** Present in exactly one bootstrap stack: it owns the repository's environments, secrets, subject template and ruleset. */
  "trading-bot-bootstrap:github": githubSchema.optional(),
});

export interface BootstrapSettings {
  stack: string;
  region: string;
  /** `aws:allowedAccountIds`: required, the roles are this account's. */
  accountId: string;
  repository: z.infer<typeof repositorySchema>;
  stages: Stage[];
  github: z.infer<typeof githubSchema> | null;
}

export class BootstrapConfigError extends Error {
  name = "BootstrapConfigError";
}

/** Secret config keys: the Pulumi access token of each environment (docs/ci-and-trust.md says which token each needs). */
export const pulumiTokenKey = "pulumiAccessTokens";

/** Validates the config as the CLI hands it (JSON text for structured values); one line per problem. */
export function parseBootstrapConfig(stack: string, raw: Record<string, string>): BootstrapSettings {
  const file = `bootstrap/Pulumi.${stack}.yaml`;
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  let accountId: string | undefined;
  for (const [key, text] of Object.entries(raw)) {
    if (key === "aws:allowedAccountIds") {
      try {
        accountId = allowedAccountOf(text);
      } catch (error) {
        problems.push(`${file}: ${key} ${(error as Error).message}`);
      }
    } else if (key === `${bootstrapProject}:${pulumiTokenKey}` || key.startsWith("github:") || (key.startsWith("aws:") && key !== "aws:region")) {
      continue; // the tokens are secrets read by github.ts; the providers check their own keys
    } else input[key] = /^\s*[{[]/.test(text) ? JSON.parse(text) : text;
  }
  if (accountId === undefined && problems.length === 0) problems.push(`${file}: aws:allowedAccountIds is missing; the bootstrap's roles are one account's: add aws:allowedAccountIds: [ "<12-digit account id>" ]`);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join(".") || "config"}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) throw new BootstrapConfigError(problems.join("\n"));
  const config = parsed.data;
  return {
    stack,
    region: config["aws:region"],
    accountId: accountId!,
    repository: config["trading-bot-bootstrap:repository"],
    stages: config["trading-bot-bootstrap:stages"],
    github: config["trading-bot-bootstrap:github"] ?? null,
  };
}
