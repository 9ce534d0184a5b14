// Production invariant of data sync (the DataSync component): rows flow out of production,
// never in.
import { ResourceRule, spellsTrue } from "../rule";

const DATA_SYNC = "trading-bot:infra:DataSync";
const ROLE = "aws:iam/role:Role";

function importMessage(type: string, props: Record<string, any>): string | undefined {
  if (type === DATA_SYNC) {
    const value: unknown = props.import;
    const imports = value === true || (typeof value === "string" && spellsTrue(value));
    return imports ? "the DataSync component has import: true; a production stack never imports data (another stack's export would overwrite its rows)" : undefined;
  }
  const purpose: unknown = props.tags?.["trading-bot:data-sync"];
  if (typeof purpose !== "string" || purpose.trim().toLowerCase() !== "import") return undefined;
  return "the role is tagged trading-bot:data-sync=import; a production stack has no import role (it could load another stack's export into production)";
}

export const noDataImport: ResourceRule = {
  kind: "resource",
  name: "data-sync-no-import",
  description: "A production stack never imports data from another stack",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: { [DATA_SYNC]: ["import"], [ROLE]: ["tags.trading-bot:data-sync"] },
  required: "no DataSync with import: true; no role tagged trading-bot:data-sync=import",
  anchors: [],
  check(props, { type }) {
    const message = importMessage(type, props);
    return message ? [message] : [];
  },
};
