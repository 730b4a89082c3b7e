import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { lookupValues } from '../../indicators/lookup.js';
import type { AppDeps } from '../deps.js';
import { presentLookup } from '../present.js';
import type { TypedApp } from '../typed.js';

export const MAX_LOOKUP_VALUES = 1000;

export async function lookupRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify as TypedApp;
  const description =
    'Exact matches, and for an IP every active CIDR containing it. A value not found (or not storable, e.g. a private address) is reported in its result, not as an error.';

  app.get(
    '/api/v1/lookup',
    {
      schema: {
        tags: ['v1'],
        summary: 'Look up one value',
        description,
        querystring: Type.Object(
          {
            value: Type.String({ minLength: 1, maxLength: 8192, description: 'an IP, CIDR, URL or domain' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('LookupResult'), 400: Type.Ref('Problem') },
      },
    },
    async (req) => presentLookup((await lookupValues(deps.store, [req.query.value]))[0]!),
  );

  app.post(
    '/api/v1/lookup',
    {
      schema: {
        tags: ['v1'],
        summary: `Look up to ${MAX_LOOKUP_VALUES} values at once`,
        description,
        body: Type.Object(
          {
            values: Type.Array(Type.String({ minLength: 1, maxLength: 8192 }), {
              minItems: 1,
              maxItems: MAX_LOOKUP_VALUES,
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ results: Type.Array(Type.Ref('LookupResult')) }),
          400: Type.Ref('Problem'),
        },
      },
    },
    async (req) => ({ results: (await lookupValues(deps.store, req.body.values)).map(presentLookup) }),
  );
}
