import { randomUUID } from 'node:crypto';
import { createPrismaClient } from '@ecommerce/database';
import type { HttpServer } from '@ecommerce/http-server';
import { buildServiceApp } from '@ecommerce/runtime';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { paymentService } from '../service';
import { loadPaymentServiceConfig } from '../config';
import { PrismaClient } from '../generated/prisma/client';

describe('GET /payments', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let app: HttpServer;
  const orderId = randomUUID();

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('payment');
    prisma = createPrismaClient(PrismaClient, database.url);
    const config = loadPaymentServiceConfig({
      PAYMENT_DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    });
    app = await buildServiceApp(paymentService, { config, logger: pino({ level: 'silent' }), db: prisma });
    await prisma.payment.createMany({
      data: [
        { id: randomUUID(), orderId, status: 'REFUNDED', amountCents: 2500n, currency: 'USD' },
        {
          id: randomUUID(),
          orderId: randomUUID(),
          status: 'FAILED',
          amountCents: 1_000_001n,
          currency: 'USD',
          reason: 'AMOUNT_LIMIT',
        },
      ],
    });
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('lists the payments of the order, with the reason only when there is one', async () => {
    const response = await app.inject({ method: 'GET', url: `/payments?orderId=${orderId}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { paymentId: expect.any(String), orderId, status: 'REFUNDED', amountCents: 2500, currency: 'USD' },
    ]);
  });

  it('shows why a payment failed', async () => {
    const [failed] = await prisma.payment.findMany({ where: { status: 'FAILED' } });
    const response = await app.inject({ method: 'GET', url: `/payments?orderId=${failed?.orderId}` });
    expect(response.json()).toEqual([expect.objectContaining({ status: 'FAILED', reason: 'AMOUNT_LIMIT' })]);
  });

  it('answers [] for an order without payments', async () => {
    const response = await app.inject({ method: 'GET', url: `/payments?orderId=${randomUUID()}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it.each([
    ['a malformed orderId', '/payments?orderId=not-a-uuid', '/orderId'],
    ['no orderId', '/payments', ''],
  ])('refuses %s with a 400 problem', async (_, url, field) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ in: 'querystring', field: expect.stringContaining(field) })],
    });
  });
});
