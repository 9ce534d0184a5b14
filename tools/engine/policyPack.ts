// Runs the policy pack the way the Pulumi CLI does: `run-policy-pack` in the pack's folder,
// then the Analyzer gRPC protocol (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack).
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "./resource";

/** The engine's marker for a value not known until the resource exists (a preview-time unknown). */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/** A value the engine would send as a secret. */
export function secretValue(value: unknown): Record<string, unknown> {
  return { [secretSignatureKey]: secretSignature, value };
}

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";
const levels: Record<number, Level> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};
const levelNumbers: Record<Level, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
};

/** A resource as the engine describes it to an analyzer. */
export interface AnalyzedResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs (for Analyze) or outputs (for AnalyzeStack); secrets wrapped with `secretValue`. */
  props: Record<string, unknown>;
  protect?: boolean;
  parentUrn?: string | null;
  /** URNs each property depends on. */
  propertyDependencies?: Record<string, string[]>;
}

export interface Diagnostic {
  policy: string;
  level: Level;
  urn: string;
  message: string;
}

export interface PolicyInfo {
  name: string;
  description: string;
  level: Level;
  configSchema: Record<string, unknown>;
  tags: string[];
}

export interface AnalyzerInfo {
  name: string;
  version: string;
  policies: PolicyInfo[];
}

/** Policy packs of this process that have not exited yet: killed when this process exits. */
const running = new Set<ChildProcess>();
// The backstop for any path that skips stop() (an uncaught error, process.exit): 'exit'
// handlers must be synchronous, so SIGKILL. A kill -9 of this process is covered by the
// child itself (exitWithParent.js).
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** How long `stop()` lets the pack end on SIGTERM before it sends SIGKILL. */
const stopGraceMs = 5000;

/**
 * One policy pack process; answers many requests. Call `stop()` when done: it ends the
 * process and waits for it. The process also ends when this one does, however it ends.
 */
export class PolicyPackProcess {
  private readonly serving: Promise<AnalyzerClient>;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, packDirectory: string) {
    running.add(child);
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    }).then(() => void running.delete(child));
    this.serving = servingClient(child, packDirectory, this.exited);
    // A pack that fails to start is reported by ready() or the first request, not as an unhandled rejection.
    this.serving.catch(() => undefined);
  }

  /**
   * Starts the pack in `packDirectory` and returns at once, so it can be stopped even
   * before it serves; it type-checks a TypeScript pack first, as the CLI's host does.
   */
  static launch(packDirectory: string): PolicyPackProcess {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    // stdin is a pipe only this process holds: the preload ends the pack when it closes.
    const child = spawn(process.execPath, ["--require", path.join(__dirname, "exitWithParent.js"), runner, "127.0.0.1:0", "."], {
      cwd: packDirectory,
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new PolicyPackProcess(child, packDirectory);
  }

  /** Starts the pack and waits until it serves. */
  static async start(packDirectory: string): Promise<PolicyPackProcess> {
    const pack = PolicyPackProcess.launch(packDirectory);
    try {
      await pack.ready();
      return pack;
    } catch (error) {
      await pack.stop();
      throw error;
    }
  }

  /** The pack's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the pack serves; rejects when it exited before. */
  async ready(): Promise<void> {
    await this.serving;
  }

  async info(): Promise<AnalyzerInfo> {
    const response = await this.call<Empty, analyzer.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    return {
      name: response.getName(),
      version: response.getVersion(),
      policies: response.getPoliciesList().map((p) => ({
        name: p.getName(),
        description: p.getDescription(),
        level: levels[p.getEnforcementlevel()],
        configSchema: (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
        tags: p.getTagsList(),
      })),
    };
  }

  /** Sets each policy's config (and optionally its enforcement level), as `--policy-pack-config` does. */
  async configure(config: Record<string, { enforcementLevel?: Level } & Record<string, unknown>>): Promise<void> {
    const request = new analyzer.ConfigureAnalyzerRequest();
    for (const [policy, { enforcementLevel, ...properties }] of Object.entries(config)) {
      const entry = new analyzer.PolicyConfig();
      entry.setEnforcementlevel(levelNumbers[enforcementLevel ?? "mandatory"]);
      entry.setProperties(Struct.fromJavaScript(plain(properties) as Record<string, never>));
      request.getPolicyconfigMap().set(policy, entry);
    }
    await this.call("configure", request);
  }

  /** The engine's per-resource check, with the resource's inputs. */
  async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
    const request = describeResource(new analyzer.AnalyzeRequest(), resource);
    const response = await this.call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>("analyze", request);
    return diagnostics(response, resource.urn);
  }

  /** The engine's whole-stack check, with every resource's outputs. */
  async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
    const request = new analyzer.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((resource) => {
        const entry = describeResource(new analyzer.AnalyzerResource(), resource);
        if (resource.parentUrn) entry.setParent(resource.parentUrn);
        for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
          const dependencies = new analyzer.AnalyzerPropertyDependencies();
          dependencies.setUrnsList(urns);
          entry.getPropertydependenciesMap().set(property, dependencies);
        }
        return entry;
      }),
    );
    const response = await this.call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>("analyzeStack", request);
    return diagnostics(response, "");
  }

  /** Ends the pack (SIGTERM, then SIGKILL after a grace period) and resolves once it has exited. */
  async stop(): Promise<void> {
    void this.serving.then((client) => client.close(), () => undefined);
    if (running.has(this.child)) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), stopGraceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private async call<Req, Res>(method: string, request: Req): Promise<Res> {
    const client = await this.serving;
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Function>)[method].bind(client);
      fn(request, (error: grpc.ServiceError | null, response: Res) => (error ? reject(error) : resolve(response)));
    });
  }
}

