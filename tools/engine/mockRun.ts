// Runs the real program offline, under Pulumi's mocks, for a stack file: what the tests
// and the plan tool see instead of AWS. Secret config values become placeholders.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { projectName } from "../../stacks/config";
import { MockRunResult, RecordedResource, stackResourceOf } from "./resource";
import { StackFile } from "./stackFile";

export const mockAccountId = "123456789012";

// Pulumi's runtime state is global: runs queue here instead of interleaving.
let runQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` as stack `file.stack` under mocks and records every resource with its
 * inputs and options. Calls made together run one after another.
 */
export function runUnderMocks(...args: Parameters<typeof runUnderMocksNow>): Promise<MockRunResult> {
  const run = runQueue.then(() => runUnderMocksNow(...args));
  runQueue = run.catch(() => undefined);
  return run;
}

async function runUnderMocksNow(
  file: StackFile,
  program: () => unknown,
  options: {
    /** Outputs of other stacks read through StackReference, by stack name, with which are secret. */
    stackReferences?: Record<string, { outputs: Record<string, unknown>; secretOutputNames?: string[] }>;
  } = {},
): Promise<MockRunResult> {
  const computed = new Map<string, { custom: boolean; state: Record<string, unknown> }>();
  const registered: { type: string; name: string; protect: boolean; resource: pulumi.Resource; parent?: pulumi.Resource; props: Record<string, unknown> }[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state =
          args.type === "pulumi:pulumi:StackReference"
            ? { ...args.inputs, outputs: {}, secretOutputNames: [], ...options.stackReferences?.[String(args.inputs.name)] }
            : mockState(args.type, args.name, args.inputs, file.stack);
        const key = `${args.type}::${args.name}`;
        // Mocks see no parent, so type and name must tell resources apart.
        if (computed.has(key)) throw new Error(`two resources of type ${args.type} are named ${args.name}`);
        computed.set(key, { custom: args.custom ?? true, state });
        return { id: args.custom === false ? undefined : `${args.name}-id`, state };
      },
      call: (args) => mockCall(args.token, args.inputs),
    },
    projectName,
    file.stack,
    false,
  );
  pulumi.runtime.setAllConfig(file.config, file.secretKeys);

  let programOutputs: Record<string, unknown> = {};
  const outputs = (await runInPulumiStack(async () => {
    // Mocks never see resource options; a stack transformation sees every resource's.
    pulumi.runtime.registerStackTransformation((args) => {
      registered.push({
        type: args.type,
        name: args.name,
        protect: args.opts.protect === true,
        resource: args.resource,
        parent: args.opts.parent,
        props: args.props,
      });
      return undefined;
    });
    programOutputs = (await program()) as Record<string, unknown>;
    return programOutputs;
  })) as Record<string, unknown>;

  // Resources without a parent belong to the stack resource.
  const stackUrn = stackResourceOf(file.stack).urn;
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
    resources.push({
      urn,
      type: entry.type,
      name: entry.name,
      parentUrn: entry.parent ? (urnOf.get(entry.parent) ?? engineUrn(await promiseOf(entry.parent.urn))) : stackUrn,
      custom: mock?.custom ?? pulumi.CustomResource.isInstance(entry.resource),
      protect: entry.protect,
      inputs,
      secretInputs: secrets,
      state: mock?.state ?? {},
    });
  }

  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(programOutputs)) {
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputs.push(key);
  }
  return { stack: file.stack, resources, outputs, secretOutputs: secretOutputs.sort() };
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
    value[key] = await promiseOf(output);
  }
  return { value, secrets };
}

/** The state a real provider would return: inputs plus the computed attributes this program reads. */
function mockState(type: string, name: string, inputs: Record<string, unknown>, stack: string): Record<string, unknown> {
  const region = "us-east-1";
  const service = type.split(":")[1]?.split("/")[0] ?? "mock";
  const arn = `arn:aws:${service}:${region}:${mockAccountId}:${type.split(":").pop()}/${name}`;
  const common = { ...inputs, arn, name: inputs.name ?? `${name}-${stack}` };
  switch (type) {
    case "awsx:ec2:Vpc":
      return {
        ...inputs,
        vpcId: `vpc-${name}`,
        privateSubnetIds: ["subnet-private-1", "subnet-private-2"],
        publicSubnetIds: ["subnet-public-1", "subnet-public-2"],
      };
    case "aws:rds/instance:Instance":
      return { ...common, address: `${name}.abcdefghijkl.${region}.rds.amazonaws.com`, port: inputs.port ?? 5432 };
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return { ...common, configurationEndpointAddress: `clustercfg.${name}.abcdef.use1.cache.amazonaws.com` };
    case "aws:efs/fileSystem:FileSystem":
      return { ...common, dnsName: `fs-${name}.efs.${region}.amazonaws.com` };
    case "aws:s3/bucket:Bucket":
      return { ...common, bucket: `${inputs.bucketPrefix ?? name}abc1234` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...common, name: `${inputs.namePrefix ?? ""}abc1234` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `mock-random-${name}` };
    default:
      return common;
  }
}

function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: mockAccountId, arn: `arn:aws:iam::${mockAccountId}:user/mock`, userId: "mock" };
    case "aws:index/getRegion:getRegion":
      return { name: "us-east-1", region: "us-east-1" };
    default:
      return inputs;
  }
}
