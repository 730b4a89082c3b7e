import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import type { SafeHtml } from './html.js';

/** Sent with every page: only local scripts, styles and images; no framing, no referrer. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** What a page handler produces: a document with its status, or a redirect. */
export type PageResult = { status: number; body: SafeHtml } | { redirect: string };

export function sendPage(reply: FastifyReply, result: PageResult): FastifyReply {
  reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache');
  if ('redirect' in result) return reply.redirect(result.redirect, 303);
  return reply.code(result.status).type('text/html; charset=utf-8').send(result.body.toString());
}

/**
 * One query parameter as a trimmed string; an empty value (a form's "any" option) is undefined. A parameter
 * given twice is an error rather than a silent pick.
 */
export function queryParam(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new AppError('INVALID_ARGUMENT', `${name} must be given once`);
  const t = v.trim();
  return t === '' ? undefined : t;
}
