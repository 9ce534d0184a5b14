// The shape every tool and test shares for a resource the program registered, as the
// engine would record it. Defined here once; the mock run fills it, the plan prints,
// prices and serialises it, the policy-pack host sends it over the Analyzer protocol.
import { projectName } from "../../stacks/config";

/** One resource the program registered, as the engine would record it. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parentUrn: string | null;
  custom: boolean;
  protect: boolean;
  /** The inputs the program gave (secrets unwrapped: handle with care). */
  inputs: Record<string, unknown>;
  /** The input names whose values are Pulumi secrets. */
  secretInputs: string[];
  /** Inputs plus what the mock computed (ids, ARNs, endpoints). */
  state: Record<string, unknown>;
  /** URNs of the resources this one depends on: `dependsOn` and every resource its inputs came from. */
  dependencies?: string[];
  /** URNs each input property depends on, as the engine records them. */
  propertyDependencies?: Record<string, string[]>;
  /** The `ignoreChanges` resource option. */
  ignoreChanges?: string[];
  /** The `deleteBeforeReplace` resource option. */
  deleteBeforeReplace?: boolean;
  /** The `customTimeouts` resource option (e.g. how long `pulumi up` waits for a service's steady state). */
  customTimeouts?: { create?: string; update?: string; delete?: string };
}

/** What a run of the program registered and returned. */
export interface MockRunResult {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Output keys whose values are Pulumi secrets. */
  secretOutputs: string[];
}

/** A component resource of `stack` at the top of the tree: no parent, no inputs of its own. */
export function componentResourceOf(stack: string, type: string, name: string, project = projectName): RecordedResource {
  return {
    urn: `urn:pulumi:${stack}::${project}::${type}::${name}`,
    type,
    name,
    parentUrn: null,
    custom: false,
    protect: false,
    inputs: {},
    secretInputs: [],
    state: {},
  };
}

/** The stack resource itself: the root of every resource's parent chain. */
export function stackResourceOf(stack: string, project = projectName): RecordedResource {
  return componentResourceOf(stack, "pulumi:pulumi:Stack", `${project}-${stack}`, project);
}
