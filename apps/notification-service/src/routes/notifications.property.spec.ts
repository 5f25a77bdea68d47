import { randomUUID } from 'node:crypto';

import { createPrismaClient } from '@ecommerce/database';
import type { HttpServer } from '@ecommerce/http-server';
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
import { buildServiceApp } from '@ecommerce/runtime';
import pino from 'pino';

import { notificationService } from '../service';
import { loadNotificationServiceConfig } from '../config';
import { PrismaClient } from '../generated/prisma/client';

describe('notification HTTP API under hostile input (property-based, real database)', () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let app: HttpServer;
  const orderId = randomUUID();

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('notification');
    db = createPgTransactions(database.url);
    const prisma = createPrismaClient(PrismaClient, database.url);
    const config = loadNotificationServiceConfig({
      NOTIFICATION_DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    });
    app = await buildServiceApp(notificationService, {
      config,
      logger: pino({ level: 'silent' }),
      db: prisma,
    });
    await prisma.notification.create({
      data: {
        id: randomUUID(),
        orderId,
        customerId: 'customer-1',
        template: 'order-received',
        channel: 'log',
        status: 'logged',
      },
    });
  });

  afterAll(async () => {
    await db?.close();
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await database?.drop();
  });

  it('GET /notifications with any query: a success or a clear 4xx, and nothing changes', () =>
    fc.assert(
      readsAnswerCleanly(
        (url) => app.inject({ method: 'GET', url }),
        () => databaseFingerprint(db),
        hostileQuery({ orderId, customerId: 'customer-1' }).map((query) => `/notifications?${query}`),
      ),
      {
        ...propertyTestParameters(),
        // Was a 500: PostgreSQL text refuses NUL.
        examples: [['/notifications?customerId=%00']],
      },
    ));
});
