import { cidrRange, ipToBigInt } from '../indicators/normalize.js';

/** Fixed-width hex of an address, so that text order is numeric order in any database (v4: 8, v6: 32). */
export function rangeKey(version: 4 | 6, value: bigint): string {
  return value.toString(16).padStart(version === 4 ? 8 : 32, '0');
}

export function cidrKeys(cidr: string): { version: 4 | 6; start: string; end: string } {
  const r = cidrRange(cidr);
  return { version: r.version, start: rangeKey(r.version, r.start), end: rangeKey(r.version, r.end) };
}

export function ipKey(ip: string): { version: 4 | 6; key: string } {
  const r = ipToBigInt(ip);
  return { version: r.version, key: rangeKey(r.version, r.value) };
}
