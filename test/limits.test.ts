// infra/limits.ts, in-process: for every validator the values AWS allows at its edges and the
// first ones it refuses, every value of each list, the accepted and refused shapes of each
// pattern, with the exact words of each refusal. The expected values are written out here,
// from the AWS documentation, never read back from the module under test.
import { strict as assert } from "node:assert";
import * as limits from "../infra/limits";
import type { Validator } from "../infra/limits";

const shown = (value: unknown) => (typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value));

/** Accepted values and refused values with their refusal, as one `it` each. */
function checks(name: string, validator: Validator, accepted: readonly unknown[], refused: readonly (readonly [unknown, string])[]): void {
  for (const value of accepted) {
    it(`${name} accepts ${shown(value)}`, () => assert.equal(validator(value), undefined));
  }
  for (const [value, refusal] of refused) {
    it(`${name} refuses ${shown(value)}`, () => assert.equal(validator(value), refusal));
  }
}

/** `from`, `from + step`, ... up to `to`. */
const steps = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);

describe("limits: the building blocks", () => {
  checks("wholeNumber(1, 3, \"tries\")", limits.wholeNumber(1, 3, "tries"), [1, 2, 3], [
    [0, "allowed: tries from 1 to 3"],
    [4, "allowed: tries from 1 to 3"],
    [1.5, "allowed: tries from 1 to 3"],
    ["2", "allowed: tries from 1 to 3"],
    [undefined, "allowed: tries from 1 to 3"],
  ]);
  checks("oneOf([\"a\", 2])", limits.oneOf(["a", 2]), ["a", 2], [
    ["b", "allowed: a, 2"],
    ["2", "allowed: a, 2"],
    ["A", "allowed: a, 2"],
  ]);
  checks("oneOf([1, 2], \"X allows\")", limits.oneOf([1, 2], "X allows"), [1, 2], [[3, "X allows 1, 2"]]);
  checks("matching(/^5$/, \"five\")", limits.matching(/^5$/, "five"), ["5"], [
    [5, "allowed: five"],
    ["55", "allowed: five"],
  ]);
  checks("flag()", limits.flag(), [true, false], [
    ["true", "allowed: true, false"],
    [1, "allowed: true, false"],
    [undefined, "allowed: true, false"],
  ]);
  checks("positiveNumber(\"a size\")", limits.positiveNumber("a size"), [0.001, 1, 1e6], [
    [0, "allowed: a size above 0"],
    [-1, "allowed: a size above 0"],
    [Infinity, "allowed: a size above 0"],
    [NaN, "allowed: a size above 0"],
    ["1", "allowed: a size above 0"],
  ]);
  checks("nonNegativeNumber(\"GB\")", limits.nonNegativeNumber("GB"), [0, 0.5, 1e6], [
    [-0.001, "allowed: GB of 0 or more"],
    [Infinity, "allowed: GB of 0 or more"],
    [NaN, "allowed: GB of 0 or more"],
    ["0", "allowed: GB of 0 or more"],
  ]);

  const requireValidCases: [value: unknown, message: string | undefined][] = [
    [true, undefined],
    ["yes", 'Where: field is "yes"; allowed: true, false'],
    [undefined, "Where: field is undefined; allowed: true, false"],
    [{ a: 1 }, 'Where: field is {"a":1}; allowed: true, false'],
  ];
  for (const [value, message] of requireValidCases) {
    it(`requireValid ${message === undefined ? "passes" : "throws for"} ${shown(value)}`, () => {
      const call = () => limits.requireValid("Where", "field", value, limits.flag());
      if (message === undefined) assert.doesNotThrow(call);
      else assert.throws(call, (error: Error) => error.constructor === Error && error.message === message);
    });
  }

  const requireAllCases: [args: Record<string, unknown>, prefix: string | undefined, message: string | undefined][] = [
    [{ count: 1, on: true, other: "not checked" }, undefined, undefined],
    [{ count: 1, on: "x" }, undefined, 'Where: on is "x"; allowed: true, false'],
    [{ count: -1, on: "x" }, undefined, "Where: count is -1; allowed: tasks from 0 to 100"],
    [{ count: 101, on: true }, "service.", "Where: service.count is 101; allowed: tasks from 0 to 100"],
  ];
  for (const [args, prefix, message] of requireAllCases) {
    it(`requireAll ${message === undefined ? "passes" : `throws ${message}`}`, () => {
      const call = () => limits.requireAll("Where", args, { count: limits.desiredCount, on: limits.flag() }, prefix);
      if (message === undefined) assert.doesNotThrow(call);
      else assert.throws(call, { message });
    });
  }
});

