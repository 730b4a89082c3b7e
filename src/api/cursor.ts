import { AppError } from '../errors.js';
import type { Cursor } from '../store/types.js';

/** Opaque page cursors: base64url of the keyset position, so clients never depend on its shape. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.firstSeen, c.rowId])).toString('base64url');
}

export function decodeCursor(text: string, name = 'cursor'): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isSafeInteger(v[1])) {
      return { firstSeen: v[0], rowId: v[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('INVALID_ARGUMENT', `${name} is not a cursor this API returned`);
}
