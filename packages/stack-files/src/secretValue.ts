// A config value a stack file holds encrypted (`secure: v1:...`). The Pulumi CLI decrypts it
// before the program runs; nothing offline can read it, so every decision that needs its
// value must treat it as unknown (production decides it is production).
// No imports: the program, the policy pack and the tools all load it.

export class SecretValue {
  /**
   * `key` is where the value sits, e.g. `trading-bot:bybitApiKey` or `trading-bot:app.token`;
   * `fingerprint` tells one ciphertext from another (a hash of where it sits and of the
   * ciphertext, never of a value), so a diff can say that a secret changed.
   */
  constructor(
    readonly key: string,
    readonly fingerprint = "",
  ) {}

  /** Never a value: JSON and error lines show that a secret sits here, nothing of it. */
  toJSON(): string {
    return "[secret]";
  }

  toString(): string {
    return "[secret]";
  }
}