describe("limits: whole-number ranges (both ends, one past each, a fraction, the number as text)", () => {
  const ranges: [name: string, validator: Validator, min: number, max: number, what: string][] = [
    ["availabilityZoneCount", limits.availabilityZoneCount, 2, 6, "a whole number of AZs"],
    ["desiredCount", limits.desiredCount, 0, 100, "tasks"],
    ["deploymentMinimumHealthyPercent", limits.deploymentMinimumHealthyPercent, 0, 100, "a percentage"],
    ["deploymentMaximumPercent", limits.deploymentMaximumPercent, 100, 200, "a percentage"],
    ["capacityWeight", limits.capacityWeight, 0, 1000, "a weight"],
    ["capacityBase", limits.capacityBase, 0, 100000, "tasks"],
    ["containerPort", limits.containerPort, 1024, 65535, "a port"],
    ["healthCheckIntervalSeconds", limits.healthCheckIntervalSeconds, 5, 300, "seconds"],
    ["healthCheckTimeoutSeconds", limits.healthCheckTimeoutSeconds, 2, 120, "seconds"],
    ["healthCheckRetries", limits.healthCheckRetries, 1, 10, "retries"],
    ["healthCheckStartPeriodSeconds", limits.healthCheckStartPeriodSeconds, 0, 300, "seconds"],
    ["deployTimeoutMinutes", limits.deployTimeoutMinutes, 5, 120, "minutes"],
    ["gp3StorageGb", limits.gp3StorageGb, 20, 65536, "GiB of gp3"],
    ["backupRetentionDays", limits.backupRetentionDays, 0, 35, "days"],
    ["cacheShards", limits.cacheShards, 1, 500, "shards"],
    ["cacheReplicasPerShard", limits.cacheReplicasPerShard, 0, 5, "replicas"],
    ["cacheSnapshotRetentionDays", limits.cacheSnapshotRetentionDays, 0, 35, "days"],
    ["localRedisMaxMemoryMiB", limits.localRedisMaxMemoryMiB, 16, 4096, "MiB"],
  ];
  for (const [name, validator, min, max, what] of ranges) {
    const refusal = `allowed: ${what} from ${min} to ${max}`;
    checks(name, validator, [min, max], [
      [min - 1, refusal],
      [max + 1, refusal],
      [min + 0.5, refusal],
      [String(min), refusal],
    ]);
  }
});

describe("limits: Fargate CPU and memory pairs", () => {
  /** The memory sizes (MiB) each CPU takes (ECS task definition reference), a size just too small and one just too large. */
  const pairs: [cpu: number, memoryMiB: number[], stepMiB: number, tooSmallMiB: number, tooLargeMiB: number][] = [
    [256, [512, 1024, 2048], 512, 256, 3072],
    [512, steps(1024, 4096, 1024), 1024, 512, 5120],
    [1024, steps(2048, 8192, 1024), 1024, 1024, 9216],
    [2048, steps(4096, 16384, 1024), 1024, 3072, 17408],
    [4096, steps(8192, 30720, 1024), 1024, 7168, 31744],
    [8192, steps(16384, 61440, 4096), 4096, 12288, 65536],
    [16384, steps(32768, 122880, 8192), 8192, 24576, 131072],
  ];
  checks("fargateCpu", limits.fargateCpu, pairs.map(([cpu]) => cpu), [128, 384, 32768, "256", undefined].map((cpu) => [cpu, "Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384"] as const));

  for (const [cpu, memoryMiB, stepMiB, tooSmallMiB, tooLargeMiB] of pairs) {
    const refusal = `Fargate allows with cpu ${cpu}: ${memoryMiB.join(", ")}`;
    checks(`fargateMemoryMiB(${cpu})`, limits.fargateMemoryMiB(cpu), memoryMiB, [
      [tooSmallMiB, refusal],
      [tooLargeMiB, refusal],
      [memoryMiB[0] + stepMiB / 2, refusal], // between two sizes
      [String(memoryMiB[0]), refusal],
    ]);
  }
  it("builds, when called, a validator that refuses memory its CPU does not take", () => {
    assert.equal(limits.fargateMemoryMiB(256)(3072), "Fargate allows with cpu 256: 512, 1024, 2048");
    assert.equal(limits.fargateMemoryMiB(256)(2048), undefined);
  });
  it("leaves a CPU Fargate lacks to fargateCpu", () => {
    assert.equal(limits.fargateMemoryMiB(384)(1), undefined);
    assert.equal(limits.fargateMemoryMiB(undefined)(512), undefined);
  });
});

