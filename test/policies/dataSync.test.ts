// In-process tests of the data sync rule, against the DataSync component's contract (the
// component itself is still to come: these are synthetic resources).
import * as dataSync from "../../policies/rules/dataSync";
import { describeResourceRule } from "./harness";

const DATA_SYNC = "trading-bot:infra:DataSync";
const ROLE = "aws:iam/role:Role";
const importing = "the DataSync component has import: true; a production stack never imports data (another stack's export would overwrite its rows)";
const importRole = "the role is tagged trading-bot:data-sync=import; a production stack has no import role (it could load another stack's export into production)";

describe("data sync rules, in-process", () => {
  describeResourceRule(dataSync.noDataImport, {
    cases: [
      { what: "a DataSync that exports only", type: DATA_SYNC, props: { export: true, import: false }, expect: [] },
      { what: "a DataSync without import", type: DATA_SYNC, props: { export: true }, expect: [] },
      { what: 'a DataSync with import "false"', type: DATA_SYNC, props: { import: "false" }, expect: [] },
      { what: "a DataSync that imports", type: DATA_SYNC, props: { export: false, import: true }, expect: [importing] },
      ...["true", "True", "1", "yes"].map((spelling) => ({
        what: `a DataSync with import ${JSON.stringify(spelling)}`, type: DATA_SYNC, props: { import: spelling }, expect: [importing],
      })),
      { what: "an export role", type: ROLE, props: { tags: { "trading-bot:data-sync": "export" } }, expect: [] },
      { what: "a role without tags", type: ROLE, props: {}, expect: [] },
      { what: "a role with other tags", type: ROLE, props: { tags: { Project: "trading-bot" } }, expect: [] },
      { what: "an import role", type: ROLE, props: { tags: { "trading-bot:data-sync": "import" } }, expect: [importRole] },
      { what: "an import role tagged IMPORT ", type: ROLE, props: { tags: { "trading-bot:data-sync": "IMPORT " } }, expect: [importRole] },
    ],
    unknown: [
      { path: "import", type: DATA_SYNC, props: { import: false } },
      { path: "tags", type: ROLE, props: { tags: { "trading-bot:data-sync": "export" } } },
      { path: "tags.trading-bot:data-sync", type: ROLE, props: { tags: { "trading-bot:data-sync": "export" } } },
    ],
  });
});
