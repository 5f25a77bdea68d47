import { randomUUID } from 'node:crypto';

import { createPrismaClient } from '@ecommerce/database';
import type { HttpServer } from '@ecommerce/http-server';
import { buildServiceApp } from '@ecommerce/runtime';
import {
  createPgTransactions,
  createTestDatabase,
  databaseFingerprint,
  hostileQuery,
  propertyTestParameters,
  readsAnswerCleanly,
  testInfrastructure,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import fc from 'fast-check';
import pino from 'pino';

import { paymentService } from '../service';
import { loadPaymentServiceConfig } from '../config';
import { PrismaClient } from '../generated/prisma/client';

describe('payment HTTP API under hostile input (property-based, real database)', () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let app: HttpServer;
  const orderId = randomUUID();

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('payment');
    db = createPgTransactions(database.url);
    const prisma = createPrismaClient(PrismaClient, database.url);
    const config = loadPaymentServiceConfig({
      PAYMENT_DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    });
    app = await buildServiceApp(paymentService, { config, logger: pino({ level: 'silent' }), db: prisma });
    await prisma.payment.create({
      data: { id: randomUUID(), orderId, status: 'AUTHORIZED', amountCents: 2500n, currency: 'USD' },
    });
  });

  afterAll(async () => {
    await db?.close();
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await database?.drop();
  });

  it('GET /payments with any query: a success or a clear 4xx, and nothing changes', () =>
    fc.assert(
      readsAnswerCleanly(
        (url) => app.inject({ method: 'GET', url }),
        () => databaseFingerprint(db),
        hostileQuery({ orderId }).map((query) => `/payments?${query}`),
      ),
      propertyTestParameters(),
    ));
});
