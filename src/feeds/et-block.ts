/**
 * Emerging Threats fwip rules (`emerging-Block-IPs.txt`): a `#` header (`# Emerging Threats fwip rules.`,
 * licence, `# Rev N`), then sections introduced by `#` headings (`# Feodo`, `#Spamhaus DROP Nets`,
 * `#Dshield Top Attackers`) holding single IPs and CIDR networks, blank lines between, no final newline.
 * Each entry carries the heading of its section.
 */
import type { IndicatorType } from '../indicators/types.js';
import { firstNonBlank, readLines } from './lines.js';
import type { FeedEntry, FeedModule, ParseEvent, ParseSummary } from './types.js';
import { listLineProblem } from './value-list.js';

const EXPECT: readonly IndicatorType[] = Object.freeze(['ipv4', 'ipv6', 'cidr'] as const);

/** A heading names something (`# Feodo`); rules like `#****` or a bare `#` do not. */
const HEADING = /[A-Za-z0-9]/;

async function* parse(text: AsyncIterable<string>): AsyncGenerator<ParseEvent[], ParseSummary, undefined> {
  let banner = false;
  // The file's leading comment block (up to the first blank line or value) is its header, not a heading.
  let inHeader = true;
  let section: string | undefined;
  for await (const { first, lines } of readLines(text)) {
    const events: ParseEvent[] = [];
    for (let k = 0; k < lines.length; k++) {
      const raw = lines[k] as string;
      const i = firstNonBlank(raw);
      if (i < 0) {
        inHeader = false;
        continue;
      }
      if (raw.charCodeAt(i) === 35) {
        const comment = raw.slice(i + 1).trim();
        if (!banner && comment.includes('Emerging Threats')) banner = true;
        if (!inHeader && HEADING.test(comment)) section = comment;
        continue;
      }
      inHeader = false;
      const value = raw.trim();
      const problem = listLineProblem(value, 'IP address or network');
      if (problem) {
        events.push({ kind: 'reject', reject: { line: first + k, raw, reason: problem } });
        continue;
      }
      const entry: FeedEntry =
        section === undefined
          ? { value, expect: EXPECT, attributes: {}, original: { value }, line: first + k }
          : { value, expect: EXPECT, attributes: { section }, original: { value, section }, line: first + k };
      events.push({ kind: 'entry', entry });
    }
    if (events.length > 0) yield events;
  }
  return { format: 'text', recognised: banner };
}

export const etBlock: FeedModule = {
  name: 'et-block',
  title: 'Emerging Threats block IPs (fwip rules)',
  defaultUrl: 'https://rules.emergingthreats.net/fwrules/emerging-Block-IPs.txt',
  homepage: 'https://rules.emergingthreats.net/',
  formats: ['text (IPs and CIDR networks in # sections)'],
  allowEmpty: false,
  abuseCh: false,
  parse,
};
