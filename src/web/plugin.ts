import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../api/deps.js';
import { isAppError } from '../errors.js';
import { errorPage } from './layout.js';
import { browsePage } from './pages/browse.js';
import { homePage } from './pages/home.js';
import { indicatorPage } from './pages/indicator.js';
import { searchPage } from './pages/search.js';
import { type PageResult, queryParam, SECURITY_HEADERS, sendPage } from './respond.js';

/**
 * The assets folder: next to this module under tsx (src/web/assets), or back in the sources when running
 * the compiled dist/web/plugin.js (tsc does not copy non-TS files).
 */
export function assetsDir(): string {
  const candidates = [
    new URL('./assets/', import.meta.url),
    new URL('../../src/web/assets/', import.meta.url),
  ];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(dir)) return dir;
  }
  throw new Error(
    `web assets not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(' and ')})`,
  );
}

type Handler = (req: FastifyRequest) => Promise<PageResult>;

/** Runs a page handler; a user error becomes an HTML error page, anything else a logged 500 page. */
function page(handler: Handler) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    let result: PageResult;
    try {
      result = await handler(req);
    } catch (err) {
      if (isAppError(err) && err.status < 500) {
        result = {
          status: err.status,
          body: errorPage(err.status, 'That request did not work', err.message),
        };
      } else {
        req.log.error({ err }, 'web page failed');
        result = {
          status: 500,
          body: errorPage(
            500,
            'Something went wrong',
            'The page could not be built. The error has been logged.',
          ),
        };
      }
    }
    return sendPage(reply, result);
  };
}

/** The server-rendered web pages and their static assets. */
export async function webRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(fastifyStatic, {
    root: assetsDir(),
    prefix: '/assets/',
    decorateReply: false,
    schemaHide: true,
    index: false,
    list: false,
    setHeaders: (reply) => {
      reply.header('x-content-type-options', SECURITY_HEADERS['x-content-type-options']);
    },
  });

  const hide = { schema: { hide: true } };
  app.get(
    '/',
    hide,
    page(() => homePage(deps)),
  );
  app.get(
    '/search',
    hide,
    page(async (req) => searchPage(deps, queryParam(req.query, 'q'))),
  );
  app.get(
    '/browse',
    hide,
    page(async (req) => browsePage(deps, req.query)),
  );
  app.get<{ Params: { id: string } }>(
    '/indicators/:id',
    hide,
    page(async (req) => indicatorPage(deps, (req.params as { id: string }).id)),
  );
}
