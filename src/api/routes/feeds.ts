import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { formatDuration } from '../../config/duration.js';
import { AppError } from '../../errors.js';
import { redact } from '../../ingest/download.js';
import type { FeedRun } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import type { TypedApp } from '../typed.js';

function presentRun(r: FeedRun) {
  return {
    id: r.id,
    trigger: r.trigger,
    source: r.source,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    outcome: r.outcome,
    http_status: r.httpStatus,
    bytes: r.bytes,
    format: r.format,
    counts: r.counts,
    rejects: r.rejects,
    error_code: r.errorCode,
    error: r.error,
  };
}

export async function feedRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify as TypedApp;
  const { config, store, scheduler } = deps;

  app.get(
    '/api/v1/feeds',
    {
      schema: {
        tags: ['v1'],
        summary: 'Every feed with its definition (no secrets) and health',
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
      },
    },
    async () => {
      const health = await store.feedHealth(config.feeds.map((f) => f.name));
      return config.feeds.map((f, i) => {
        const h = health[i]!;
        return {
          name: f.name,
          title: f.module.title,
          homepage: f.module.homepage,
          enabled: f.enabled,
          url: redact(f.url),
          interval: formatDuration(f.intervalMs),
          formats: f.module.formats,
          allow_empty: f.allowEmpty,
          max_removal_share: f.maxRemovalShare,
          health: {
            active: h.active,
            total: h.total,
            last_success_at: h.lastSuccessAt,
            last_run: h.lastRun ? presentRun(h.lastRun) : null,
            next_run_at: scheduler.nextRunAt(f.name)?.toISOString() ?? null,
            running: scheduler.isRunning(f.name),
          },
        };
      });
    },
  );

  app.get(
    '/api/v1/feeds/:name/runs',
    {
      schema: {
        tags: ['v1'],
        summary: "A feed's recent runs with their counts and errors, newest first",
        params: Type.Object({ name: Type.String() }),
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())), 404: Type.Ref('Problem') },
      },
    },
    async (req) => {
      if (!config.feeds.some((f) => f.name === req.params.name)) {
        throw new AppError(
          'NOT_FOUND',
          `no feed named ${req.params.name} (feeds: ${config.feeds.map((f) => f.name).join(', ')})`,
        );
      }
      return (await store.listRuns(req.params.name, req.query.limit)).map(presentRun);
    },
  );
}
