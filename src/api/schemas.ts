import { Type } from 'typebox';
import { EXPORT_FORMATS } from '../export/records.js';
import { INDICATOR_TYPES } from '../indicators/types.js';

export const IndicatorTypeSchema = Type.Enum([...INDICATOR_TYPES], { description: 'indicator type' });
export const ExportFormatSchema = Type.Enum([...EXPORT_FORMATS]);
const DateParam = (description: string) =>
  Type.String({ description: `${description}: YYYY-MM-DD (the whole day) or an ISO 8601 timestamp` });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable error code, e.g. INVALID_ARGUMENT, NOT_FOUND' }),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const nullableString = Type.Union([Type.String(), Type.Null()]);

/** The original project's record, extended; see README "Data model". */
export const LegacyRecordSchema = Type.Object(
  {
    id: Type.String({ description: 'stable public UUID' }),
    ipv4: nullableString,
    url: nullableString,
    date: Type.String({ description: 'first seen, ISO 8601 UTC' }),
    source: Type.String({ description: 'URL of the first feed that reported it' }),
    original_data: Type.Unknown({ description: "that feed's original record" }),
    abuseIPDBData: Type.Null({ description: 'null until AbuseIPDB enrichment exists' }),
    type: IndicatorTypeSchema,
    value: Type.String(),
    first_seen: Type.String(),
    last_seen: Type.String(),
    active: Type.Boolean(),
    sources: Type.Array(Type.String()),
  },
  { $id: 'LegacyRecord' },
);

export const ViewQuery = Type.Object({
  start_date: Type.Optional(DateParam('first seen on or after')),
  end_date: Type.Optional(DateParam('first seen on or before')),
  limit: Type.Integer({ minimum: 1, maximum: 10000, default: 100 }),
  page: Type.Integer({ minimum: 1, default: 1 }),
  type: Type.Optional(IndicatorTypeSchema),
  source: Type.Optional(Type.String({ description: 'feed name' })),
  active: Type.Optional(
    Type.Boolean({ description: 'true: listed by a feed now; false: removed everywhere' }),
  ),
});

export const DownloadQuery = Type.Object({
  format: Type.Optional(ExportFormatSchema),
  start_date: Type.Optional(DateParam('first seen on or after')),
  end_date: Type.Optional(DateParam('first seen on or before')),
  type: Type.Optional(IndicatorTypeSchema),
  source: Type.Optional(Type.String({ description: 'feed name' })),
  active: Type.Optional(Type.Boolean()),
});

export const SightingSchema = Type.Object({
  feed: Type.String(),
  first_seen: Type.String(),
  last_seen: Type.String(),
  removed_at: nullableString,
  active: Type.Boolean(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  original_data: Type.Unknown(),
});

const indicatorFields = {
  id: Type.String({ description: 'stable public UUID' }),
  type: IndicatorTypeSchema,
  value: Type.String({ description: 'canonical value' }),
  first_seen: Type.String(),
  last_seen: Type.String(),
  active: Type.Boolean({ description: 'listed by at least one feed now' }),
  first_source: Type.String({ description: 'the feed that reported it first' }),
  sources: Type.Array(Type.String()),
};

export const IndicatorSchema = Type.Object(indicatorFields, { $id: 'Indicator' });

export const IndicatorDetailSchema = Type.Object(
  { ...indicatorFields, sightings: Type.Array(SightingSchema) },
  { $id: 'IndicatorDetail' },
);

export const LookupResultSchema = Type.Object(
  {
    query: Type.String(),
    found: Type.Boolean(),
    type: Type.Union([IndicatorTypeSchema, Type.Null()]),
    value: nullableString,
    invalid: Type.Optional(Type.String({ description: 'why the query is not a value that can be stored' })),
    indicator: Type.Union([Type.Ref('IndicatorDetail'), Type.Null()]),
    contained_in: Type.Array(Type.Ref('IndicatorDetail'), { description: 'active CIDRs containing the IP' }),
  },
  { $id: 'LookupResult' },
);

export const IndicatorsQuery = Type.Object(
  {
    type: Type.Optional(IndicatorTypeSchema),
    source: Type.Optional(Type.String({ description: 'feed name' })),
    active: Type.Optional(Type.Boolean()),
    since: Type.Optional(DateParam('first seen on or after')),
    until: Type.Optional(DateParam('first seen on or before')),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'value prefix' })),
    order: Type.Enum(['desc', 'asc'], { default: 'desc' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);
