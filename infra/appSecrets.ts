import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerSecret, IamStatement, ServiceAttachment } from "./attachment";
import * as limits from "./limits";

export interface AppSecretsArgs {
  /** Secret values by the environment variable the app reads them as, e.g. `BYBIT_API_KEY`. */
  values: Record<string, pulumi.Input<string>>;
  /**
   * Values Pulumi generates once (random, alphanumeric), by variable name, with their length in characters.
   * @default {}
   */
  generated?: Record<string, { lengthChars: number }>;
  /** Name prefix of the stack's secret in Secrets Manager, e.g. `trading-bot/prod/`; AWS appends a suffix. */
  namePrefix: string;
  /** Days Secrets Manager keeps the deleted secret recoverable: 0 (delete at once) or 7 to 30. */
  recoveryWindowDays: number;
}

/**
 * The stack's one Secrets Manager secret: a JSON object with a key per app secret (one
 * secret costs 0.40 USD a month, five cost 2.00). The values stay Pulumi secrets end to
 * end; a container reads the keys it is given at start through ECS `secrets` with
 * `valueFrom: <arn>:<KEY>::<versionId>` (never plain environment), and its execution role
 * may read this one ARN and nothing else. Each task gets only its keys (`attachmentFor`).
 *
 * The task's `valueFrom` names the version that holds the values, so a new value (a rotated
 * Bybit key, a new DATABASE_URL) is a new task definition revision and a rolling deploy:
 * ECS reads a secret only when a task starts, and never again (ECS developer guide,
 * "Pass sensitive data to an Amazon ECS container").
 */
export class AppSecrets extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly arn: pulumi.Output<string>;
  /** The JSON keys the secret holds, sorted. */
  public readonly keys: string[];
  /** The Secrets Manager version that holds the current values: a new value, a new id. */
  public readonly versionId: pulumi.Output<string>;
  private readonly version: aws.secretsmanager.SecretVersion;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:AppSecrets", name, args, opts);
    validateArgs(name, args);
    const values = { ...args.values, ...this.generateValues(name, args.generated ?? {}) };
    this.keys = Object.keys(values).sort();
    this.secret = new aws.secretsmanager.Secret(
      name,
      { namePrefix: args.namePrefix, description: "The trading bot's secrets, one JSON key each", recoveryWindowInDays: args.recoveryWindowDays },
      { parent: this },
    );
    this.version = this.storeValues(name, values);
    this.arn = this.secret.arn;
    this.versionId = this.version.versionId;
    this.registerOutputs({ arn: this.arn, keys: this.keys, versionId: this.versionId });
  }

  /**
   * What a task needs to read `keys` of the secret: its ECS `secrets` entries, the one
   * statement that lets its execution role read the secret, and the secret's value to
   * exist before the task starts.
   */
  attachmentFor(keys: string[]): ServiceAttachment {
    const secrets: ContainerSecret[] = keys.map((key) => ({ name: key, valueFrom: this.pinnedValueFrom(key) }));
    const statement: IamStatement = { Sid: "ReadAppSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [this.arn] };
    return { secrets, executionRoleStatements: [statement], waitFor: [this.version] };
  }

  /**
   * The ECS `valueFrom` of one key in the current version (AWSCURRENT): `<arn>:<KEY>::`.
   * For readers outside the stack, which start tasks on their own schedule (see the stack
   * outputs): a task that starts reads the value of that moment.
   */
  valueFrom(key: string): pulumi.Output<string> {
    this.requireKey(key);
    return pulumi.interpolate`${this.arn}:${key}::`;
  }

  /** The ECS `valueFrom` of one key in the version this update stored: `<arn>:<KEY>::<versionId>`. */
  pinnedValueFrom(key: string): pulumi.Output<string> {
    this.requireKey(key);
    return pulumi.interpolate`${this.arn}:${key}::${this.versionId}`;
  }

  private requireKey(key: string): void {
    if (!this.keys.includes(key)) throw new Error(`AppSecrets: no key ${key}; it holds ${this.keys.join(", ")}`);
  }

  private generateValues(name: string, generated: Record<string, { lengthChars: number }>): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(
      Object.entries(generated).map(([variable, { lengthChars }]) => [
        variable,
        new random.RandomPassword(`${name}-${slug(variable)}`, { length: lengthChars, special: false }, { parent: this }).result,
      ]),
    );
  }

  private storeValues(name: string, values: Record<string, pulumi.Input<string>>): aws.secretsmanager.SecretVersion {
    const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
    return new aws.secretsmanager.SecretVersion(
      name,
      { secretId: this.secret.id, secretString: pulumi.secret(pulumi.jsonStringify(sorted)) },
      { parent: this.secret },
    );
  }
}

function validateArgs(name: string, args: AppSecretsArgs): void {
  const where = `AppSecrets ${name}`;
  limits.requireValid(where, "recoveryWindowDays", args.recoveryWindowDays, limits.secretRecoveryWindowDays);
  const generated = args.generated ?? {};
  for (const variable of [...Object.keys(args.values), ...Object.keys(generated)]) {
    limits.requireValid(where, "a secret's key", variable, limits.environmentVariableName);
    if (variable in args.values && variable in generated) {
      throw new Error(`${where}: ${variable} is both given in "values" and listed in "generated"; choose one`);
    }
  }
}

/** `SECRET_KEY` -> `secret-key`, for resource names. */
function slug(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}
