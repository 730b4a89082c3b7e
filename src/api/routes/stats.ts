import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { sendProblem } from '../problem.js';
import type { TypedApp } from '../typed.js';

const STATS_DAYS = 90;
const Counts = Type.Record(Type.String(), Type.Object({ total: Type.Integer(), active: Type.Integer() }));

export async function statsRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify as TypedApp;

  app.get(
    '/api/v1/stats',
    {
      schema: {
        tags: ['v1'],
        summary: `Totals by type and feed, active and removed, and new indicators per day over ${STATS_DAYS} days`,
        response: {
          200: Type.Object({
            total: Type.Integer(),
            active: Type.Integer(),
            removed: Type.Integer(),
            by_type: Counts,
            by_feed: Counts,
            new_per_day: Type.Array(Type.Object({ day: Type.String(), count: Type.Integer() })),
            last_updated: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async () => {
      const s = await deps.store.stats(STATS_DAYS);
      return {
        total: s.total,
        active: s.active,
        removed: s.removed,
        by_type: s.byType,
        by_feed: s.byFeed,
        new_per_day: s.newPerDay,
        last_updated: s.lastUpdated,
      };
    },
  );

  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'The database answers' } },
    async (req, reply) => {
      try {
        await deps.store.ping();
        return { status: 'ready' };
      } catch (err) {
        req.log.warn({ err }, 'readiness check failed');
        return sendProblem(reply, 503, 'STORE_ERROR', 'the database does not answer');
      }
    },
  );
}
