import type { IndicatorType } from '../indicators/types.js';
import { firstNonBlank, hasWhitespace, readLines } from './lines.js';
import type { ParseEvent } from './types.js';

/** Characters that never occur in one IP address or network: the line is not a single value. */
const NOT_ONE_VALUE = /[\s,;"'<>]/;

/** Why a trimmed list line is not one value, or undefined when it may be one. */
export function listLineProblem(value: string, what: string): string | undefined {
  if (!NOT_ONE_VALUE.test(value)) return undefined;
  return hasWhitespace(value)
    ? 'the line holds more than one value (whitespace inside)'
    : `the line is not a single ${what}`;
}

/** Why a trimmed line of a URL list is not one URL. */
export function urlLineProblem(value: string): string | undefined {
  return hasWhitespace(value) ? 'the line holds more than one value (whitespace inside)' : undefined;
}

const ipLineProblem = (value: string) => listLineProblem(value, 'IP address');

/**
 * A plain list of values, one a line: blank lines and `#` comments (possibly indented) are skipped, and a
 * line `problem` names is rejected. Yields events in batches and returns how many entries it found.
 */
export async function* readValueList(
  text: AsyncIterable<string>,
  expect: readonly IndicatorType[],
  firstLine = 1,
  problem: (value: string) => string | undefined = ipLineProblem,
): AsyncGenerator<ParseEvent[], number> {
  let count = 0;
  for await (const { first, lines } of readLines(text, firstLine)) {
    const events: ParseEvent[] = [];
    for (let k = 0; k < lines.length; k++) {
      const raw = lines[k] as string;
      const i = firstNonBlank(raw);
      if (i < 0 || raw.charCodeAt(i) === 35) continue;
      const value = raw.trim();
      const reason = problem(value);
      if (reason) {
        events.push({ kind: 'reject', reject: { line: first + k, raw, reason } });
        continue;
      }
      count++;
      events.push({
        kind: 'entry',
        entry: { value, expect, attributes: {}, original: { value }, line: first + k },
      });
    }
    if (events.length > 0) yield events;
  }
  return count;
}
