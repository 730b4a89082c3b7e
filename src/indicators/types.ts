export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'cidr', 'url', 'domain'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export function isIndicatorType(value: string): value is IndicatorType {
  return (INDICATOR_TYPES as readonly string[]).includes(value);
}

/** The result of normalising one raw value: its canonical form, or why it was rejected. */
export type Normalized =
  | { ok: true; type: IndicatorType; value: string; note?: string }
  | { ok: false; reason: string };
