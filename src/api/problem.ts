import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.js';

/** An RFC 9457 problem document; `code` is the project's stable error code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  instance?: string,
) {
  const body: Problem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance && { instance }),
  };
  return reply.code(status).type('application/problem+json; charset=utf-8').send(body);
}

/** Turns ajv's `querystring/limit must be <= 10000` into `limit must be <= 10000`, naming allowed values. */
function validationDetail(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const field =
    first.instancePath.replace(/^\//, '').replaceAll('/', '.') ||
    (first.params as { missingProperty?: string }).missingProperty;
  const params = first.params as { allowedValues?: unknown[]; additionalProperty?: string };
  if (params.additionalProperty) return `unknown parameter "${params.additionalProperty}"`;
  const where = field ? `${field} ` : '';
  if (params.allowedValues) return `${where}must be one of ${params.allowedValues.join(', ')}`;
  return `${where}${first.message ?? 'is invalid'}`;
}

/** The one place errors become responses: a problem document, never a stack trace or SQL. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (isAppError(err)) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return sendProblem(reply, err.status, err.code, err.message, req.url);
    }
    if (err.validation) return sendProblem(reply, 400, 'INVALID_ARGUMENT', validationDetail(err), req.url);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(
        reply,
        status,
        status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
        err.message,
        req.url,
      );
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 500, 'INTERNAL', 'internal error; the server log has the details', req.url);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, req.url),
  );
}
