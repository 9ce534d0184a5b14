// Runs the real program offline, under Pulumi's mocks, for a stack file: what the tests
// and the plan tool see instead of AWS. Secret config values become placeholders.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { projectName } from "../../stacks/config";
import { allowedAccountOf } from "../../stacks/stackFileKeys";
import { MockRunResult, RecordedResource, stackResourceOf } from "./resource";
import { StackFile } from "./stackFile";
import { withoutStackTraces } from "./stackTraces";

/** The account of a stack whose file names none (`aws:allowedAccountIds`); each other stack runs in the account its file names. */
export const mockAccountId = "123456789012";

/** The account the mocks give a stack: the one its file names, as the provider would be held to. */
export function mockAccountOf(file: StackFile): string {
  try {
    return allowedAccountOf(file.config["aws:allowedAccountIds"]) ?? mockAccountId;
  } catch {
    return mockAccountId;
  }
}

// Pulumi's runtime state is global: runs queue here instead of interleaving.
let runQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` as stack `file.stack` under mocks and records every resource with its
 * inputs and options. Calls made together run one after another.
 */
export function runUnderMocks(...args: Parameters<typeof runUnderMocksNow>): Promise<MockRunResult> {
  // Without stack traces (stackTraces.ts: a fifth of the CPU); a run that fails runs again with
  // them, so that its error says where it came from.
  const run = runQueue.then(() => withoutStackTraces(() => runUnderMocksNow(...args)).catch(() => runUnderMocksNow(...args)));
  runQueue = run.catch(() => undefined);
  return run;
}

/** Outputs of other stacks read through StackReference, by stack name, with which are secret. */
export type StackReferenceOutputs = Record<string, { outputs: Record<string, unknown>; secretOutputNames?: string[] }>;

/** What the mock monitor computed for a resource. */
type Computed = Map<string, { custom: boolean; state: Record<string, unknown> }>;

/** What the engine receives with each registration: the resource's dependencies, by its (mock) URN. */
type Edges = Map<string, { dependencies: string[]; propertyDependencies: Record<string, string[]> }>;

/** A resource as the stack transformation saw it, with its options. */
interface Registration {
  type: string;
  name: string;
  resource: pulumi.Resource;
  props: Record<string, unknown>;
  opts: pulumi.CustomResourceOptions;
}

async function runUnderMocksNow(
  file: StackFile,
  program: () => unknown,
  options: { stackReferences?: StackReferenceOutputs; project?: string } = {},
): Promise<MockRunResult> {
  const computed: Computed = new Map();
  const mocks = mocksFor({ stack: file.stack, account: mockAccountOf(file) }, computed, options.stackReferences ?? {});
  await pulumi.runtime.setMocks(mocks, options.project ?? projectName, file.stack, false);
  const edges = recordDependencyEdges();
  pulumi.runtime.setAllConfig(file.config, file.secretKeys);

  const registered: Registration[] = [];
  let programOutputs: Record<string, unknown> = {};
  const outputs = (await runInPulumiStack(async () => {
    // Mocks never see resource options; a stack transformation sees every resource's.
    pulumi.runtime.registerStackTransformation((args) => {
      // A resource built from a reference the engine sent back (a component's inputs hold
      // references to other resources) is read by its URN, not registered again.
      if (args.opts.urn) return undefined;
      registered.push({ type: args.type, name: args.name, resource: args.resource, props: args.props, opts: args.opts });
      return undefined;
    });
    programOutputs = (await program()) as Record<string, unknown>;
    return programOutputs;
  })) as Record<string, unknown>;

  const resources = await recordResources(file.stack, registered, computed, edges, options.project);
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(programOutputs)) {
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputs.push(key);
  }
  return { stack: file.stack, resources, outputs, secretOutputs: secretOutputs.sort() };
}

/** The mocks: a provider's computed state per type, stand-in outputs for stack references, canned invokes. */
function mocksFor(stack: { stack: string; account: string }, computed: Computed, stackReferences: StackReferenceOutputs): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      const reference = stackReferences[String(args.inputs.name)];
      const state =
        args.type === "pulumi:pulumi:StackReference"
          ? { ...args.inputs, outputs: reference?.outputs ?? {}, secretOutputNames: reference?.secretOutputNames ?? [] }
          : args.custom === false && !args.type.startsWith("awsx:")
            ? {} // a local component: its outputs are what it registers, not its inputs
            : mockState(args.type, args.name, args.inputs, stack);
      const key = `${args.type}::${args.name}`;
      // Mocks see no parent, so type and name must tell resources apart.
      if (computed.has(key)) throw new Error(`two resources of type ${args.type} are named ${args.name}`);
      computed.set(key, { custom: args.custom ?? true, state });
      return { id: args.custom === false ? undefined : `${args.name}-id`, state };
    },
    call: (args) => mockCall(args.token, args.inputs, stack.account),
  };
}

/**
 * Reads, from each RegisterResource request the mock monitor answers, the dependencies the
 * engine would record: `dependsOn` (components expanded to their children) and every
 * resource an input came from, in all and per property.
 */
function recordDependencyEdges(): Edges {
  type Request = { getDependenciesList(): string[]; getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void } };
  type Callback = (error: unknown, response?: { getUrn(): string }) => void;
  const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { registerResource(req: Request, cb: Callback): void } }).getMonitor();
  const edges: Edges = new Map();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (!error && response) {
        const propertyDependencies: Record<string, string[]> = {};
        request.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList().map(engineUrn)));
        edges.set(engineUrn(response.getUrn()), { dependencies: request.getDependenciesList().map(engineUrn), propertyDependencies });
      }
      callback(error, response);
    });
  return edges;
}

/** Every registered resource as the engine would record it; resources without a parent belong to the stack. */
async function recordResources(stack: string, registered: Registration[], computed: Computed, edges: Edges, project?: string): Promise<RecordedResource[]> {
  const stackUrn = stackResourceOf(stack, project).urn;
  const urnOf = new Map<pulumi.Resource, string>();
  for (const entry of registered) urnOf.set(entry.resource, engineUrn(await promiseOf(entry.resource.urn)));
  const seen = new Set<string>();
  const resources: RecordedResource[] = [];
  for (const entry of registered) {
    const urn = urnOf.get(entry.resource)!;
    if (seen.has(urn)) throw new Error(`two resources share the URN ${urn}`);
    seen.add(urn);
    const mock = computed.get(`${entry.type}::${entry.name}`);
    const { value: inputs, secrets } = await resolveInputs(entry.props);
    const parent = entry.opts.parent;
    resources.push({
      urn,
      type: entry.type,
      name: entry.name,
      parentUrn: parent ? (urnOf.get(parent) ?? engineUrn(await promiseOf(parent.urn))) : stackUrn,
      custom: mock?.custom ?? pulumi.CustomResource.isInstance(entry.resource),
      protect: entry.opts.protect === true,
      inputs,
      secretInputs: secrets,
      state: mock?.state ?? {},
      dependencies: edges.get(urn)?.dependencies ?? [],
      propertyDependencies: edges.get(urn)?.propertyDependencies ?? {},
      ignoreChanges: entry.opts.ignoreChanges ?? [],
      deleteBeforeReplace: entry.opts.deleteBeforeReplace === true,
      customTimeouts: entry.opts.customTimeouts,
    });
  }
  return resources;
}

/**
 * The URN the engine would give: it leaves the root stack out of the parent-type chain,
 * where the mock monitor puts `pulumi:pulumi:Stack$` in.
 */
function engineUrn(urn: string): string {
  return urn.replace("::pulumi:pulumi:Stack$", "::");
}

/** The value inside an Output, known or not (unknown values under preview resolve to undefined). */
function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Resolves a resource's input properties and names the ones that are secret. */
async function resolveInputs(props: Record<string, unknown>): Promise<{ value: Record<string, unknown>; secrets: string[] }> {
  const value: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const [key, input] of Object.entries(props ?? {})) {
    if (input === undefined) continue;
    const output = pulumi.output(input);
    if (await pulumi.isSecret(output)) secrets.push(key);
    value[key] = await withResourceReferences(await promiseOf(output));
  }
  return { value, secrets };
}

/** Resources inside inputs (a component's inputs may hold other components) as the engine records them: references by URN. */
async function withResourceReferences(value: unknown): Promise<unknown> {
  if (pulumi.Resource.isInstance(value)) return { urn: engineUrn(await promiseOf(value.urn)) };
  if (Array.isArray(value)) return Promise.all(value.map(withResourceReferences));
  if (value === null || typeof value !== "object") return value;
  const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await withResourceReferences(item)] as const));
  return Object.fromEntries(entries);
}

/** The state a real provider would return: inputs plus the computed attributes this program reads. */
function mockState(type: string, name: string, inputs: Record<string, unknown>, { stack, account }: { stack: string; account: string }): Record<string, unknown> {
  const region = "us-east-1";
  const service = type.split(":")[1]?.split("/")[0] ?? "mock";
  const arn = `arn:aws:${service}:${region}:${account}:${type.split(":").pop()}/${name}`;
  const common = { ...inputs, arn, name: inputs.name ?? `${name}-${stack}` };
  switch (type) {
    case "aws:iam/role:Role": {
      // IAM is global: no region; a path (e.g. /github-actions/) is part of the ARN.
      const roleName = String(inputs.name ?? `${name}-${stack}`);
      return { ...common, name: roleName, arn: `arn:aws:iam::${account}:role${inputs.path ?? "/"}${roleName}` };
    }
    case "aws:iam/policy:Policy": {
      const policyName = String(inputs.name ?? `${name}-${stack}`);
      return { ...common, name: policyName, arn: `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${policyName}` };
    }
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { ...common, arn: `arn:aws:iam::${account}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}` };
    case "awsx:ec2:Vpc":
      return {
        ...inputs,
        vpcId: `vpc-${name}`,
        privateSubnetIds: ["subnet-private-1", "subnet-private-2"],
        publicSubnetIds: ["subnet-public-1", "subnet-public-2"],
      };
    case "aws:rds/instance:Instance":
      return { ...common, identifier: inputs.identifier ?? `${name}-abc1234`, address: `${name}.abcdefghijkl.${region}.rds.amazonaws.com`, port: inputs.port ?? 5432 };
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return { ...common, ...replicationGroupIds(name, inputs), configurationEndpointAddress: `clustercfg.${name}.abcdef.use1.cache.amazonaws.com` };
    case "aws:efs/fileSystem:FileSystem":
      return { ...common, dnsName: `fs-${name}.efs.${region}.amazonaws.com` };
    case "aws:s3/bucket:Bucket":
      return { ...common, bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? name}abc1234` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...common, name: inputs.name ?? `${inputs.namePrefix ?? ""}abc1234` };
    case "aws:secretsmanager/secretVersion:SecretVersion":
      // Secrets Manager gives each stored value a new version id: derived from the value here,
      // so a new value gets a new id and the same value the same one, as across real updates.
      // (A secret input reaches the mock wrapped, with its value inside: JSON holds all of it.)
      return { ...common, versionId: uuidOf(JSON.stringify(inputs.secretString ?? null)) };
    case "aws:ecs/taskDefinition:TaskDefinition":
      // The ARN names the revision, as ECS's does; under mocks every family is at revision 1.
      return { ...common, arn: `arn:aws:ecs:${region}:${mockAccountId}:task-definition/${inputs.family}:1`, revision: 1 };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `mock-random-${name}` };
    case "random:index/randomId:RandomId":
      // Hex of byteLength bytes, derived from the name so that runs are repeatable.
      return { ...inputs, hex: createHash("sha256").update(name).digest("hex").slice(0, 2 * Number(inputs.byteLength ?? 8)) };
    default:
      return common;
  }
}

/** The group's id and its nodes, `<id>-<shard 0001>-<node 001>`, as ElastiCache names them in cluster mode. */
function replicationGroupIds(name: string, inputs: Record<string, unknown>): { replicationGroupId: string; memberClusters: string[] } {
  const replicationGroupId = String(inputs.replicationGroupId ?? `${name}-abc1234`);
  const shards = Number(inputs.numNodeGroups ?? 1);
  const nodes = Number(inputs.replicasPerNodeGroup ?? 0) + 1;
  const memberClusters = Array.from({ length: shards * nodes }, (_, index) => {
    const [shard, node] = [Math.floor(index / nodes) + 1, (index % nodes) + 1];
    return `${replicationGroupId}-${String(shard).padStart(4, "0")}-${String(node).padStart(3, "0")}`;
  });
  return { replicationGroupId, memberClusters };
}

/** A UUID-shaped id derived from `text`. */
function uuidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function mockCall(token: string, inputs: Record<string, unknown>, account: string): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: account, arn: `arn:aws:iam::${account}:user/mock`, userId: "mock" };
    case "aws:index/getRegion:getRegion":
      return { name: "us-east-1", region: "us-east-1" };
    default:
      return inputs;
  }
}
