import * as pulumi from "@pulumi/pulumi";
import { StackConfigError, StackSettings, parseStackConfig, projectName, secretConfigKeys } from "./config";
import { StackOutputs } from "./outputs";
import { SecretInputs, createTradingBotStack } from "./tradingBot";

// isConfigSecret is internal to @pulumi/pulumi (no typings): it reads the CLI's list of keys
// set with --secret. Should a later SDK drop it, every key counts as secret rather than block.
const { isConfigSecret = () => true } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?(key: string): boolean };

/** The current stack's settings, validated against the schema. */
export function loadStackSettings(): StackSettings {
  return parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig(), isConfigSecret);
}

/** Reads the secret config values that are set, as Pulumi secrets (never as plain strings), by the variable the app reads. */
export function readSecretInputs(settings: StackSettings): SecretInputs {
  const config = new pulumi.Config(projectName);
  return Object.fromEntries(settings.secretKeysSet.map((key) => [secretConfigKeys[key].variable, config.requireSecret(key)]));
}

/** The whole program: validate this stack's config, then build it. Returns the stack outputs. */
export function tradingBotProgram(): StackOutputs {
  let settings: StackSettings;
  try {
    settings = loadStackSettings();
  } catch (error) {
    // A bad stack file: the lines name every key to fix; a stack trace would only hide them.
    if (error instanceof StackConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  return createTradingBotStack(settings, readSecretInputs(settings));
}
