// What the sampling finds in values (packages/db/src/personalData.ts, valueSample.ts), in process:
// each kind found, inside longer text too; ordinary values of a trading bot's database not
// taken for personal data; the threshold of two matching values.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { entropyBits, isToken, kindsIn } from "../src/personalData";
import type { ColumnModel, TableModel } from "../src/schemaModel";
import { analyse, minimumMatches } from "../src/valueSample";

const kinds = (text: string) => [...kindsIn(text)].sort();

describe("npm run db -- personal data in values", () => {
  describe("finds each kind, whole or inside longer text", () => {
    const found: [string, string, string[]][] = [
      ["an e-mail address", "alice.smith+bot@mail.example.org", ["e-mail address"]],
      ["an e-mail address inside a note", "call back: Bob <bob@corp.example>", ["e-mail address"]],
      ["an international phone number", "+44 20 7946 0958", ["phone number"]],
      ["a phone number with dashes", "+1-555-0102", ["phone number"]],
      ["a national phone number", "(030) 1234-5678", ["phone number"]],
      ["a Visa number", "4111 1111 1111 1111", ["card number"]],
      ["an Amex number inside text", "paid with 340000000000009 on Monday", ["card number"]],
      ["an IBAN", "DE89370400440532013000", ["IBAN"]],
      ["an IBAN in groups", "pay to GB82 WEST 1234 5698 7654 32 please", ["IBAN"]],
      ["a JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ", ["JWT"]],
      ["an API key", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", ["token"]],
      ["a base64 secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["token"]],
      ["a live key inside JSON text", '{"key": "sk_live_51H8aBcDeFgHiJkLmNoPqRsTu"}', ["token"]],
      ["an address and a phone together", "jo@x.example, +49 30 1234 5678", ["e-mail address", "phone number"]],
    ];
    for (const [title, text, expected] of found) it(title, () => assert.deepEqual(kinds(text), expected));
  });

  describe("does not take ordinary values for personal data", () => {
    const plain = [
      "BTCUSDT",
      "2026-01-01 00:00:00+00",
      "2026-01-01T12:30:45.123Z",
      "12345678.12345678",
      "60123.5",
      "1700000000000",
      "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", // a SHA-256 digest
      "9b2c6a1e-7f3d-4c2b-9a8e-5d4c3b2a1f0e", // a UUID
      "trading_strategy_configuration_v2",
      "order_reference_2026_v1_final",
      "BTCUSDT_PERP_2026_03_28_settlement",
      "10.0.12.7",
      "4111111111111112", // fails Luhn
      "DE89370400440532013001", // fails mod-97
      "eyJub3QiOiJhIGhlYWRlciJ9.eyJ4IjoxfQ.x", // a header without alg or typ
      "the quick brown fox jumps over the lazy dog",
      "x@y", // no domain
    ];
    for (const text of plain) it(JSON.stringify(text), () => assert.deepEqual(kinds(text), []));
  });

  it("searches a hostile value in bounded time (every repetition bounded, addresses looked for around an @)", () => {
    const hostile = [`${"a.".repeat(8000)}!`, `${"a@".repeat(8000)}`, `${"eyJ".repeat(5000)}.`, `+${"1 ".repeat(8000)}`, `${"-1".repeat(8000)}`];
    assert.deepEqual(hostile.map(kinds), [[], [], [], ["phone number"], []]);
    assert.deepEqual(kinds(`${"x".repeat(16000)} a@b.example`), ["e-mail address"]);
  });

  it("defines a token: 24+ characters, letters and digits, >= 3.5 bits per character, changing class often", () => {
    assert.equal(isToken("aB3".repeat(8)), false, "three characters repeated: 1.6 bits");
    assert.ok(entropyBits("aB3".repeat(8)) < 3.5);
    assert.equal(isToken(crypto.randomBytes(24).toString("hex")), false, "hex is a digest, not a token");
    assert.equal(isToken("Ab1".repeat(7)), false, "21 characters");
    let found = 0;
    for (let i = 0; i < 200; i++) if (isToken(crypto.randomBytes(24).toString("base64url"))) found++;
    assert.ok(found >= 190, `${found} of 200 random 32-character base64url tokens`);
  });

  describe("a kind refuses a column from two matching values on (one, when the sample holds one)", () => {
    const column: ColumnModel = { name: "note", type: "text", typeName: "text", category: "S", notNull: false };
    const table: TableModel = { schema: "public", name: "t", columns: [column], constraints: [], indexes: [], requires: [] };
    const sample = (values: string[]) => analyse({ table, column, label: "t.note", values, skip: new Set() }, undefined);
    const filler = Array.from({ length: 998 }, (_, i) => `order ${i} filled`);
    it("thresholds", () => assert.deepEqual([1, 2, 3, 1000].map(minimumMatches), [1, 2, 2, 2]));
    it("one address among 999 values is a coincidence", () => assert.deepEqual(sample([...filler, "write to a@b.example"]).findings, []));
    it("two among 1,000 are a pattern", () =>
      assert.deepEqual(sample([...filler, "write to a@b.example", "or c@d.example"]).findings, [{ kind: "e-mail address", matches: 2, paths: [] }]));
    it("the only value of a sample counts", () => assert.deepEqual(sample(["+44 20 7946 0958"]).findings, [{ kind: "phone number", matches: 1, paths: [] }]));
    it("a kind a key column skips (tokens) is not counted", () => {
      const result = analyse({ table, column, label: "t.note", values: ["ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_26C7e42F292c6912E7710c838347Ae178B4b"], skip: new Set(["token"]) }, undefined);
      assert.deepEqual(result.findings, []);
    });
  });

  describe("inside JSON: where, and what a json transform leaves", () => {
    const column: ColumnModel = { name: "profile", type: "jsonb", typeName: "jsonb", category: "U", notNull: false };
    const table: TableModel = { schema: "public", name: "t", columns: [column], constraints: [], indexes: [], requires: [] };
    const documents = [1, 2, 3].map((i) => JSON.stringify({ contact: { email: `c${i}@mail.example`, phones: [`+44 20 7946 000${i}`] }, size: 12345678901234567890.5 }));
    const sample = (rule?: Parameters<typeof analyse>[1]) => analyse({ table, column, label: "t.profile", values: documents, skip: new Set() }, rule);
    it("names the paths where a kind was found, arrays as [*]", () =>
      assert.deepEqual(sample().findings, [
        { kind: "e-mail address", matches: 3, paths: ["$.contact.email"] },
        { kind: "phone number", matches: 3, paths: ["$.contact.phones[*]"] },
      ]));
    it("finds what a json transform leaves, and names a path that reaches nothing", () => {
      const result = sample({ transform: "json", paths: { "$.contact.email": { transform: "email" }, "$.contact.phone": { transform: "null" } } });
      assert.deepEqual(result.findings, [{ kind: "phone number", matches: 3, paths: ["$.contact.phones[*]"] }]);
      assert.deepEqual(result.unmatchedPaths, ["$.contact.phone"]);
    });
    it("finds nothing once every path is rewritten", () => {
      const result = sample({ transform: "json", paths: { "$.contact.email": { transform: "email" }, "$.contact.phones[*]": { transform: "null" } } });
      assert.deepEqual([result.findings, result.unmatchedPaths], [[], []]);
    });
  });
});
