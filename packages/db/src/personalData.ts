// Does a text hold personal data or a secret? Six kinds, each found anywhere inside the text
// (a note that mentions an e-mail address holds one), each checked past its shape where a
// checksum exists, so that ordinary values do not look personal:
//   e-mail address    name@domain.tld
//   phone number      +<8 to 15 digits> with separators, or a national form (030) 1234-5678
//   card number       13 to 19 digits (spaces or dashes between), a card network's prefix, Luhn checksum
//   IBAN              country, check digits, 11 to 30 letters and digits; ISO 7064 mod-97 checksum
//   JWT               three base64url parts, the first a JSON header with "alg" or "typ"
//   token             24 or more characters of [A-Za-z0-9_+/=-] in a row, letters and digits,
//                     Shannon entropy >= 3.5 bits per character, and letters, digits and case
//                     changing between >= 20 % of neighbouring characters (random text does,
//                     snake_case words with a number do not); hexadecimal text (digests,
//                     UUIDs) is not a token
// Nothing here returns or keeps the text: callers report kinds, never values.

export const kinds = ["e-mail address", "phone number", "card number", "IBAN", "JWT", "token"] as const;
export type Kind = (typeof kinds)[number];

// Every repetition is bounded, and an address is looked for only around an @: the values are
// the source's, a hostile one (64 KiB of "a.a.a.") must not make a search take quadratic time.
const localPart = /[A-Za-z0-9._%+-]{1,64}$/;
const domainPart = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}/;
const jwtPattern = /\beyJ[A-Za-z0-9_-]{2,2048}={0,2}\.eyJ[A-Za-z0-9_-]{2,8192}={0,2}\.[A-Za-z0-9_-]{0,2048}/g;
const phoneCandidate = /(?<![\w+])\+?\(?\d[\d ().-]{6,22}\d(?![\w])/g;
const nationalPhone = /^\(?\d{2,5}\)?[ .-]\d{3,4}[ .-]\d{3,5}$/;
const cardCandidate = /(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d.,])/g;
const cardPrefix = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6)/;
const ibanCandidate = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const tokenCandidate = /[A-Za-z0-9_+/=-]{24,}/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let digit = digits.charCodeAt(i) - 48;
    if (double && (digit *= 2) > 9) digit -= 9;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the first four characters moved to the end, letters as 10..35, the number mod 97 is 1. */
function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, "");
  if (iban.length < 15 || iban.length > 34) return false;
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const value = char >= "A" ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + digit.charCodeAt(0) - 48) % 97;
  }
  return remainder === 1;
}

function jwtHeaderValid(candidate: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(candidate.split(".")[0], "base64url").toString("utf8")) as Record<string, unknown>;
    return typeof header === "object" && header !== null && ("alg" in header || "typ" in header);
  } catch {
    return false;
  }
}

function phoneValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "").length;
  if (digits < 8 || digits > 15) return false;
  return candidate.startsWith("+") ? /^\+\d/.test(candidate) : nationalPhone.test(candidate);
}

function cardValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, "");
  return digits.length >= 13 && digits.length <= 19 && cardPrefix.test(digits) && luhnValid(digits);
}

/** Shannon entropy of a text, in bits per character. */
export function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / text.length) * Math.log2(count / text.length);
  return bits;
}

const classOf = (char: string) => (char >= "A" && char <= "Z" ? 1 : char >= "a" && char <= "z" ? 2 : char >= "0" && char <= "9" ? 3 : 0);

/** Of neighbouring letters and digits, the share whose class (upper, lower, digit) changes. */
function classChanges(text: string): number {
  let pairs = 0;
  let changes = 0;
  for (let i = 1; i < text.length; i++) {
    const [before, after] = [classOf(text[i - 1]), classOf(text[i])];
    if (before === 0 || after === 0) continue;
    pairs++;
    if (before !== after) changes++;
  }
  return pairs === 0 ? 0 : changes / pairs;
}

export const tokenMinLength = 24;
export const tokenMinEntropyBits = 3.5;
export const tokenMinClassChanges = 0.2;

export function isToken(run: string): boolean {
  return (
    run.length >= tokenMinLength &&
    /[0-9]/.test(run) &&
    /[A-Za-z]/.test(run) &&
    !/^[0-9a-fA-F-]+$/.test(run) &&
    entropyBits(run) >= tokenMinEntropyBits &&
    classChanges(run) >= tokenMinClassChanges
  );
}

const some = (text: string, pattern: RegExp, valid: (match: string) => boolean) => [...text.matchAll(pattern)].some((match) => valid(match[0]));

/** The e-mail addresses of a text, as [start, end) spans: a local part before an @, a domain after it. */
function emailSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    const local = localPart.exec(text.slice(Math.max(0, at - 64), at));
    const domain = domainPart.exec(text.slice(at + 1, at + 256));
    if (local && domain) spans.push([at - local[0].length, at + 1 + domain[0].length]);
  }
  return spans;
}

/** The kinds of personal data or secrets found anywhere in `text`. */
export function kindsIn(text: string): Set<Kind> {
  const found = new Set<Kind>();
  if (text.length < 8) return found;
  const emails = emailSpans(text);
  if (emails.length > 0) found.add("e-mail address");
  if (some(text, jwtPattern, jwtHeaderValid)) found.add("JWT");
  if (some(text, phoneCandidate, phoneValid)) found.add("phone number");
  if (some(text, cardCandidate, cardValid)) found.add("card number");
  if (some(text, ibanCandidate, ibanValid)) found.add("IBAN");
  // A JWT's parts and an address's local part are not counted again as tokens.
  const withoutEmails = emails.reduceRight((kept, [start, end]) => `${kept.slice(0, start)} ${kept.slice(end)}`, text);
  if (some(withoutEmails.replace(jwtPattern, " "), tokenCandidate, isToken)) found.add("token");
  return found;
}