describe("limits: lists", () => {
  const lists: [name: string, validator: Validator, allowed: (string | number)[], refused: unknown[], refusal: string][] = [
    ["natGatewayStrategy", limits.natGatewayStrategy, ["None", "Single", "OnePerAz"], ["none", "OnePerAZ", ""], "allowed: None, Single, OnePerAz"],
    ["cpuArchitecture", limits.cpuArchitecture, ["X86_64", "ARM64"], ["x86_64", "arm64", "AMD64"], "allowed: X86_64, ARM64"],
    ["capacityProvider", limits.capacityProvider, ["FARGATE", "FARGATE_SPOT"], ["fargate", "EC2"], "allowed: FARGATE, FARGATE_SPOT"],
    ["containerInsights", limits.containerInsights, ["enabled", "enhanced", "disabled"], ["Enabled", true], "allowed: enabled, enhanced, disabled"],
    ["cacheEngine", limits.cacheEngine, ["redis", "valkey"], ["Redis", "memcached"], "allowed: redis, valkey"],
    ["severity", limits.severity, ["info", "warning", "critical"], ["Critical", "error"], "allowed: info, warning, critical"],
    [
      "comparisonOperator",
      limits.comparisonOperator,
      ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"],
      ["greaterThanThreshold", ">"],
      "allowed: GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold",
    ],
    ["metricStatistic", limits.metricStatistic, ["Average", "Sum", "Minimum", "Maximum", "SampleCount"], ["average", "p99"], "allowed: Average, Sum, Minimum, Maximum, SampleCount"],
    ["missingDataTreatment", limits.missingDataTreatment, ["breaching", "notBreaching", "ignore", "missing"], ["NotBreaching", "zero"], "allowed: breaching, notBreaching, ignore, missing"],
    [
      "logRetentionDays",
      limits.logRetentionDays,
      [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
      [0, 2, 31, 366, 730, 3654, "7"],
      "CloudWatch Logs allows 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ],
  ];
  for (const [name, validator, allowed, refused, refusal] of lists) {
    checks(name, validator, allowed, [...refused, undefined].map((value) => [value, refusal] as const));
  }
});

describe("limits: patterns", () => {
  const digest = "0123456789abcdef".repeat(4);
  const imageRefusal = "allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2";
  const patterns: [name: string, validator: Validator, accepted: string[], refused: unknown[], refusal: string][] = [
    [
      "vpcCidrBlock",
      limits.vpcCidrBlock,
      ["10.0.0.0/16", "10.0.0.0/24", "192.168.100.0/20", "1.2.3.4/19", "172.16.0.0/22", "10.0.0.128/24"],
      ["10.0.0.0/15", "10.0.0.0/25", "10.0.0.0/8", "10.0.0.0/2", "10.0.0.0/160", "10.0.0.0", "10.0.0/16", "10.0.0.0.0/16", "1000.0.0.0/16", "10.0.0.1000/16", ".0.0.0/16", "10..0.0/16", "a.b.c.d/16", "x10.0.0.0/16", "10.0.0.0/16x", "10.0.0.0 /16", 16],
      "allowed: an IPv4 CIDR block from /16 to /24",
    ],
    [
      "rdsInstanceClass",
      limits.rdsInstanceClass,
      [
        ...["t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7g", "m7i", "m8g", "r5", "r5d", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "x2g"].map((family) => `db.${family}.large`),
        ...["micro", "small", "medium", "xlarge", "2xlarge", "12xlarge", "99xlarge"].map((size) => `db.t4g.${size}`),
      ],
      ["db.t2.micro", "db.t4g", "db.t4g.", "db.t4g.huge", "db.t4g.0xlarge", "db.t4g.100xlarge", "db.t4g.xxlarge", "t4g.small", "cache.t4g.small", "db.T4G.small", "db.t4g.small ", "xdb.t4g.small", "dbxt4g.small", "db.t4gxsmall"],
      "allowed: an RDS instance class such as db.t4g.small",
    ],
    [
      "postgresEngineVersion",
      limits.postgresEngineVersion,
      ["14", "16", "18", "17.4", "15.10"],
      ["13", "19", "10", "1", "9.6", "17.", "17.x", "17.4.1", "v17", "170", 17],
      "allowed: a PostgreSQL version from 14 to 18, e.g. 17 or 17.4",
    ],
    [
      "postgresIdentifier",
      limits.postgresIdentifier,
      ["tradingbot", "a", "bot_1", `a${"b".repeat(62)}`],
      ["", "1bot", "_bot", "Bot", "bot-1", "bot 1", `a${"b".repeat(63)}`, "bot\n", 5],
      "allowed: lower-case letters, digits and _, starting with a letter",
    ],
    [
      "rdsSnapshotPrefix",
      limits.rdsSnapshotPrefix,
      ["a", "Trading-bot-final", "a-b-c", "A1", `a${"b".repeat(239)}`],
      ["", "1a", "-a", "a-", "a--b", "a_b", "a.b", "a b", `a${"b".repeat(240)}`, 1],
      "allowed: letters, digits and single hyphens, starting with a letter, at most 240 characters",
    ],
    [
      "cacheEngineVersion",
      limits.cacheEngineVersion,
      ["7.1", "8.0", "10.12"],
      ["7", "7.", ".1", "7.1.0", "7.x", "v7.1", "7,1", 7.1],
      "allowed: major.minor, e.g. 7.1 (redis) or 8.0 (valkey)",
    ],
    [
      "cacheNodeType",
      limits.cacheNodeType,
      [
        ...["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn"].map((family) => `cache.${family}.large`),
        ...["micro", "small", "medium", "xlarge", "2xlarge", "16xlarge", "99xlarge"].map((size) => `cache.t4g.${size}`),
      ],
      ["cache.t2.micro", "cache.t4g", "cache.t4g.huge", "cache.t4g.0xlarge", "cache.t4g.100xlarge", "db.t4g.small", "cache.T4G.small", "cache.t4g.small ", "xcache.t4g.small", "cachext4g.small"],
      "allowed: an ElastiCache node type such as cache.t4g.small",
    ],
    [
      "privateDnsNamespace",
      limits.privateDnsNamespace,
      ["trading.internal", "a.b", "bot-1.prod.internal", "0.x"],
      ["internal", "", "Trading.internal", "trading..internal", ".trading.internal", "trading.internal.", "-a.internal", "a-.internal", "a.-internal", "a.internal-", "a_b.internal", "a b.internal", 1],
      "allowed: a private DNS name such as trading.internal",
    ],
    [
      "dnsLabel",
      limits.dnsLabel,
      ["trading-bot", "a", "0", "a1-b2"],
      ["", "-a", "a-", "Trading-bot", "a.b", "a_b", "a b", 1],
      "allowed: a DNS label such as trading-bot",
    ],
    [
      "s3BucketPrefix",
      limits.s3BucketPrefix,
      ["ab-", "trading-bot-dev-config-", "0a-", `a${"b".repeat(35)}-`],
      ["a-", "ab", "-ab-", "Ab-", "a_b-", "a.b-", `a${"b".repeat(36)}-`, "ab-\n", 1],
      "allowed: lower-case letters, digits and -, ending in -, at most 37 characters",
    ],
    [
      "jsonObjectKey",
      limits.jsonObjectKey,
      ["trading.json", "config/trading.json", "A-b_c.d.json", "0.json"],
      ["trading.yaml", ".json", "/trading.json", "-trading.json", "trading json.json", "trading.JSON", "trading.json/", "trading.jsonx", 1],
      "allowed: letters, digits, . _ / - and ending in .json",
    ],
    [
      "environmentVariableName",
      limits.environmentVariableName,
      ["A", "TRADING_CONFIG", "B2", "X_"],
      ["", "_A", "1A", "a", "Trading", "A-B", "A B", 1],
      "allowed: an environment variable name (A-Z, 0-9, _)",
    ],
    [
      "absolutePath",
      limits.absolutePath,
      ["/data", "/a", "/var/lib/bot.d", "/a_b-c"],
      ["/", "data", "data/x", "", "/data/", "/da ta", "//", "/data\n", 1],
      "allowed: an absolute path such as /data",
    ],
    [
      "fileName",
      limits.fileName,
      ["trading.db", "a", "A-b_c.0"],
      ["", "data/trading.db", "trading db", "trading.db\n", 1],
      "allowed: a file name such as trading.db",
    ],
    [
      "cloudWatchNamespace",
      limits.cloudWatchNamespace,
      ["AWS/ECS", "TradingBot", "a", "A_b.c#d:e-f/g", "x".repeat(255)],
      ["", "x".repeat(256), "Trading Bot", "Trading*", "Trading,Bot", 1],
      "allowed: a CloudWatch namespace such as AWS/ECS",
    ],
    [
      "metricName",
      limits.metricName,
      ["CPUUtilization", "a", "a_b.c-d", "x".repeat(255)],
      ["", "x".repeat(256), "a/b", "a b", "a:b", 1],
      "allowed: a metric name",
    ],
    [
      "alarmRuleName",
      limits.alarmRuleName,
      ["ServiceDown", "a", "High-5xx-Rate", "Z9"],
      ["", "1Down", "-Down", "Service_Down", "Service Down", "Service.Down", 1],
      "allowed: letters, digits and -, starting with a letter",
    ],
    [
      "imageReference",
      limits.imageReference,
      [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2",
        "trading-bot:1",
        "localhost:5000/bot:v1",
        "ghcr.io/org/team/bot:1.0",
        "a:_",
        `bot:${"a".repeat(128)}`,
        `ghcr.io/org/bot@sha256:${digest}`,
        "bot:latest-1",
        "bot:my-latest",
      ],
      [
        "bot",
        "Bot:1",
        "bot:",
        "bot:-1",
        "bot:.1",
        `bot:${"a".repeat(129)}`,
        "bot:1 ",
        " bot:1",
        "/bot:1",
        "bot//x:1",
        "-bot:1",
        "localhost:port/bot:1",
        "bot@sha256:abc",
        `bot@sha256:${digest.toUpperCase()}`,
        `bot@sha256:${digest}0`,
        `bot@sha512:${digest}`,
        42,
      ],
      imageRefusal,
    ],
  ];
  for (const [name, validator, accepted, refused, refusal] of patterns) {
    checks(name, validator, accepted, [...refused, undefined].map((value) => [value, refusal] as const));
  }

  checks("imageReference, the moving latest tag", limits.imageReference, [], ["bot:latest", "bot:LATEST", `ghcr.io/org/bot:Latest`].map((image) => [image, `${imageRefusal} (not latest)`] as const));
});

describe("limits: validators with rules of their own", () => {
  const healthCheckRefusal =
    'allowed: ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"], e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]';
  checks(
    "healthCheckCommand",
    limits.healthCheckCommand,
    [["CMD", "curl"], ["CMD", "curl", "-f", "http://localhost:8080/health"], ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]],
    [["CMD-SHELL", "curl", "-f"], ["CMD"], ["CMD", ["curl"]], ["CMD-SHELL"], [], ["CMD", ""], ["CMD", 1], ["", "curl"], ["SHELL", "curl"], ["cmd", "curl"], "CMD-SHELL curl", undefined].map(
      (command) => [command, healthCheckRefusal] as const,
    ),
  );

  checks("performanceInsightsRetentionDays", limits.performanceInsightsRetentionDays, [0, 7, 31, 62, 713, 731], [1, 6, 8, 30, 32, 730, 744, -31, 7.5, "7", "31", null].map(
    (days) => [days, "allowed: 0 (off), 7, or a multiple of 31 up to 731"] as const,
  ));

  checks("secretRecoveryWindowDays", limits.secretRecoveryWindowDays, [0, 7, 15, 30], [1, 6, 31, 7.5, -7, "7", "0", undefined].map(
    (days) => [days, "Secrets Manager allows 0 (delete at once) or 7 to 30"] as const,
  ));

  checks("alarmPeriodSeconds", limits.alarmPeriodSeconds, [60, 120, 300, 86400], [0, 30, 59, 61, 90, -60, Infinity, "60", undefined].map(
    (seconds) => [seconds, "allowed: a multiple of 60 seconds"] as const,
  ));

  checks("postgresUsername", limits.postgresUsername, ["tradingbot", "rdsadmin2", "admin"], [
    ["rdsadmin", "allowed: any name but rdsadmin (RDS keeps it for itself)"],
    ["RDSADMIN", "allowed: lower-case letters, digits and _, starting with a letter"],
    ["1bot", "allowed: lower-case letters, digits and _, starting with a letter"],
  ]);

  const strategyCases: [strategy: unknown, refusal: string | undefined][] = [
    [[{ capacityProvider: "FARGATE", weight: 1 }], undefined],
    [[{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 0 }], undefined],
    [[{ capacityProvider: "FARGATE", weight: 0, base: 2 }, { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 }], undefined],
    [[], "allowed: at least one of FARGATE, FARGATE_SPOT"],
    [undefined, "allowed: at least one of FARGATE, FARGATE_SPOT"],
    [{ capacityProvider: "FARGATE", weight: 1 }, "allowed: at least one of FARGATE, FARGATE_SPOT"],
    [[{ capacityProvider: "FARGATE", weight: 1 }, { capacityProvider: "FARGATE", weight: 2 }], "each capacity provider may appear once"],
    [[{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 1, base: 1 }], "ECS allows a base on one capacity provider only"],
    [[{ capacityProvider: "FARGATE", weight: 0 }], "at least one capacity provider needs a weight above 0"],
    [[{ capacityProvider: "FARGATE", weight: 0, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 0 }], "at least one capacity provider needs a weight above 0"],
  ];
  for (const [strategy, refusal] of strategyCases) {
    it(`capacityProviderStrategy ${refusal === undefined ? "accepts" : "refuses"} ${JSON.stringify(strategy)}`, () => {
      assert.equal(limits.capacityProviderStrategy(strategy), refusal);
    });
  }

  const rolloutCases: [minimumHealthyPercent: unknown, maximumPercent: unknown, refusal: string | undefined][] = [
    [100, 100, "with deploymentMinimumHealthyPercent 100 ECS has no room to replace a task: allowed 101 to 200"],
    [100, 101, undefined],
    [99, 100, undefined],
    [50, 150, undefined],
  ];
  for (const [minimum, maximum, refusal] of rolloutCases) {
    it(`rolloutRoom(${minimum})(${maximum}) ${refusal === undefined ? "accepts" : "refuses"}`, () => assert.equal(limits.rolloutRoom(minimum)(maximum), refusal));
  }

  const storageCases: [allocatedGb: unknown, maxGb: unknown, refusal: string | undefined][] = [
    [100, 100, undefined],
    [100, 1000, undefined],
    [100, 99, "allowed: at least allocatedStorageGb (100)"],
    [100, 19, "allowed: GiB of gp3 from 20 to 65536"],
    [100, 65537, "allowed: GiB of gp3 from 20 to 65536"],
    [undefined, 20, undefined],
    ["100", 50, undefined],
  ];
  for (const [allocated, max, refusal] of storageCases) {
    it(`maxAllocatedStorageGb(${shown(allocated)})(${max}) ${refusal === undefined ? "accepts" : "refuses"}`, () => {
      assert.equal(limits.maxAllocatedStorageGb(allocated)(max), refusal);
    });
  }

  const multiAzCases: [replicasPerShard: unknown, multiAz: unknown, refusal: string | undefined][] = [
    [0, true, "allowed: false with replicasPerShard 0 (Multi-AZ needs a replica in another AZ)"],
    [0, false, undefined],
    [1, true, undefined],
  ];
  for (const [replicas, multiAz, refusal] of multiAzCases) {
    it(`cacheMultiAz(${replicas})(${multiAz}) ${refusal === undefined ? "accepts" : "refuses"}`, () => assert.equal(limits.cacheMultiAz(replicas)(multiAz), refusal));
  }

  const evaluationCases: [periodSeconds: unknown, periods: unknown, refusal: string | undefined][] = [
    [60, 1, undefined],
    [60, 1440, undefined],
    [60, 0, "allowed: periods from 1 to 1440"],
    [60, 1441, "allowed: periods from 1 to 1440"],
    [60, 1.5, "allowed: periods from 1 to 1440"],
    [3600, 24, undefined],
    [3600, 25, "allowed: at most one day of periods (24 of 3600 s)"],
    [300, 288, undefined],
    [300, 289, "allowed: at most one day of periods (288 of 300 s)"],
    [86400, 1, undefined],
    [undefined, 1440, undefined],
  ];
  for (const [period, periods, refusal] of evaluationCases) {
    it(`alarmEvaluationPeriods(${shown(period)})(${periods}) ${refusal === undefined ? "accepts" : "refuses"}`, () => {
      assert.equal(limits.alarmEvaluationPeriods(period)(periods), refusal);
    });
  }

  const datapointCases: [evaluationPeriods: unknown, datapoints: unknown, refusal: string | undefined][] = [
    [3, 1, undefined],
    [3, 3, undefined],
    [3, 4, "allowed: datapoints from 1 to evaluationPeriods (3)"],
    [3, 0, "allowed: datapoints from 1 to evaluationPeriods (3)"],
    [3, 2.5, "allowed: datapoints from 1 to evaluationPeriods (3)"],
    [3, "2", "allowed: datapoints from 1 to evaluationPeriods (3)"],
    [10, 7, undefined],
    // A bad evaluationPeriods is reported by its own check; M is then held to 1.
    [0, 1, undefined],
    [undefined, 2, "allowed: datapoints from 1 to evaluationPeriods (1)"],
    [2.5, 2, "allowed: datapoints from 1 to evaluationPeriods (1)"],
  ];
  for (const [periods, datapoints, refusal] of datapointCases) {
    it(`alarmDatapointsToAlarm(${shown(periods)})(${shown(datapoints)}) ${refusal === undefined ? "accepts" : "refuses"}`, () => {
      assert.equal(limits.alarmDatapointsToAlarm(periods)(datapoints), refusal);
    });
  }

  checks("metricQueryId", limits.metricQueryId, ["running", "m1", "desired_tasks", `a${"b".repeat(254)}`], [
    ["Running", "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running"],
    ["1m", "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running"],
    ["m-1", "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running"],
    [`a${"b".repeat(255)}`, "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running"],
    ["", "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running"],
    ["result", "allowed: any id but result (the expression's own)"],
  ]);

  const mathAllowed = "allowed: an expression of desired, running such as desired - running (numbers, + - * / ^, comparisons, upper-case functions)";
  const mathCases: [expression: unknown, refusal: string | undefined][] = [
    ["desired - running", undefined],
    ["IF(desired > 0, (desired - running) / desired, 0)", undefined],
    ["FILL(desired, 0) - FILL(running, 0)", undefined],
    ["desired-running*1e3", undefined],
    ["desired - runing", `${mathAllowed}; runing is not one of them`],
    ["desired - 2", `${mathAllowed}; running is read but not used`],
    ["desired - other - more", `${mathAllowed}; other, more is not one of them`],
    ["SEARCH('{AWS/ECS} running', 'Maximum') - desired", mathAllowed],
    ["desired - running;", mathAllowed],
    ["   ", mathAllowed],
    ["", mathAllowed],
    [`desired - running${" ".repeat(1010)}`, mathAllowed],
    [7, mathAllowed],
  ];
  for (const [expression, refusal] of mathCases) {
    it(`metricMathExpression([desired, running])(${JSON.stringify(expression).slice(0, 60)}) ${refusal === undefined ? "accepts" : "refuses"}`, () => {
      assert.equal(limits.metricMathExpression(["desired", "running"])(expression), refusal);
    });
  }
  checks("rdsInstanceIdentifier", limits.rdsInstanceIdentifier, ["trading-bot-prod-db", "a", `a${"b".repeat(62)}`, "db-1"], [
    ["Trading-bot", "allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
    ["1db", "allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
    ["db-", "allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
    ["db--1", "allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
    [`a${"b".repeat(63)}`, "allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
  ]);
  const backupAllowed = "allowed: hh24:mi-hh24:mi in UTC, at least 30 minutes, e.g. 04:00-04:30";
  checks("rdsBackupWindow", limits.rdsBackupWindow, ["04:00-04:30", "23:45-00:15", "00:00-23:59", "10:10-11:00"], [
    ["04:00-04:29", backupAllowed],
    ["04:00-04:00", backupAllowed],
    ["24:00-00:30", backupAllowed],
    ["4:00-4:30", backupAllowed],
    ["04:60-05:30", backupAllowed],
    ["sun:04:00-sun:04:30", backupAllowed],
    [430, backupAllowed],
  ]);
  const maintenanceAllowed = "allowed: ddd:hh24:mi-ddd:hh24:mi in UTC, 30 minutes to a day, e.g. sun:05:00-sun:05:30";
  checks("rdsMaintenanceWindow", limits.rdsMaintenanceWindow, ["sun:05:00-sun:05:30", "sat:23:45-sun:00:15", "sun:23:45-mon:00:15", "mon:00:00-tue:00:00"], [
    ["sun:05:00-sun:05:29", maintenanceAllowed],
    ["mon:00:00-tue:00:01", maintenanceAllowed],
    ["sun:05:00-tue:05:00", maintenanceAllowed],
    ["Sun:05:00-Sun:05:30", maintenanceAllowed],
    ["05:00-05:30", maintenanceAllowed],
    ["sun:05:00-sun:05:00", maintenanceAllowed],
    [null, maintenanceAllowed],
  ]);
  const apart = (backup: string) => `allowed: a maintenance window apart from the daily backup window ${backup} (RDS refuses them overlapping)`;
  const windowCases: [backup: unknown, maintenance: unknown, refusal: string | undefined][] = [
    ["04:00-04:30", "sun:05:00-sun:05:30", undefined],
    ["04:00-04:30", "tue:04:30-tue:05:00", undefined],
    ["04:00-04:30", "tue:03:30-tue:04:00", undefined],
    ["04:00-04:30", "sat:23:50-sun:04:00", undefined],
    ["04:00-04:30", "sat:23:50-sun:04:01", apart("04:00-04:30")],
    ["04:00-04:30", "wed:04:29-wed:05:00", apart("04:00-04:30")],
    ["04:00-04:30", "wed:03:00-wed:05:00", apart("04:00-04:30")],
    ["04:00-05:00", "thu:04:15-thu:04:45", apart("04:00-05:00")],
    // A backup window over midnight meets Monday 00:00 from Sunday night.
    ["23:45-00:15", "mon:00:00-mon:00:30", apart("23:45-00:15")],
    ["23:45-00:15", "sun:23:15-sun:23:45", undefined],
    // Sunday night into Monday: the window that crosses the week's end.
    ["00:10-00:40", "sun:23:50-mon:00:20", apart("00:10-00:40")],
    // A format that fails is its own check's.
    ["bad", "sun:05:00-sun:05:30", undefined],
    ["04:00-04:30", "bad", undefined],
  ];
  for (const [backup, maintenance, refusal] of windowCases) {
    it(`rdsWindowsApart(${backup})(${maintenance}) ${refusal === undefined ? "accepts" : "refuses"}`, () => assert.equal(limits.rdsWindowsApart(backup)(maintenance), refusal));
  }
  it("postgresParameterGroupFamily takes the major version", () => {
    assert.equal(limits.postgresParameterGroupFamily("17"), "postgres17");
    assert.equal(limits.postgresParameterGroupFamily("16.4"), "postgres16");
  });

  it("metricMathExpression([]) offers an example of its own", () => {
    assert.equal(limits.metricMathExpression([])("m"), "allowed: an expression of  such as m1 * 2 (numbers, + - * / ^, comparisons, upper-case functions); m is not one of them");
  });
});
