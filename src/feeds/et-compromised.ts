/**
 * Emerging Threats (Proofpoint ET Open) compromised IPs: bare IP addresses, one per line, no header.
 * Blank lines and `#` comments (possibly indented) are skipped, should they ever appear.
 */
import type { IndicatorType } from '../indicators/types.js';
import { firstNonBlank, hasWhitespace, readLines } from './lines.js';
import type { FeedModule, ParseEvent, ParseSummary } from './types.js';

const EXPECT: readonly IndicatorType[] = Object.freeze(['ipv4', 'ipv6'] as const);

/** Characters that never occur in one IP address: the line is not a single value. */
const NOT_ONE_VALUE = /[\s,;"'<>]/;

async function* parse(text: AsyncIterable<string>): AsyncGenerator<ParseEvent[], ParseSummary, undefined> {
  let count = 0;
  for await (const { first, lines } of readLines(text)) {
    const events: ParseEvent[] = [];
    for (let k = 0; k < lines.length; k++) {
      const raw = lines[k] as string;
      const i = firstNonBlank(raw);
      if (i < 0 || raw.charCodeAt(i) === 35) continue;
      const value = raw.trim();
      if (NOT_ONE_VALUE.test(value)) {
        const reason = hasWhitespace(value)
          ? 'the line holds more than one value (whitespace inside)'
          : 'the line is not a single IP address';
        events.push({ kind: 'reject', reject: { line: first + k, raw, reason } });
        continue;
      }
      count++;
      events.push({
        kind: 'entry',
        entry: { value, expect: EXPECT, attributes: {}, original: { value }, line: first + k },
      });
    }
    if (events.length > 0) yield events;
  }
  return { format: 'text', recognised: count > 0 };
}

export const etCompromised: FeedModule = {
  name: 'et-compromised',
  title: 'Emerging Threats compromised IPs',
  defaultUrl: 'https://rules.emergingthreats.net/blockrules/compromised-ips.txt',
  homepage: 'https://rules.emergingthreats.net/',
  formats: ['text (one IP address per line)'],
  allowEmpty: false,
  abuseCh: false,
  parse,
};
