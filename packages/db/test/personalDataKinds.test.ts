// The checks behind each kind of personal data, at their edges: Luhn and the card prefixes,
// the IBAN's mod-97 (numbers made valid here, so each differs from its neighbour by one fact),
// phone digit counts and forms, JWT headers, addresses at the start and inside text, and the
// token rule against a plain restatement of it over many generated strings.
import * as assert from "node:assert/strict";
import { entropyBits, isToken, kindsIn, tokenMinClassChanges, tokenMinEntropyBits, tokenMinLength } from "../src/personalData";

const kinds = (text: string) => [...kindsIn(text)].sort();

/** `digits` with the Luhn check digit appended. */
function withLuhn(digits: string): string {
  for (let check = 0; check <= 9; check++) {
    const all = `${digits}${check}`;
    let sum = 0;
    for (let i = all.length - 1, double = false; i >= 0; i--, double = !double) {
      const digit = Number(all[i]) * (double ? 2 : 1);
      sum += digit > 9 ? digit - 9 : digit;
    }
    if (sum % 10 === 0) return all;
  }
  throw new Error("unreachable");
}

/** A valid IBAN of `country` and `bban` (ISO 13616 check digits). */
function iban(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char)).join("");
  const remainder = [...numeric].reduce((sum, digit) => (sum * 10 + Number(digit)) % 97, 0);
  return `${country}${String(98 - remainder).padStart(2, "0")}${bban}`;
}

describe("npm run db -- personal data: each kind at its edges", () => {
  it("cards: Luhn-valid numbers of each network's prefix, 13 to 19 digits; other prefixes and checks are not", () => {
    for (const prefix of ["4", "51", "55", "22", "27", "34", "37", "30", "36", "38", "39", "6"]) {
      const number = withLuhn(`${prefix}${"5".repeat(15 - prefix.length)}`);
      assert.deepEqual(kinds(`paid with ${number} today`), ["card number"], number);
    }
    for (const prefix of ["50", "56", "21", "28", "31", "33", "35", "1", "7", "8", "9"]) {
      const number = withLuhn(`${prefix}${"5".repeat(15 - prefix.length)}`);
      assert.deepEqual(kinds(`ref ${number} x`), [], number);
    }
    assert.deepEqual(kinds(`card ${withLuhn("4".repeat(12))}`), ["card number"], "13 digits");
    assert.deepEqual(kinds(`card ${withLuhn("4".repeat(18))}`), ["card number"], "19 digits");
    const valid = withLuhn("455555555555555");
    const wrong = `${valid.slice(0, -1)}${(Number(valid.at(-1)) + 1) % 10}`;
    assert.deepEqual(kinds(`card ${wrong}`), []);
    assert.deepEqual(kinds(`card ${valid.replace(/(\d{4})(?=\d)/g, "$1 ")}`), ["card number"], "with spaces");
  });

  it("IBANs: valid ones with letters in the account, refused with a wrong check", () => {
    for (const bban of ["NWBK60161331926819", "AAAA1234567890", "ZZ00ABCDEFGHIJKL12", "BARC20040412345678"]) {
      const valid = iban("GB", bban);
      assert.deepEqual(kinds(`pay ${valid} now`), ["IBAN"], valid);
      const wrong = `${valid.slice(0, 2)}${String((Number(valid.slice(2, 4)) % 97) + 1).padStart(2, "0")}${valid.slice(4)}`;
      assert.deepEqual(kinds(`pay ${wrong} now`), [], wrong);
    }
  });

  it("phones: 8 to 15 digits, international or in a national form of three groups", () => {
    const found = ["+44 20 7946 0958", "+1 234 5678", "+123456789012345", "020 7946 0958", "(020) 7946 0958", "0201-794-6095", "12345.678.90123"];
    for (const phone of found) assert.deepEqual(kinds(`call ${phone} now`), ["phone number"], phone);
    const plain = ["+123 4567", "+1234567890123456", "12 020 7946 0958", "020 7946 0958 12", "020 7946", "1234 5678"];
    for (const text of plain) assert.deepEqual(kinds(`call ${text} now`), [], text);
  });

  it("JWTs: a header that names alg or typ", () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const body = part({ sub: "1234567890" });
    assert.deepEqual(kinds(`Bearer ${part({ alg: "HS256" })}.${body}.c2ln`), ["JWT"]);
    assert.deepEqual(kinds(`Bearer ${part({ typ: "JWT" })}.${body}.c2ln`), ["JWT"]);
    assert.deepEqual(kinds(`Bearer ${part({ kid: "k1" })}.${body}.c2ln`), []);
  });

  it("addresses: at the very start, after a bare @, 8 characters long; a token-like local part is no token", () => {
    assert.deepEqual(kinds("ab@cd.io"), ["e-mail address"]);
    assert.deepEqual(kinds("a@bc.io"), [], "under 8 characters nothing is looked for");
    assert.deepEqual(kinds("@ then bob@mail.example"), ["e-mail address"]);
    assert.deepEqual(kinds(`${"x".repeat(70)} bob@mail.example`), ["e-mail address"]);
    assert.deepEqual(kinds("write to aB3dE5fG7hJ9kL1mN2pQ4rS6tU8@mail.example today"), ["e-mail address"]);
    assert.deepEqual(kinds("aB3dE5fG7hJ9kL1mN2pQ4rS6tU8@mail.example and xY7zW3vU9tS1rQ5pO2nM4lK8jI6"), ["e-mail address", "token"]);
  });

  it("tokens: the rule as written, over generated strings around each threshold", () => {
    const classOf = (char: string) => (/[A-Z]/.test(char) ? "upper" : /[a-z]/.test(char) ? "lower" : /[0-9]/.test(char) ? "digit" : undefined);
    const changes = (text: string) => {
      const pairs = [...text].slice(1).map((char, i) => [classOf(text[i]), classOf(char)]).filter(([a, b]) => a && b);
      return pairs.length === 0 ? 0 : pairs.filter(([a, b]) => a !== b).length / pairs.length;
    };
    const restated = (text: string) =>
      text.length >= tokenMinLength && /\d/.test(text) && /[a-z]/i.test(text) && !/^[\da-f-]+$/i.test(text) && entropyBits(text) >= tokenMinEntropyBits && changes(text) >= tokenMinClassChanges;
    // A fixed pseudo-random sequence: the same strings every run.
    let seed = 42;
    const next = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
    // Runs of one class (its edges A Z a z 0 9 among them, and neighbours of no class), of
    // random lengths: the share of class changes spreads around the threshold.
    const classes = ["AZBYCXDWEV", "azbycxdwev", "0918273645", "@[`{/:_-+="];
    let tokens = 0;
    for (let round = 0; round < 3000; round++) {
      const length = 22 + next(9);
      const longestRun = 1 + (round % 7);
      let text = "";
      while (text.length < length) {
        const members = classes[next(classes.length)];
        for (let run = 1 + next(longestRun); run > 0; run--) text += members[next(members.length)];
      }
      text = text.slice(0, length);
      assert.equal(isToken(text), restated(text), text);
      if (restated(text)) tokens++;
    }
    assert.ok(tokens > 100 && tokens < 2900, `${tokens} tokens`);
    const exact = "aB3dE5fG7hJ9kL1mN2pQ4rS6";
    assert.equal(exact.length, tokenMinLength);
    assert.equal(isToken(exact), true);
    assert.equal(isToken(exact.slice(1)), false);
  });
});
