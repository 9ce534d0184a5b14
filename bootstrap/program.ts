// The bootstrap program: in one AWS account, GitHub's OIDC provider, the permissions
// boundary and the workflows' roles; in the one stack that owns them, the repository's
// GitHub settings (github.ts). Run once per account by an administrator; later changes go
// through the same `pulumi up`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryName } from "../stacks/config";
import { BootstrapConfigError, BootstrapSettings, parseBootstrapConfig } from "./config";
import { RoleArns, createRepositorySettings } from "./github";
import { AccountContext, boundaryPolicy, dataSyncPolicy, deployPolicy, previewDenials, readOnlyAccessArn } from "./permissions";
import { RoleSpec, oidcAudience, oidcHost, rolePath, rolesOf, subjectOf, subjectPrefixes, trustPolicy } from "./trust";

export interface BootstrapOutputs {
  accountId: string;
  oidcProviderArn: pulumi.Output<string>;
  permissionsBoundaryArn: pulumi.Output<string>;
  roleArns: RoleArns;
}

/** The boundary's name: the main project's task roles (trading-bot:accounts.permissionsBoundary) and the workflows' roles carry it. */
export const boundaryName = permissionsBoundaryName;

export function bootstrapProgram(): BootstrapOutputs {
  let settings: BootstrapSettings;
  try {
    settings = parseBootstrapConfig(pulumi.getStack(), pulumi.runtime.allConfig());
  } catch (error) {
    if (error instanceof BootstrapConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  const context: AccountContext = {
    account: settings.accountId,
    region: settings.region,
    boundaryArn: `arn:aws:iam::${settings.accountId}:policy/${boundaryName}`,
    providerArn: `arn:aws:iam::${settings.accountId}:oidc-provider/${oidcHost}`,
  };
  const provider = createOidcProvider();
  const boundary = new aws.iam.Policy("permissions-boundary", {
    name: boundaryName,
    description: "The most any role of the trading-bot project may do; it cannot change this policy, the OIDC provider or the bootstrap's roles",
    policy: JSON.stringify(boundaryPolicy(context)),
  });
  const roleArns = createRoles(settings, context, provider, boundary);
  if (settings.github) createRepositorySettings(settings, settings.github, roleArns);
  return { accountId: settings.accountId, oidcProviderArn: provider.arn, permissionsBoundaryArn: boundary.arn, roleArns };
}

/** GitHub's OIDC provider. No thumbprint: AWS trusts GitHub's certificate through its own root CAs (thumbprints are no longer required). */
function createOidcProvider(): aws.iam.OpenIdConnectProvider {
  return new aws.iam.OpenIdConnectProvider("github-oidc", {
    url: `https://${oidcHost}`,
    clientIdLists: [oidcAudience],
    tags: { Project: "trading-bot", ManagedBy: "pulumi-bootstrap" },
  });
}

/** Every role of the account's stages, each with its policies; returns their ARNs by stage and kind. */
function createRoles(settings: BootstrapSettings, context: AccountContext, provider: aws.iam.OpenIdConnectProvider, boundary: aws.iam.Policy): RoleArns {
  const arns: RoleArns = {};
  for (const stage of settings.stages) {
    arns[stage] = {};
    for (const spec of rolesOf(stage)) {
      const role = createRole(settings, spec, provider, boundary);
      attachPolicies(role, spec, context);
      arns[stage][spec.kind] = role.arn;
    }
  }
  return arns;
}

function createRole(settings: BootstrapSettings, spec: RoleSpec, provider: aws.iam.OpenIdConnectProvider, boundary: aws.iam.Policy): aws.iam.Role {
  const subjects = subjectPrefixes(settings.repository).flatMap((prefix) => spec.events.map((event) => subjectOf(prefix, spec.environment, "", event)));
  return new aws.iam.Role(spec.name, {
    name: spec.name,
    path: rolePath,
    description: `GitHub Actions, environment ${spec.environment}, events ${spec.events.join(", ")}: ${spec.kind}`,
    assumeRolePolicy: provider.arn.apply((arn) => JSON.stringify(trustPolicy(arn, subjects))),
    maxSessionDuration: spec.maxSessionSeconds,
    // Every role of the project, the workflows' included, stays inside the boundary.
    permissionsBoundary: boundary.arn,
    tags: { Project: "trading-bot", "trading-bot:role-kind": spec.kind, "trading-bot:environment": spec.environment },
  });
}

function attachPolicies(role: aws.iam.Role, spec: RoleSpec, context: AccountContext): void {
  const inline = (document: Record<string, unknown>) =>
    new aws.iam.RolePolicy(`${spec.name}-policy`, { role: role.name, name: spec.kind, policy: JSON.stringify(document) });
  switch (spec.kind) {
    case "preview":
      new aws.iam.RolePolicyAttachment(`${spec.name}-read-only`, { role: role.name, policyArn: readOnlyAccessArn });
      inline(previewDenials());
      return;
    case "deploy":
      inline(deployPolicy(context));
      return;
    case "data-import":
    case "data-export":
      inline(dataSyncPolicy(context, spec.kind === "data-import"));
      return;
  }
}
