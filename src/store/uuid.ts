import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): millisecond time first, so new ids append to the end of the unique index instead of
 * landing at random pages, which keeps a million-row first load fast. The random bits come from randomUUID.
 */
export function uuidv7(now: number = Date.now()): string {
  const random = randomUUID();
  const ts = now.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
