import { createHash, timingSafeEqual } from 'node:crypto';

import { Type } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyInstance, onRequestAsyncHookHandler } from 'fastify';

import { DomainError } from './domain-error';
import { ProblemDetails } from './problem-details';

/** The OpenAPI security scheme every admin route requires (`components.securitySchemes`). */
export const adminSecurityScheme = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: "`Authorization: Bearer <ADMIN_TOKEN>`, the service's ADMIN_TOKEN setting",
  },
} as const;

/**
 * Where a secret could reach a log line: an `authorization` header in a logged request or headers
 * object, or the admin token in a logged configuration. pino replaces them before the line is
 * written, at every level.
 */
const secretLogPaths = ['headers.authorization', '*.headers.authorization', 'ADMIN_TOKEN', '*.ADMIN_TOKEN'];

/** The server's logger, with the paths that could carry a credential redacted. */
export function withCredentialsRedacted(logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger.child({}, { redact: { paths: secretLogPaths, censor: '[redacted]' } });
}

function isAdminRoute(url: string): boolean {
  return url === '/admin' || url.startsWith('/admin/');
}

/** `Bearer <token>` (the scheme is case-insensitive, RFC 9110 11.1); anything else carries no token. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
}

// Digests have one length whatever was sent, so `timingSafeEqual` compares in constant time
// without throwing on a length mismatch, and the time taken says nothing of the token's length.
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

const adminApiDisabled = () =>
  new DomainError({
    status: 403,
    code: 'ADMIN_API_DISABLED',
    title: 'Admin API disabled',
    detail:
      'The admin API of this service is disabled; set ADMIN_TOKEN (32 characters or more) to enable it.',
  });

const unauthorized = (code: string, detail: string) =>
  new DomainError({ status: 401, code, title: 'Unauthorized', detail });

/**
 * Requires the admin credential on every route under `/admin/`: `Authorization: Bearer <token>`,
 * compared in constant time. A missing or wrong token is a 401 with `WWW-Authenticate: Bearer`
 * (RFC 6750); with no token configured, every admin request is a 403.
 *
 * The guard attaches itself to the admin routes as they are declared (an `onRoute` hook), rather
 * than matching request URLs: the router decodes paths, so `/%61dmin/...` reaches an admin route
 * and would slip past a check on the raw URL. Installed before any route; a route declared under
 * `/admin/` anywhere, in any plugin, is guarded and documented as such in the OpenAPI document.
 *
 * Written here rather than taken from `@fastify/bearer-auth`: that plugin is not installed (no
 * dependency is added for thirty lines), and it guards a plugin scope, not a path.
 */
export function guardAdminRoutes(app: FastifyInstance, adminToken: string | undefined): void {
  const expected = adminToken === undefined ? undefined : sha256(adminToken);

  const authenticate: onRequestAsyncHookHandler = async (request, reply) => {
    if (expected === undefined) throw adminApiDisabled();
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      reply.header('www-authenticate', 'Bearer realm="admin"');
      throw unauthorized(
        'ADMIN_TOKEN_MISSING',
        'This admin route needs Authorization: Bearer <ADMIN_TOKEN>.',
      );
    }
    if (!timingSafeEqual(sha256(presented), expected)) {
      reply.header('www-authenticate', 'Bearer realm="admin", error="invalid_token"');
      throw unauthorized('ADMIN_TOKEN_INVALID', 'The bearer token is not this service’s admin token.');
    }
  };

  const problem = Type.Ref(ProblemDetails);
  app.addHook('onRoute', (route) => {
    if (!isAdminRoute(route.url)) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [authenticate, ...own];
    route.schema = {
      tags: ['admin'],
      ...route.schema,
      security: [{ adminToken: [] }],
      response: { 401: problem, 403: problem, ...(route.schema?.response as object | undefined) },
    };
  });
}
