import { AppError } from '../errors.js';
import type { IndicatorFilter } from '../store/types.js';
import { INDICATOR_TYPES, isIndicatorType } from './types.js';

export interface FilterInput {
  type?: string | undefined;
  source?: string | undefined;
  active?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** Validates user-given filters (CLI options, query parameters) into a store filter. */
export function buildFilter(
  input: FilterInput,
  feedNames: readonly string[],
  names: Partial<Record<keyof FilterInput, string>> = {},
): IndicatorFilter {
  const filter: IndicatorFilter = {};
  if (input.type !== undefined) {
    if (!isIndicatorType(input.type)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${names.type ?? 'type'} must be one of ${INDICATOR_TYPES.join(', ')}, got "${input.type}"`,
      );
    }
    filter.type = input.type;
  }
  if (input.source !== undefined) {
    if (!feedNames.includes(input.source)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${names.source ?? 'source'} must be a feed name (${feedNames.join(', ')}), got "${input.source}"`,
      );
    }
    filter.source = input.source;
  }
  if (input.active !== undefined) filter.active = input.active;
  if (input.since !== undefined) filter.since = parseDateBound(input.since, names.since ?? 'since', 'start');
  if (input.until !== undefined) filter.until = parseDateBound(input.until, names.until ?? 'until', 'end');
  if (filter.since && filter.until && filter.since > filter.until) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${names.since ?? 'since'} must not be after ${names.until ?? 'until'}`,
    );
  }
  return filter;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A date bound as stored timestamps compare: `YYYY-MM-DD` covers the whole day (inclusive at both ends), a
 * full ISO 8601 timestamp is taken as given (UTC unless it has an offset).
 */
export function parseDateBound(value: string, name: string, side: 'start' | 'end'): string {
  const v = value.trim();
  const d = DATE_ONLY.exec(v);
  if (d) {
    const date = new Date(`${v}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== v) {
      throw new AppError('INVALID_ARGUMENT', `${name} is not a real date: "${value}"`);
    }
    return side === 'start' ? `${v}T00:00:00Z` : `${v}T23:59:59Z`;
  }
  if (ISO_DATETIME.test(v)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v);
    const date = new Date(hasZone ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}Z`);
    if (!Number.isNaN(date.getTime())) return `${date.toISOString().slice(0, 19)}Z`;
  }
  throw new AppError('INVALID_ARGUMENT', `${name} must be YYYY-MM-DD or ISO 8601, got "${value}"`);
}
