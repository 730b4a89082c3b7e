import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { webRoutes } from '../web/plugin.js';
import type { AppDeps } from './deps.js';
import { installErrorHandling } from './problem.js';
import { feedRoutes } from './routes/feeds.js';
import { indicatorRoutes } from './routes/indicators.js';
import { legacyRoutes } from './routes/legacy.js';
import { lookupRoutes } from './routes/lookup.js';
import { statsRoutes } from './routes/stats.js';
import {
  IndicatorDetailSchema,
  IndicatorSchema,
  LegacyRecordSchema,
  LookupResultSchema,
  ProblemSchema,
} from './schemas.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP app: the original endpoints, the v1 API, OpenAPI docs and the web pages. */
export async function buildApp(deps: AppDeps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Unknown query parameters are rejected where a schema forbids them, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app);
  for (const schema of [
    ProblemSchema,
    LegacyRecordSchema,
    IndicatorSchema,
    IndicatorDetailSchema,
    LookupResultSchema,
  ]) {
    app.addSchema(schema);
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Threat Aggregator API',
        version: '1.0.0',
        description:
          'Indicators of Compromise collected from public threat feeds. The original endpoints (`/view`, `/download`) keep their parameters and record shape; `/api/v1` is the modern API. Errors are RFC 9457 problem documents.',
      },
      tags: [
        { name: 'original', description: "The original project's endpoints" },
        { name: 'v1', description: 'The v1 API' },
        { name: 'health', description: 'Probes' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // Every asset is served from the installed package: no CDN, so the docs work on an air-gapped host.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await legacyRoutes(app, deps);
  await indicatorRoutes(app, deps);
  await lookupRoutes(app, deps);
  await feedRoutes(app, deps);
  await statsRoutes(app, deps);
  await webRoutes(app, deps);
  return app;
}
