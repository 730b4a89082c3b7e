import type { SightingAttributes } from '../feeds/types.js';
import { hashText } from './hash.js';
import type { IndicatorKey, NormalizedEntry } from './types.js';

export function normalizedEntry(
  key: IndicatorKey,
  firstSeen: string | undefined,
  attributes: SightingAttributes,
  original: unknown,
): NormalizedEntry {
  const data = JSON.stringify(original);
  return {
    type: key.type,
    value: key.value,
    firstSeen,
    attributes: JSON.stringify(attributes),
    data,
    dataHash: hashText(data),
  };
}
