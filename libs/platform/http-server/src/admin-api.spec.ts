import { createLogger } from '@ecommerce/telemetry';
import { Type } from '@sinclair/typebox';
import type { DestinationStream } from 'pino';

import { createHttpServer, type HttpServer } from './http-server';

const adminToken = 'b9d2e6a1c4f8073e5a9d1c6b2f8e4a70';

/**
 * A server with one admin route (inside a plugin, as a service's route file would add it) and one
 * public route, logging everything at trace into `lines`. The admin route logs the request's
 * headers, as careless code might: redaction must still keep the token out.
 */
async function probeServer(token: string | undefined): Promise<{ app: HttpServer; logs: () => string }> {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) };
  const app = await createHttpServer({
    serviceName: 'probe',
    logger: createLogger('probe', 'trace', destination),
    dependencies: {},
    ...(token === undefined ? {} : { adminToken: token }),
  });
  await app.register(
    async (admin) => {
      admin.post(
        '/jobs',
        {
          schema: {
            body: Type.Object({ name: Type.String() }),
            response: { 200: Type.Object({ started: Type.String() }) },
          },
        },
        async (request) => {
          request.log.trace({ headers: request.headers }, 'admin job requested');
          return { started: (request.body as { name: string }).name };
        },
      );
    },
    { prefix: '/admin' },
  );
  app.get('/public', async () => ({ ok: true }));
  return { app, logs: () => lines.join('') };
}

const postJob = (app: HttpServer, authorization?: string, url = '/admin/jobs') =>
  app.inject({
    method: 'POST',
    url,
    payload: { name: 'reindex' },
    headers: authorization === undefined ? {} : { authorization },
  });

describe('the admin API guard', () => {
  let app: HttpServer;
  let logs: () => string;

  beforeEach(async () => {
    ({ app, logs } = await probeServer(adminToken));
  });
  afterEach(() => app.close());

  it('when the right bearer token is sent, then the admin route runs', async () => {
    const response = await postJob(app, `Bearer ${adminToken}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ started: 'reindex' });
    expect((await postJob(app, `bearer ${adminToken}`)).statusCode).toBe(200);
  });

  it('when no token is sent, then 401 problem+json with WWW-Authenticate: Bearer, and the route does not run', async () => {
    const response = await postJob(app);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="admin"');
    expect(response.json()).toMatchObject({ status: 401, code: 'ADMIN_TOKEN_MISSING' });
    expect(logs()).not.toContain('admin job requested');
  });

  it.each([
    ['a wrong token of the same length', `Bearer ${adminToken.replace(/.$/, '1')}`],
    ['a wrong token of another length', 'Bearer abc'],
    ['a prefix of the token', `Bearer ${adminToken.slice(0, 16)}`],
  ])('when %s is sent, then 401 invalid_token', async (_case, authorization) => {
    const response = await postJob(app, authorization);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="admin", error="invalid_token"');
    expect(response.json()).toMatchObject({ status: 401, code: 'ADMIN_TOKEN_INVALID' });
  });

  it('when the token comes in another scheme, then it is no bearer token: 401', async () => {
    const basic = `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`;
    expect((await postJob(app, basic)).json()).toMatchObject({ code: 'ADMIN_TOKEN_MISSING' });
    expect((await postJob(app, adminToken)).statusCode).toBe(401);
  });

  it('when the path reaches an admin route only once decoded, then it is guarded all the same', async () => {
    expect((await postJob(app, undefined, '/%61dmin/jobs')).statusCode).toBe(401);
    expect((await postJob(app, `Bearer ${adminToken}`, '/%61dmin/jobs')).statusCode).toBe(200);
  });

  it('when a route is outside /admin/, then it needs no token', async () => {
    expect((await app.inject({ method: 'GET', url: '/public' })).statusCode).toBe(200);
  });

  it('when requests are authorized and refused at trace level, then the token is in no log line', async () => {
    await postJob(app, `Bearer ${adminToken}`);
    await postJob(app, `Bearer ${adminToken}x`);
    await postJob(app, `Bearer ${adminToken.slice(0, 16)}`);
    app.log.info({ config: { PORT: 3000, ADMIN_TOKEN: adminToken } }, 'configuration');

    expect(logs()).toContain('admin job requested');
    expect(logs()).toContain('"authorization":"[redacted]"');
    expect(logs()).toContain('"ADMIN_TOKEN":"[redacted]"');
    expect(logs()).not.toContain(adminToken.slice(0, 16));
  });

  it('when /docs/json is built, then the admin routes require the bearer scheme and may answer 401 and 403', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(document.components.securitySchemes).toEqual({
      adminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    const job = document.paths['/admin/jobs'].post;
    expect(job.security).toEqual([{ adminToken: [] }]);
    expect(Object.keys(job.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    expect(document.paths['/public'].get.security).toBeUndefined();
  });
});

describe('the admin API without a configured token', () => {
  it('when any admin request comes, with or without a token, then 403 says the admin API is disabled and how to enable it', async () => {
    const { app } = await probeServer(undefined);
    for (const authorization of [undefined, 'Bearer ', `Bearer ${adminToken}`]) {
      const response = await postJob(app, authorization);
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 403,
        code: 'ADMIN_API_DISABLED',
        detail: expect.stringContaining('ADMIN_TOKEN'),
      });
    }
    expect((await app.inject({ method: 'GET', url: '/public' })).statusCode).toBe(200);
    await app.close();
  });
});
