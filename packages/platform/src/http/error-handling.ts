import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpApp } from './http-app.ts';
import { createProblem, sendProblem } from './problem.ts';
import { type ProblemContext, problemFromError } from './problem-from-error.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

/** The request's id and path (the query string is left out: it may carry tokens). */
export function problemContext(request: FastifyRequest): ProblemContext {
  const query = request.url.indexOf('?');
  return { requestId: request.id, instance: query < 0 ? request.url : request.url.slice(0, query) };
}

/**
 * Answers any error as a problem document. Server errors are logged in full (the logger masks card
 * numbers and secrets) with the request id; the client only gets the generic detail and the id.
 */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = problemFromError(error, problemContext(request));
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
  reply.header(REQUEST_ID_HEADER, request.id);
  return sendProblem(reply, problem);
}

/** Makes every error, including unknown routes, an `application/problem+json` response. */
export function installErrorHandling(app: HttpApp): void {
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const context = problemContext(request);
    return sendProblem(
      reply,
      createProblem({
        ...context,
        status: 404,
        code: 'not_found',
        detail: `No endpoint matches ${request.method} ${context.instance}.`,
      }),
    );
  });
}
