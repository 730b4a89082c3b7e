/**
 * Feed time strings to ISO 8601 UTC (`YYYY-MM-DDTHH:MM:SSZ`).
 *
 * abuse.ch writes `2026-02-26 12:05:20` (CSV, UTC without a suffix), `2026-07-22 11:46:20 UTC` (JSON) and
 * date-only `2024-04-01` (Feodo `last_online`). ISO forms (`T`, `Z`, `+00:00`, other offsets) are accepted
 * too. A time without a zone is UTC. Anything else gives `undefined`: a bad attribute never fails a feed.
 */

const TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?[ ]*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
const TIME_DIGITS = [0, 1, 3, 4, 6, 7];

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function num2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

/** Checks `YYYY-MM-DD` at the start of `s` (digits, ranges, day of month); leap years are checked later. */
function plainDate(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  for (const i of DATE_DIGITS) if (!isDigit(s, i)) return false;
  const month = num2(s, 5);
  const day = num2(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] as number)) return false;
  if (month === 2 && day === 29) {
    const year = Number(s.slice(0, 4));
    if (!(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  }
  return Number(s.slice(0, 4)) >= 1900;
}

/** Checks `HH:MM:SS` at position `i`. */
function plainTime(s: string, i: number): boolean {
  if (s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false;
  for (const k of TIME_DIGITS) if (!isDigit(s, i + k)) return false;
  return num2(s, i) <= 23 && num2(s, i + 3) <= 59 && num2(s, i + 6) <= 59;
}

/**
 * The abuse.ch forms, parsed without a regular expression (they come twice per row of a million-row dump):
 * `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM:SS UTC`. Undefined for anything else.
 */
function fastPath(s: string): string | undefined {
  const n = s.length;
  if (n === 10) return plainDate(s) ? `${s}T00:00:00Z` : undefined;
  if (n !== 19 && !(n === 23 && s.endsWith(' UTC'))) return undefined;
  const sep = s.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || !plainDate(s) || !plainTime(s, 11)) return undefined;
  return `${s.slice(0, 10)}T${s.slice(11, 19)}Z`;
}

let lastIn = '';
let lastOut: string | undefined;

/** Returns the ISO 8601 UTC form of a feed timestamp, or undefined for an empty, `None` or unparseable value. */
export function toIsoUtc(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Rows often repeat a time (dateadded and last_online of a new URL): remember the last answer.
  if (value === lastIn) return lastOut;
  lastIn = value;
  lastOut = fastPath(value) ?? slowPath(value);
  return lastOut;
}

function slowPath(value: string): string | undefined {
  const s = value.trim();
  if (s.length < 10) return undefined;
  const m = TIME_RE.exec(s);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (
    year < 1900 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const probe = new Date(ms);
  // Reject days that do not exist (2024-02-30), which Date.UTC would silently roll over.
  if (probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1) return undefined;
  const zone = m[7];
  if (zone === undefined || (zone[0] !== '+' && zone[0] !== '-')) {
    // No offset: the fields are already UTC.
    return `${m[1]}-${m[2]}-${m[3]}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}Z`;
  }
  const digits = zone.slice(1).replace(':', '');
  const offH = Number(digits.slice(0, 2));
  const offM = Number(digits.slice(2, 4));
  if (offH > 23 || offM > 59) return undefined;
  const offset = (offH * 60 + offM) * 60_000;
  const d = new Date(zone[0] === '+' ? ms - offset : ms + offset);
  return `${d.toISOString().slice(0, 19)}Z`;
}
