import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';
import { problemForError, routeNotFoundProblem } from './problem-for-error';

/**
 * Every error response of the service is `application/problem+json`: whatever a route throws, what
 * Fastify refuses before a route runs (validation, malformed JSON, body limit, media type), and a
 * path no route matches. Refusals are logged at info; unexpected errors at error, with the error,
 * because the client is told nothing about them.
 */
export function answerErrorsAsProblems(app: FastifyInstance): void {
  app.addSchema(ProblemDetails);

  app.setErrorHandler(answerErrorAsProblem);

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type(PROBLEM_CONTENT_TYPE).send(routeNotFoundProblem(request.method, request.url)),
  );
}

/**
 * Answers an error as a problem. Also Fastify's `frameworkErrors` option: what the router refuses
 * before any route matches (a URL that is not valid percent-encoding, a path parameter longer than
 * `maxParamLength`) never reaches the error handler, and Fastify would answer it as plain JSON.
 */
export function answerErrorAsProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, unexpected, retryAfterSeconds } = problemForError(error, request.url);
  if (unexpected) request.log.error({ err: error }, 'request failed unexpectedly');
  else request.log.info({ problem: { status: problem.status, code: problem.code } }, 'request refused');
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
