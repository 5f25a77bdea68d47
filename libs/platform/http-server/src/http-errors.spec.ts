import { createServer, type AddressInfo } from 'node:net';

import { Type } from '@sinclair/typebox';
import { Client } from 'pg';
import pino from 'pino';

import { conflict, DomainError } from './domain-error';
import { createHttpServer, type HttpServer } from './http-server';

const logged: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
afterEach(() => (logged.length = 0));

const Stock = Type.Object(
  {
    quantity: Type.Integer({ minimum: 1 }),
    reason: Type.String({ minLength: 1 }),
    sku: Type.String({ pattern: '^[A-Z0-9-]+$' }),
  },
  { additionalProperties: false },
);

async function probeServer(): Promise<HttpServer> {
  const app = await createHttpServer({ serviceName: 'probe', logger, dependencies: {} });
  app.post('/stock', { schema: { body: Stock } }, async (request) => ({ added: request.body.quantity }));
  app.get(
    '/products',
    { schema: { querystring: Type.Object({ limit: Type.Integer({ maximum: 100 }) }) } },
    async (request) => ({ limit: request.query.limit }),
  );
  app.get('/products/:sku', async (request) => {
    const { sku } = request.params as { sku: string };
    throw new DomainError({
      code: 'UNKNOWN_SKU',
      status: 404,
      title: 'Unknown SKU',
      detail: `No product has SKU ${sku}.`,
      extensions: { sku, status: 200 },
    });
  });
  app.post('/reservations', async () => {
    throw conflict({ code: 'INSUFFICIENT_STOCK', detail: 'Only 2 left.' });
  });
  app.get('/broken', async () => {
    throw new Error('connection to db-7.internal:5432 refused');
  });
  app.get('/orders', async () => {
    // The database is down: a real connection to a port nothing listens on.
    const client = new Client({
      connectionString: `postgresql://postgres@127.0.0.1:${await closedPort()}/x`,
    });
    await client.connect();
    return [];
  });
  return app;
}

/** A port nothing listens on: one a server just had. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function post(app: HttpServer, url: string, payload: string, contentType = 'application/json') {
  return app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
}

describe('errors as application/problem+json', () => {
  it('when a body breaks several rules, then it is a 400 problem listing every bad field', async () => {
    const app = await probeServer();
    const response = await post(app, '/stock', JSON.stringify({ quantity: 0, sku: 'a b' }));
    await app.close();

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({
      type: 'urn:problem:validation-failed',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION_FAILED',
      instance: '/stock',
      detail: expect.any(String),
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', field: '/quantity', message: 'must be >= 1' },
        { in: 'body', field: '/reason', message: "must have required property 'reason'" },
        { in: 'body', field: '/sku', message: expect.stringContaining('must match pattern') },
      ]),
    );
    expect(problem.errors).toHaveLength(3);
  });

  it('when a body has a property the schema does not allow, then it is refused, not dropped', async () => {
    const app = await probeServer();
    const response = await post(
      app,
      '/stock',
      JSON.stringify({ quantity: 1, reason: 'count', sku: 'A-1', price: 5 }),
    );
    await app.close();

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { in: 'body', field: '/price', message: 'must NOT have additional properties' },
    ]);
  });

  it('when a body field has the wrong JSON type, then it is refused, not coerced', async () => {
    const app = await probeServer();
    const response = await post(
      app,
      '/stock',
      JSON.stringify({ quantity: '5', reason: 'count', sku: 'A-1' }),
    );
    await app.close();

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ in: 'body', field: '/quantity', message: 'must be integer' }]);
  });

  it('when a querystring value is text for a number, then it is coerced, and out of range is a 400', async () => {
    const app = await probeServer();
    const valid = await app.inject({ method: 'GET', url: '/products?limit=10' });
    const invalid = await app.inject({ method: 'GET', url: '/products?limit=1000' });
    await app.close();

    expect(valid.json()).toEqual({ limit: 10 });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors).toEqual([
      { in: 'querystring', field: '/limit', message: 'must be <= 100' },
    ]);
  });

  it('when the body is not valid JSON, then it is a 400 problem', async () => {
    const app = await probeServer();
    const response = await post(app, '/stock', '{"quantity": 1,');
    await app.close();

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      type: 'urn:problem:bad-request',
      status: 400,
      code: 'BAD_REQUEST',
    });
  });

  it('when the body is over 256 KiB, then it is a 413 problem', async () => {
    const app = await probeServer();
    const response = await post(app, '/stock', JSON.stringify({ reason: 'x'.repeat(256 * 1024) }));
    await app.close();

    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'urn:problem:payload-too-large', status: 413 });
  });

  it('when the body has a media type no parser reads, then it is a 415 problem', async () => {
    const app = await probeServer();
    const response = await post(app, '/stock', '<stock/>', 'application/xml');
    await app.close();

    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'urn:problem:unsupported-media-type', status: 415 });
  });

  it.each([
    ['a path parameter over 100 characters', `/products/${'x'.repeat(101)}`, 414],
    ['a path that is not valid percent-encoding', '/products/%E0%A4%A', 400],
  ])('when the router refuses %s, then it is a problem too', async (_case, url, status) => {
    const app = await probeServer();
    const response = await app.inject({ method: 'GET', url });
    await app.close();

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, instance: url });
  });

  it('when no route matches, then it is a 404 problem naming the path', async () => {
    const app = await probeServer();
    const response = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    await app.close();

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'urn:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /nowhere.',
      instance: '/nowhere?x=1',
      code: 'NOT_FOUND',
    });
  });

  it('when a route throws a DomainError, then it is answered with its status, code, type and extras', async () => {
    const app = await probeServer();
    const response = await app.inject({ method: 'GET', url: '/products/NOPE-1' });
    await app.close();

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The extension `status: 200` cannot replace the standard member.
    expect(response.json()).toEqual({
      type: 'urn:problem:unknown-sku',
      title: 'Unknown SKU',
      status: 404,
      detail: 'No product has SKU NOPE-1.',
      instance: '/products/NOPE-1',
      code: 'UNKNOWN_SKU',
      sku: 'NOPE-1',
    });
  });

  it('when a route throws from a factory such as conflict(), then it is that status with the status text as title', async () => {
    const app = await probeServer();
    const response = await app.inject({ method: 'POST', url: '/reservations' });
    await app.close();

    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      type: 'urn:problem:insufficient-stock',
      title: 'Conflict',
      status: 409,
    });
  });

  it('when a route throws an unexpected error, then it is a 500 that hides the error and logs it', async () => {
    const app = await probeServer();
    const response = await app.inject({ method: 'GET', url: '/broken' });
    await app.close();

    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'urn:problem:internal-server-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not handle the request.',
      instance: '/broken',
      code: 'INTERNAL_SERVER_ERROR',
    });
    expect(response.body).not.toContain('db-7.internal');
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 50,
        err: expect.objectContaining({ message: 'connection to db-7.internal:5432 refused' }),
      }),
    );
  });

  it('when the database cannot be reached, then it is a 503 problem with Retry-After, and the error is logged', async () => {
    const app = await probeServer();
    const response = await app.inject({ method: 'GET', url: '/orders' });
    await app.close();

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', instance: '/orders' });
    expect(response.body).not.toContain('127.0.0.1');
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 50, err: expect.objectContaining({ code: 'ECONNREFUSED' }) }),
    );
  });

  it('when a DomainError is given a status outside 400-599, then it cannot be built', () => {
    expect(() => new DomainError({ code: 'OK', status: 200, detail: 'fine' })).toThrow(RangeError);
  });
});
