import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { buildFilter } from '../../indicators/filter.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { AppDeps } from '../deps.js';
import { presentDetail, presentIndicator } from '../present.js';
import { IndicatorsQuery } from '../schemas.js';
import type { TypedApp } from '../typed.js';

export async function indicatorRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify as TypedApp;
  const feedNames = deps.config.feeds.map((f) => f.name);

  app.get(
    '/api/v1/indicators',
    {
      schema: {
        tags: ['v1'],
        summary: 'Indicators, filtered, with cursor pagination',
        description:
          'Newest first by default. Pass `next_cursor` back as `cursor` for the next page; constant time at any depth.',
        querystring: IndicatorsQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Indicator')),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          400: Type.Ref('Problem'),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const filter = buildFilter(
        { type: q.type, source: q.source, active: q.active, since: q.since, until: q.until },
        feedNames,
      );
      if (q.q) filter.valuePrefix = prefixForm(q.q);
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      // One row more than asked tells whether a next page exists without a count.
      const rows = await deps.store.listIndicators(filter, {
        limit: q.limit + 1,
        order: q.order,
        ...(after && { after }),
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(presentIndicator),
        next_cursor:
          rows.length > q.limit && last
            ? encodeCursor({ firstSeen: last.firstSeen, rowId: last.rowId })
            : null,
      };
    },
  );

  app.get(
    '/api/v1/indicators/:id',
    {
      schema: {
        tags: ['v1'],
        summary: 'One indicator with all its sightings',
        params: Type.Object({ id: Type.String({ description: 'the indicator UUID' }) }),
        response: { 200: Type.Ref('IndicatorDetail'), 404: Type.Ref('Problem') },
      },
    },
    async (req) => {
      const found = /^[0-9a-f-]{36}$/i.test(req.params.id)
        ? await deps.store.getIndicator(req.params.id.toLowerCase())
        : undefined;
      if (!found) throw new AppError('NOT_FOUND', `no indicator with id ${req.params.id}`);
      return presentDetail(found);
    },
  );
}

/** Stored values are canonical: lower-case, except a URL's path and query, which keep their case. */
export function prefixForm(q: string): string {
  const text = q.trim();
  const scheme = text.indexOf('://');
  if (scheme < 0) return text.toLowerCase();
  const pathStart = text.indexOf('/', scheme + 3);
  return pathStart < 0 ? text.toLowerCase() : text.slice(0, pathStart).toLowerCase() + text.slice(pathStart);
}
