import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerSecret, IamStatement, ServiceAttachment } from "./attachment";
import { isSecretRecoveryWindow } from "./awsLimits";

export interface AppSecretsArgs {
  /** Secret values by the environment variable the app reads them as, e.g. `BYBIT_API_KEY`. */
  values: Record<string, pulumi.Input<string>>;
  /** Secrets generated once by Pulumi (random, alphanumeric), by variable name, with their length in characters. */
  generated?: Record<string, { lengthChars: number }>;
  /** Prefix of each secret's name in Secrets Manager, e.g. `trading-bot/prod/`. */
  namePrefix: string;
  /** Days Secrets Manager keeps a deleted secret recoverable: 0 (delete at once) or 7 to 30. */
  recoveryWindowDays: number;
}

const variableNamePattern = /^[A-Z][A-Z0-9_]*$/;

/**
 * One Secrets Manager secret per app secret. The values stay Pulumi secrets end to end;
 * the container reads them at start through ECS `secrets` (never plain environment), and
 * the execution role may read exactly these ARNs and nothing else.
 */
export class AppSecrets extends pulumi.ComponentResource implements ServiceAttachment {
  /** Secret ARN by variable name. */
  public readonly arns: Record<string, pulumi.Output<string>>;
  /** ECS `secrets` entries for the app container. */
  public readonly secrets: ContainerSecret[];
  /** The one statement that lets the execution role read these secrets. */
  public readonly executionRoleStatements: IamStatement[];

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trading-bot:infra:AppSecrets", name, {}, opts);
    if (!isSecretRecoveryWindow(args.recoveryWindowDays)) {
      throw new Error(`AppSecrets ${name}: recoveryWindowDays is ${args.recoveryWindowDays}; allowed: 0, or 7 to 30`);
    }
    const generated = args.generated ?? {};
    for (const variable of [...Object.keys(args.values), ...Object.keys(generated)]) {
      if (!variableNamePattern.test(variable)) {
        throw new Error(`AppSecrets ${name}: "${variable}" is not an environment variable name (A-Z, 0-9, _)`);
      }
      if (variable in args.values && variable in generated) {
        throw new Error(`AppSecrets ${name}: ${variable} is both given in "values" and listed in "generated"; choose one`);
      }
    }

    const values: Record<string, pulumi.Input<string>> = { ...args.values };
    for (const [variable, { lengthChars }] of Object.entries(generated)) {
      values[variable] = new random.RandomPassword(
        `${name}-${slug(variable)}`,
        { length: lengthChars, special: false },
        { parent: this },
      ).result;
    }

    this.arns = {};
    for (const [variable, value] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b))) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-${slug(variable)}`,
        {
          namePrefix: `${args.namePrefix}${variable}-`,
          description: `${variable} for the trading bot`,
          recoveryWindowInDays: args.recoveryWindowDays,
        },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${slug(variable)}`,
        { secretId: secret.id, secretString: pulumi.secret(value) },
        { parent: secret },
      );
      this.arns[variable] = secret.arn;
    }

    this.secrets = Object.entries(this.arns).map(([variable, arn]) => ({ name: variable, valueFrom: arn }));
    this.executionRoleStatements = [
      {
        Sid: "ReadAppSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: Object.values(this.arns),
      },
    ];

    this.registerOutputs({ arns: this.arns });
  }
}

/** `BYBIT_API_KEY` -> `bybit-api-key`, for resource names. */
function slug(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}
