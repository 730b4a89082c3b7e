import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CONTENT_TYPES, type ExportFormat, legacyRecordJson, renderExport } from '../../export/records.js';
import { buildFilter } from '../../indicators/filter.js';
import type { AppDeps } from '../deps.js';
import { feedUrlOf } from '../present.js';
import { ResponseCache } from '../response-cache.js';
import { DownloadQuery, LegacyRecordSchema, ProblemSchema, ViewQuery } from '../schemas.js';
import type { TypedApp } from '../typed.js';

// Room for the pages scripts poll (~115 pages of 100 rows). A larger cache mostly churns under random
// paging, and its evicted bodies fill the old generation: 32 MiB left a loaded server at ~290 MB RSS, 8 MiB
// at ~165 MB.
const VIEW_CACHE_BYTES = 8 * 1024 * 1024;

/** The original project's endpoints, with their names, parameters and record shape. */
export async function legacyRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify as TypedApp;
  const feedNames = deps.config.feeds.map((f) => f.name);
  const feedUrl = feedUrlOf(deps.config);
  const names = { since: 'start_date', until: 'end_date' } as const;
  const viewCache = new ResponseCache(VIEW_CACHE_BYTES);

  app.get(
    '/view',
    {
      schema: {
        tags: ['original'],
        summary: 'Records by date, page by page (the original API)',
        description:
          'Ordered by `date` (first seen), oldest first. Page numbers reach any depth in constant time.',
        querystring: ViewQuery,
        response: { 200: Type.Array(Type.Ref('LegacyRecord')), 400: Type.Ref('Problem') },
      },
    },
    async (req, reply) => {
      const q = req.query;
      reply.type('application/json; charset=utf-8');
      // Keyed by the validated parameters (defaults applied), so equivalent URLs share an entry.
      const key = JSON.stringify([q.start_date, q.end_date, q.limit, q.page, q.type, q.source, q.active]);
      const token = await deps.store.changeToken();
      const cached = viewCache.get(key, token);
      if (cached !== undefined) return reply.send(cached);
      const filter = buildFilter(
        { type: q.type, source: q.source, since: q.start_date, until: q.end_date, active: q.active },
        feedNames,
        names,
      );
      const rows = await deps.store.listIndicators(filter, {
        limit: q.limit,
        order: 'asc',
        offset: (q.page - 1) * q.limit,
      });
      // Records are assembled as JSON text: the stored original record is spliced in without a re-parse.
      const body = `[${rows.map((r) => legacyRecordJson(r, feedUrl)).join(',')}]`;
      viewCache.set(key, token, body);
      return reply.send(body);
    },
  );

  app.get(
    '/download',
    {
      schema: {
        tags: ['original'],
        summary: 'The whole data set as a file (the original API), streamed',
        description: 'JSON array by default; `format=ndjson|csv|txt`, and the /view filters apply.',
        querystring: DownloadQuery,
        response: { 200: Type.Array(Type.Ref('LegacyRecord')), 400: Type.Ref('Problem') },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const format: ExportFormat = q.format ?? 'json';
      const filter = buildFilter(
        { type: q.type, source: q.source, since: q.start_date, until: q.end_date, active: q.active },
        feedNames,
        names,
      );
      const chunks = renderExport(deps.store.exportRecords(filter), format, feedUrl);
      reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename=threats.${format}`)
        .header('cache-control', 'no-store');
      // One page in flight (not Readable's default 16): pages that wait in a buffer outlive V8's young
      // generation and pile up in the old one until a full GC, which cost ~180 MB of RSS on a 1M download.
      return reply.send(Readable.from(chunks, { highWaterMark: 1 }));
    },
  );
}

export const legacySchemas = [ProblemSchema, LegacyRecordSchema];
