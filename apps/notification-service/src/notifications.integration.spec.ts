import { randomUUID } from 'node:crypto';

import { type OrderPlaced } from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, writeEvent, type EventBackbone } from '@ecommerce/event-backbone';
import { deadLetterTopic, readDeadLetters } from '@ecommerce/messaging';
import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';

import { buildNotificationServiceApp } from './app';
import { createNotificationChannel } from './channels/notification-channel';
import { loadNotificationServiceConfig } from './config';
import { orderEventHandlers } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';

const logger = pino({ level: 'silent' });

describe('notification-service on real PostgreSQL, Kafka, registry and SMTP', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let backbone: EventBackbone;
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('notification');
    prisma = createPrismaClient(PrismaClient, database.url);
    backbone = await startEventBackbone({
      serviceName: 'notification-service',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: topicPrefix,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger,
      publishesEvents: true,
    });
  });

  afterAll(async () => {
    await backbone?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  const newOrder = (): OrderPlaced => ({
    ...sampleEvents.OrderPlaced,
    eventId: randomUUID(),
    orderId: randomUUID(),
  });

  it('when an order is placed with no SMTP configured, then one notification is logged and announced, even if the event comes twice', async () => {
    const channel = createNotificationChannel({ smtpUrl: undefined, from: 'shop@test', logger });
    const handlers = orderEventHandlers({ backbone, channel, customerMailDomain: 'customers.test' });
    const order = newOrder();
    const event = {
      type: 'OrderPlaced' as const,
      payload: order,
      eventId: order.eventId,
      topic: '',
      partition: 0,
      offset: '0',
      key: null,
      headers: {},
    };

    await prisma.$transaction((tx) => (handlers as Required<typeof handlers>).OrderPlaced(event, tx));
    await prisma.$transaction((tx) =>
      (handlers as Required<typeof handlers>).OrderPlaced(
        { ...event, payload: { ...order, eventId: randomUUID() } },
        tx,
      ),
    );

    const rows = await prisma.notification.findMany({ where: { orderId: order.orderId } });
    expect(rows.map((r) => [r.template, r.channel, r.status])).toEqual([['order-received', 'log', 'logged']]);
    const announced = await prisma.outboxMessage.findMany({ where: { eventType: 'NotificationSent' } });
    expect(announced.filter((m) => m.messageKey === order.orderId)).toHaveLength(1);
  });

  it('when SMTP is configured, then the customer gets the mail over SMTP and the notification is sent', async () => {
    const received: { to: string; data: string }[] = [];
    const port = await freePort();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const channel = createNotificationChannel({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'shop@test',
      logger,
    });
    try {
      const order = newOrder();
      const handlers = orderEventHandlers({ backbone, channel, customerMailDomain: 'customers.test' });
      await prisma.$transaction((tx) =>
        (handlers as Required<typeof handlers>).OrderPlaced(
          {
            type: 'OrderPlaced',
            payload: order,
            eventId: order.eventId,
            topic: '',
            partition: 0,
            offset: '0',
            key: null,
            headers: {},
          },
          tx,
        ),
      );
      expect(received).toHaveLength(1);
      expect(received[0]?.to).toBe(`${order.customerId}@customers.test`);
      expect(received[0]?.data).toContain(`Subject: We received your order ${order.orderId}`);
      // Header names are case-insensitive (nodemailer writes X-Order-ID).
      expect(received[0]?.data).toMatch(new RegExp(`^X-Order-Id: ${order.orderId}$`, 'im'));
      const [row] = await prisma.notification.findMany({ where: { orderId: order.orderId } });
      expect([row?.channel, row?.status]).toEqual(['email', 'sent']);
    } finally {
      channel.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('when the SMTP server cannot be reached, then the event is retried, dead-lettered, and nothing is recorded', async () => {
    const channel = createNotificationChannel({
      smtpUrl: `smtp://127.0.0.1:${await freePort()}`,
      from: 'shop@test',
      logger,
    });
    const groupId = `notification-service-smtp-down-${randomUUID().slice(0, 8)}`;
    await backbone.consume({
      groupId,
      topics: ['orders'],
      handlers: orderEventHandlers({ backbone, channel, customerMailDomain: 'customers.test' }),
      runInTransaction: (work) => prisma.$transaction(work),
      logger,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    });
    const order = newOrder();
    await prisma.$transaction((tx) => writeEvent(tx, backbone, { type: 'OrderPlaced', payload: order }));

    const letters = await waitFor(
      'the dead letter',
      async () => {
        const found = (await readDeadLetters(backbone.kafka, deadLetterTopic(topicPrefix, groupId))).filter(
          (letter) => letter.headers['event-id'] === order.eventId,
        );
        return found.length > 0 && found;
      },
      { timeoutMs: 60_000 },
    );
    expect(letters[0]).toMatchObject({ attempts: 2, originTopic: `${topicPrefix}orders` });
    expect(await prisma.notification.count({ where: { orderId: order.orderId } })).toBe(0);
    channel.close();
  });

  it('lists notifications by order over HTTP, and refuses a malformed order id', async () => {
    const config = loadNotificationServiceConfig({ NOTIFICATION_DATABASE_URL: database.url, ...process.env });
    const app = await buildNotificationServiceApp({ config, logger, prisma });
    try {
      const [existing] = await prisma.notification.findMany({ take: 1 });
      const listed = await app.inject({ method: 'GET', url: `/notifications?orderId=${existing?.orderId}` });
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual([
        expect.objectContaining({ orderId: existing?.orderId, template: 'order-received' }),
      ]);

      const bad = await app.inject({ method: 'GET', url: '/notifications?orderId=not-a-uuid' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    } finally {
      await app.close();
    }
  });
});