/** The client for the port the pack prints on stdout once it serves. */
function servingClient(child: ChildProcess, packDirectory: string, exited: Promise<void>): Promise<AnalyzerClient> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    void exited.then(() => reject(new Error(`the policy pack in ${packDirectory} exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr.trim()}`)));
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const port = /^(\d+)\s*$/m.exec(stdout)?.[1];
      if (!port) return;
      child.stdout!.removeAllListeners("data");
      resolve(new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
    });
  });
}

/** What both requests say of a resource: type, name, URN, properties and options. */
function describeResource<T extends analyzer.AnalyzeRequest | analyzer.AnalyzerResource>(message: T, resource: AnalyzedResource): T {
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn);
  message.setProperties(Struct.fromJavaScript(plain(resource.props) as Record<string, never>));
  message.setOptions(options(resource));
  return message;
}

function options(resource: AnalyzedResource): analyzer.AnalyzerResourceOptions {
  // The pack refuses a request without options ("a more recent version of the Pulumi CLI is required").
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(resource.protect ?? false);
  if (resource.parentUrn) opts.setParent(resource.parentUrn);
  return opts;
}

function diagnostics(response: analyzer.AnalyzeResponse, fallbackUrn: string): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => {
    // The SDK sends "<policy description>\n<violation>"; the description is the policy's, not the finding's.
    const prefix = `${d.getDescription()}\n`;
    const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
    return { policy: d.getPolicyname(), level: levels[d.getEnforcementlevel()], urn: d.getUrn() || fallbackUrn, message };
  });
}

/** Structs hold JSON values only: drop undefined. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}));
}

/**
 * What `pulumi preview --policy-pack` would report for these resources: `Analyze` for each
 * (with its inputs, secrets marked as secrets), then `AnalyzeStack` once.
 */
export async function analyzeResources(pack: PolicyPackProcess, resources: RecordedResource[]): Promise<Diagnostic[]> {
  // All requests in flight at once; results keep the resources' order.
  const perResource = resources.map((resource) => {
    const props: Record<string, unknown> = { ...resource.inputs };
    for (const key of resource.secretInputs) props[key] = secretValue(props[key]);
    return pack.analyze({ ...resource, props });
  });
  const stack = pack.analyzeStack(resources.map((resource) => ({ ...resource, props: resource.state })));
  // Awaited together: a request that fails must not leave the other's rejection unhandled.
  const [perResourceDiagnostics, stackDiagnostics] = await Promise.all([Promise.all(perResource), stack]);
  return [...perResourceDiagnostics.flat(), ...stackDiagnostics];
}
