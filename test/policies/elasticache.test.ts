// In-process tests of the ElastiCache replication group rules.
import * as cache from "../../policies/rules/elasticache";
import { describeResourceRule } from "./harness";

const base = {
  clusterMode: "enabled",
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  transitEncryptionEnabled: true,
  atRestEncryptionEnabled: true,
  authToken: "a-token-of-32-characters-or-more!",
  snapshotRetentionLimit: 7,
};
const withProps = (props: Record<string, unknown>) => ({ ...base, ...props });
const without = (...keys: (keyof typeof base)[]) => Object.fromEntries(Object.entries(base).filter(([k]) => !keys.includes(k as keyof typeof base)));

describe("ElastiCache rules, in-process", () => {
  describeResourceRule(cache.clusterMode, {
    cases: [
      { what: "cluster mode enabled", props: base, expect: [] },
      { what: "cluster mode disabled", props: withProps({ clusterMode: "disabled" }), expect: ["clusterMode is disabled; production runs Redis in cluster mode"] },
      { what: "cluster mode compatible", props: withProps({ clusterMode: "compatible" }), expect: ["clusterMode is compatible; production runs Redis in cluster mode"] },
      { what: "cluster mode unset", props: without("clusterMode"), expect: ["clusterMode is unset; production runs Redis in cluster mode"] },
    ],
    unknown: [{ path: "clusterMode", props: base }],
  });

  describeResourceRule(cache.automaticFailover, {
    cases: [
      { what: "failover on", props: base, expect: [] },
      { what: 'failover "true"', props: withProps({ automaticFailoverEnabled: "true" }), expect: [] },
      { what: "failover off", props: withProps({ automaticFailoverEnabled: false }),
        expect: ["automaticFailoverEnabled is false; a failed primary must fail over to its replica"] },
      { what: "failover unset", props: without("automaticFailoverEnabled"),
        expect: ["automaticFailoverEnabled is unset; a failed primary must fail over to its replica"] },
    ],
    unknown: [{ path: "automaticFailoverEnabled", props: base }],
  });

  describeResourceRule(cache.multiAz, {
    cases: [
      { what: "Multi-AZ on", props: base, expect: [] },
      { what: "Multi-AZ off", props: withProps({ multiAzEnabled: false }), expect: ["multiAzEnabled is false; production keeps replicas in another AZ"] },
      { what: "Multi-AZ unset", props: without("multiAzEnabled"), expect: ["multiAzEnabled is unset; production keeps replicas in another AZ"] },
    ],
    unknown: [{ path: "multiAzEnabled", props: base }],
  });

  const encryption = (transit: unknown, atRest: unknown) =>
    [`transitEncryptionEnabled is ${transit} and atRestEncryptionEnabled is ${atRest}; production encrypts both`];
  describeResourceRule(cache.encryption, {
    cases: [
      { what: "both on", props: base, expect: [] },
      { what: 'both "true"', props: withProps({ transitEncryptionEnabled: "true", atRestEncryptionEnabled: "True" }), expect: [] },
      { what: "no transit encryption", props: withProps({ transitEncryptionEnabled: false }), expect: encryption(false, true) },
      { what: 'at-rest "false"', props: withProps({ atRestEncryptionEnabled: "false" }), expect: encryption(true, "false") },
      { what: "neither set", props: without("transitEncryptionEnabled", "atRestEncryptionEnabled"), expect: encryption("unset", "unset") },
    ],
    unknown: [
      { path: "transitEncryptionEnabled", props: base },
      { path: "atRestEncryptionEnabled", props: base },
    ],
  });

  const noAuth = ["neither authToken nor userGroupIds is set; production clients must authenticate"];
  describeResourceRule(cache.authentication, {
    cases: [
      { what: "an auth token", props: base, expect: [] },
      { what: "a user group", props: withProps({ authToken: undefined, userGroupIds: ["trading-bot-users"] }), expect: [] },
      { what: "neither", props: without("authToken"), expect: noAuth },
      { what: "an empty token and an empty group list", props: withProps({ authToken: "", userGroupIds: [] }), expect: noAuth },
    ],
    unknown: [
      { path: "authToken", props: base },
      { path: "userGroupIds", props: without("authToken") },
    ],
  });

  describeResourceRule(cache.snapshots, {
    cases: [
      { what: "1 day", props: withProps({ snapshotRetentionLimit: 1 }), expect: [] },
      { what: "0 days", props: withProps({ snapshotRetentionLimit: 0 }), expect: ["snapshotRetentionLimit is 0; production keeps at least 1 day(s) of snapshots"] },
      { what: 'a limit that is not a number ("7")', props: withProps({ snapshotRetentionLimit: "7" }), expect: ["snapshotRetentionLimit is 7; production keeps at least 1 day(s) of snapshots"] },
      { what: "unset", props: without("snapshotRetentionLimit"), expect: ["snapshotRetentionLimit is unset; production keeps at least 1 day(s) of snapshots"] },
      { what: "6 days when 7 are configured", props: withProps({ snapshotRetentionLimit: 6 }), config: { minimumDays: 7 },
        expect: ["snapshotRetentionLimit is 6; production keeps at least 7 day(s) of snapshots"] },
      { what: "7 days when 7 are configured", props: base, config: { minimumDays: 7 }, expect: [] },
    ],
    unknown: [{ path: "snapshotRetentionLimit", props: base }],
  });
});
