import { Type } from '@sinclair/typebox';
import pino from 'pino';

import { createHttpServer } from './http-server';
import { ProblemDetails } from './problem-details';

const logger = pino({ level: 'silent' });

describe('OpenAPI documentation', () => {
  it('when a service adds a route after createHttpServer returned, then /docs/json documents it with its schemas', async () => {
    const app = await createHttpServer({
      serviceName: 'inventory-service',
      logger,
      dependencies: {},
      apiVersion: '1.2.0',
      apiDescription: 'Catalog and stock',
    });
    app.put(
      '/products/:sku',
      {
        schema: {
          params: Type.Object({ sku: Type.String() }),
          body: Type.Object({ name: Type.String(), priceCents: Type.Integer({ minimum: 0 }) }),
          response: {
            200: Type.Object({ sku: Type.String(), name: Type.String() }),
            404: Type.Ref(ProblemDetails),
          },
        },
      },
      async (request) => ({ sku: request.params.sku, name: request.body.name }),
    );
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    await app.close();

    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toEqual({
      title: 'inventory-service',
      version: '1.2.0',
      description: 'Catalog and stock',
    });
    const put = document.paths['/products/{sku}'].put;
    expect(put.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'sku', required: true })]);
    expect(put.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['name', 'priceCents'],
      properties: { name: { type: 'string' }, priceCents: { type: 'integer', minimum: 0 } },
    });
    expect(put.responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ProblemDetails',
    });
    expect(document.components.schemas.ProblemDetails).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    });
  });

  it('when the document is built, then the health, metrics and docs routes are left out of it', async () => {
    const app = await createHttpServer({ serviceName: 'probe', logger, dependencies: {} });
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    await app.close();

    expect(Object.keys(document.paths ?? {})).toEqual([]);
  });

  it('when /docs is opened, then it answers the Swagger UI page', async () => {
    const app = await createHttpServer({ serviceName: 'probe', logger, dependencies: {} });
    const response = await app.inject({ method: 'GET', url: '/docs' });
    await app.close();

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('swagger-ui');
  });
});
