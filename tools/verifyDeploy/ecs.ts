// Read-only calls to ECS: DescribeServices, ListTasks, DescribeTasks, DescribeTaskDefinition.
// The SDK is loaded on first use, so no other command pays for it. A throttled or failing-
// server call is retried here with backoff (the client's own retries are off, so one policy
// applies and the tests see it); any other error is an API failure.
import type { ECSClient, Task } from "@aws-sdk/client-ecs";
import type { Snapshot } from "./assess";
import type { Target } from "./outputs";

/** ECS refused or failed a call: exit status 3, the message names the call and AWS's reason. */
export class ApiFailure extends Error {}

export interface RetryPolicy {
  /** Calls at most, the first included. */
  attempts: number;
  /** Delay before the first retry; doubled for each further one. */
  firstDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** Where retries are reported. */
  report(line: string): void;
}

const retryableNames = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ServerException", "ServiceUnavailable", "TimeoutError"]);

interface AwsError {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, a server error or a timeout: worth another try. */
export function isRetryable(error: unknown): boolean {
  const e = (error ?? {}) as AwsError;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return retryableNames.has(e.name ?? "") || e.$retryable !== undefined || status === 429 || status >= 500;
}

const permissions = "ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks, ecs:DescribeTaskDefinition";

/** `call` once, then again after each retryable error up to the policy's attempts. */
export async function withRetries<T>(operation: string, call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const e = (error ?? {}) as AwsError;
      const what = `${e.name ?? "Error"}: ${e.message ?? String(error)}`.replace(/[\r\n]+/g, " ");
      if (!isRetryable(error)) {
        const hint = /AccessDenied|UnauthorizedOperation|not authorized/i.test(what) ? `; the role needs ${permissions}` : "";
        throw new ApiFailure(`ecs:${operation} failed: ${what}${hint}`);
      }
      if (attempt >= policy.attempts) throw new ApiFailure(`ecs:${operation} failed ${attempt} times: ${what}`);
      const delayMs = policy.firstDelayMs * 2 ** (attempt - 1);
      policy.report(`ecs:${operation}: ${e.name ?? "error"}; trying again in ${delayMs / 1000} s`);
      await policy.sleep(delayMs);
    }
  }
}

/** Reads one service's state from ECS in `target.region`. */
export class EcsReader {
  private client: ECSClient | undefined;
  private sdk: typeof import("@aws-sdk/client-ecs") | undefined;
  private healthChecked: boolean | undefined;

  constructor(
    private readonly target: Target,
    private readonly retry: RetryPolicy,
  ) {}

  private async ecs(): Promise<{ client: ECSClient; sdk: typeof import("@aws-sdk/client-ecs") }> {
    this.sdk ??= await import("@aws-sdk/client-ecs");
    this.client ??= new this.sdk.ECSClient({ region: this.target.region, maxAttempts: 1 });
    return { client: this.client, sdk: this.sdk };
  }

  /** The service, its RUNNING tasks and whether the expected revision has a health check. */
  async snapshot(): Promise<Snapshot> {
    const { client, sdk } = await this.ecs();
    const { cluster, services } = { cluster: this.target.clusterName, services: [this.target.serviceName] };
    const described = await withRetries("DescribeServices", () => client.send(new sdk.DescribeServicesCommand({ cluster, services })), this.retry);
    const service = described.services?.[0];
    if (!service) return { service: undefined, missingReason: described.failures?.[0]?.reason, tasks: [], healthChecked: false };
    return { service, tasks: await this.runningTasks(), healthChecked: await this.expectedRevisionHasHealthCheck() };
  }

  /** Every task ECS wants running for the service (ListTasks pages, DescribeTasks 100 at a time). */
  private async runningTasks(): Promise<Task[]> {
    const { client, sdk } = await this.ecs();
    const cluster = this.target.clusterName;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await withRetries(
        "ListTasks",
        () => client.send(new sdk.ListTasksCommand({ cluster, serviceName: this.target.serviceName, desiredStatus: "RUNNING", nextToken })),
        this.retry,
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const tasks: Task[] = [];
    for (let start = 0; start < arns.length; start += 100) {
      const chunk = arns.slice(start, start + 100);
      const described = await withRetries("DescribeTasks", () => client.send(new sdk.DescribeTasksCommand({ cluster, tasks: chunk })), this.retry);
      tasks.push(...(described.tasks ?? []));
    }
    return tasks;
  }

  /** Whether an essential container of the revision the update registered has a health check: asked once. */
  private async expectedRevisionHasHealthCheck(): Promise<boolean> {
    if (this.healthChecked !== undefined) return this.healthChecked;
    const { client, sdk } = await this.ecs();
    const described = await withRetries(
      "DescribeTaskDefinition",
      () => client.send(new sdk.DescribeTaskDefinitionCommand({ taskDefinition: this.target.taskDefinitionArn })),
      this.retry,
    );
    const containers = described.taskDefinition?.containerDefinitions ?? [];
    this.healthChecked = containers.some((container) => container.essential !== false && container.healthCheck?.command?.length);
    return this.healthChecked;
  }
}
