/**
 * Emerging Threats (Proofpoint ET Open) compromised IPs: bare IP addresses, one per line, no header.
 * Blank lines and `#` comments (possibly indented) are skipped, should they ever appear.
 */
import type { IndicatorType } from '../indicators/types.js';
import type { FeedModule, ParseEvent, ParseSummary } from './types.js';
import { readValueList } from './value-list.js';

const EXPECT: readonly IndicatorType[] = Object.freeze(['ipv4', 'ipv6'] as const);

async function* parse(text: AsyncIterable<string>): AsyncGenerator<ParseEvent[], ParseSummary, undefined> {
  const count = yield* readValueList(text, EXPECT);
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
