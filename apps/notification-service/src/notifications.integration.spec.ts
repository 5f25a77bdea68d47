import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

import { type OrderConfirmed, type OrderPlaced } from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import { createPrismaClient, type RunInTransaction } from '@ecommerce/database';
import { startEventBackbone, writeEvent, type EventBackbone } from '@ecommerce/runtime';
import {
  deadLetterTopic,
  readDeadLetters,
  type ConsumedEvent,
  type ExternalEffectHandler,
  type RecordInTransaction,
} from '@ecommerce/messaging';
import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { buildServiceApp } from '@ecommerce/runtime';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';

import { notificationService } from './service';
import { createNotificationChannel, type NotificationChannel } from './channels/notification-channel';
import { loadNotificationServiceConfig } from './config';
import { orderEventHandlers } from './consumers/order-events.consumer';
import { type Prisma, PrismaClient } from './generated/prisma/client';

const logger = pino({ level: 'silent' });

/** A mail as the SMTP server received it. */
interface ReceivedMail {
  to: string;
  subject: string | undefined;
  messageId: string | undefined;
  orderId: string | undefined;
  data: string;
}

/**
 * A real SMTP server (smtp-server) on a free port that records every message it is given. With
 * `answerAfterMs`, it has the whole message and then waits that long before answering, as a slow
 * relay does: the mail counts as received even if the client gives up first.
 */
async function startSmtpServer({ answerAfterMs = 0 } = {}) {
  const received: ReceivedMail[] = [];
  const header = (data: string, name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(data)?.[1]?.trim();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          subject: header(data, 'Subject'),
          messageId: header(data, 'Message-ID'),
          // Header names are case-insensitive (nodemailer writes X-Order-ID).
          orderId: header(data, 'X-Order-Id'),
          data,
        });
        setTimeout(callback, answerAfterMs);
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('notification-service on real PostgreSQL, Kafka, registry and SMTP', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  const backbones: EventBackbone[] = [];
  let backbone: EventBackbone;
  const channels: NotificationChannel[] = [];

  /** A backbone on topics of its own, so a consumer group started on it sees no other test's events. */
  async function newBackbone(): Promise<EventBackbone> {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    const started = await startEventBackbone({
      serviceName: 'notification-service',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger,
      publishesEvents: true,
    });
    backbones.push(started);
    return started;
  }

  const channelTo = (smtpUrl: string | undefined, smtpTimeoutMs = 30_000) => {
    const channel = createNotificationChannel({ smtpUrl, smtpTimeoutMs, from: 'shop@shop.test', logger });
    channels.push(channel);
    return channel;
  };

  beforeAll(async () => {
    database = await createTestDatabase('notification');
    prisma = createPrismaClient(PrismaClient, database.url);
    backbone = await newBackbone();
  });

  afterAll(async () => {
    await Promise.all(backbones.map((started) => started.stop()));
    for (const channel of channels) channel.close();
    await prisma?.$disconnect();
    await database?.drop();
  });

  const runInTransaction: RunInTransaction<Prisma.TransactionClient> = (work) => prisma.$transaction(work);

  /** A handler's claim committed in a transaction, then its effect: what the consumer does before its own transaction. */
  const claimAndPerform = async <Event>(
    handler: ExternalEffectHandler<Prisma.TransactionClient, Event>,
    event: Event,
  ): Promise<RecordInTransaction<Prisma.TransactionClient>> =>
    handler.perform(await runInTransaction((tx) => handler.claim(event, tx)), event);

  const newOrder = (): OrderPlaced => ({
    ...sampleEvents.OrderPlaced,
    eventId: randomUUID(),
    orderId: randomUUID(),
  });

  const consumed = <Type extends string, Payload extends { eventId: string }>(type: Type, payload: Payload) =>
    ({
      type,
      payload,
      eventId: payload.eventId,
      topic: '',
      partition: 0,
      offset: '0',
      key: null,
      headers: {},
    }) satisfies ConsumedEvent<Type, Payload>;

  const rowsOf = (orderId: string) =>
    prisma.notification.findMany({
      where: { orderId },
      select: { template: true, channel: true, status: true, sendAttempts: true },
      orderBy: { createdAt: 'asc' },
    });

  const announcedFor = async (orderId: string) =>
    (await prisma.outboxMessage.findMany({ where: { eventType: 'NotificationSent', messageKey: orderId } }))
      .length;

  it('when an order is placed with no SMTP configured, then one notification is logged and announced, even if the event comes twice', async () => {
    const handlers = orderEventHandlers({
      events: backbone,
      channel: channelTo(undefined),
      customerMailDomain: 'customers.test',
      logger,
    });
    const order = newOrder();

    // As the consumer runtime applies it (the second time under a new eventId, so no inbox row stops it).
    for (const payload of [order, { ...order, eventId: randomUUID() }]) {
      const record = await claimAndPerform(handlers.OrderPlaced, consumed('OrderPlaced', payload));
      await runInTransaction(record);
    }

    expect(await rowsOf(order.orderId)).toEqual([
      { template: 'order-received', channel: 'log', status: 'logged', sendAttempts: 1 },
    ]);
    expect(await announcedFor(order.orderId)).toBe(1);
  });

  it('when SMTP is configured, then the customer gets the mail over SMTP, with a Message-ID made from the notification id', async () => {
    const smtp = await startSmtpServer();
    try {
      const handlers = orderEventHandlers({
        events: backbone,
        channel: channelTo(smtp.url),
        customerMailDomain: 'customers.test',
        logger,
      });
      const order = newOrder();
      const record = await claimAndPerform(handlers.OrderPlaced, consumed('OrderPlaced', order));
      await runInTransaction(record);

      const [row] = await prisma.notification.findMany({ where: { orderId: order.orderId } });
      expect([row?.channel, row?.status]).toEqual(['email', 'sent']);
      expect(smtp.received).toEqual([
        expect.objectContaining({
          to: `${order.customerId}@customers.test`,
          subject: `We received your order ${order.orderId}`,
          orderId: order.orderId,
          messageId: `<${row?.id}@shop.test>`,
        }),
      ]);
    } finally {
      await smtp.close();
    }
  });

  it('when the process stops between sending a mail and recording it, then the retry sends it again with the same Message-ID, counted and warned about, and records it once', async () => {
    const smtp = await startSmtpServer();
    const warnings: object[] = [];
    const watchedLogger = {
      info: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      warn: (context: object) => void warnings.push(context),
    };
    try {
      const handlers = orderEventHandlers({
        events: backbone,
        channel: channelTo(smtp.url),
        customerMailDomain: 'customers.test',
        logger: watchedLogger,
      });
      const order = newOrder();
      const event = consumed('OrderPlaced', order);

      // Sent, then "crashed": the step that records it never runs.
      await claimAndPerform(handlers.OrderPlaced, event);
      const config = loadNotificationServiceConfig({
        NOTIFICATION_DATABASE_URL: database.url,
        ...process.env,
      });
      const app = await buildServiceApp(notificationService, { config, logger, db: prisma });
      try {
        const listed = await app.inject({ method: 'GET', url: `/notifications?orderId=${order.orderId}` });
        expect(listed.json()).toEqual([]); // claimed, not recorded: not a notification yet

        const record = await claimAndPerform(handlers.OrderPlaced, event);
        await runInTransaction(record);
        const listedAfter = await app.inject({
          method: 'GET',
          url: `/notifications?orderId=${order.orderId}`,
        });
        expect(listedAfter.json()).toEqual([
          expect.objectContaining({ template: 'order-received', status: 'sent' }),
        ]);
      } finally {
        await app.close();
      }

      expect(smtp.received).toHaveLength(2);
      expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(1);
      expect(await rowsOf(order.orderId)).toEqual([
        { template: 'order-received', channel: 'email', status: 'sent', sendAttempts: 2 },
      ]);
      expect(warnings).toEqual([expect.objectContaining({ orderId: order.orderId, sendAttempts: 2 })]);
      expect(await announcedFor(order.orderId)).toBe(1);

      // Recorded: a later delivery of the same pair sends nothing.
      const again = await claimAndPerform(
        handlers.OrderPlaced,
        consumed('OrderPlaced', { ...order, eventId: randomUUID() }),
      );
      await runInTransaction(again);
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });

  it('when the SMTP server answers only after the transaction timeout, then each (order, template) gets exactly one mail and the partition moves on', async () => {
    const smtp = await startSmtpServer({ answerAfterMs: 1_500 });
    const ownTopics = await newBackbone();
    // The consumer's transactions may last 500 ms: the SMTP server takes three times as long.
    const shortTransactions = createPrismaClient(PrismaClient, database.url, {
      DATABASE_TRANSACTION_TIMEOUT_MS: 500,
      DATABASE_TRANSACTION_MAX_WAIT_MS: 2_000,
    });
    try {
      await ownTopics.consume({
        topics: ['orders'],
        handlers: orderEventHandlers({
          events: ownTopics,
          channel: channelTo(smtp.url),
          customerMailDomain: 'customers.test',
          logger,
        }),
        runInTransaction: (work) => shortTransactions.$transaction(work),
        logger,
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      });
      const order = newOrder();
      const confirmed: OrderConfirmed = {
        ...sampleEvents.OrderConfirmed,
        eventId: randomUUID(),
        orderId: order.orderId,
        customerId: order.customerId,
      };
      await prisma.$transaction((tx) => writeEvent(tx, ownTopics, { type: 'OrderPlaced', payload: order }));
      await prisma.$transaction((tx) =>
        writeEvent(tx, ownTopics, { type: 'OrderConfirmed', payload: confirmed }),
      );

      // OrderConfirmed comes after OrderPlaced on the order's partition: once it is recorded, the
      // partition has moved past OrderPlaced for good.
      await waitFor(
        'both notifications to be recorded',
        async () => (await rowsOf(order.orderId)).filter((row) => row.status === 'sent').length === 2,
        { timeoutMs: 60_000 },
      );
      expect(smtp.received.map((mail) => mail.subject)).toEqual([
        `We received your order ${order.orderId}`,
        `Your order ${order.orderId} is confirmed`,
      ]);
      expect(await rowsOf(order.orderId)).toEqual([
        { template: 'order-received', channel: 'email', status: 'sent', sendAttempts: 1 },
        { template: 'order-confirmed', channel: 'email', status: 'sent', sendAttempts: 1 },
      ]);
    } finally {
      await smtp.close();
      await shortTransactions.$disconnect();
    }
  });

  it('when a handler outlasts its transaction, then each expiry spends an attempt and the event is dead-lettered, not retried forever as an outage', async () => {
    const ownTopics = await newBackbone();
    const groupId = `notification-service-expiring-${randomUUID().slice(0, 8)}`;
    const shortTransactions = createPrismaClient(PrismaClient, database.url, {
      DATABASE_TRANSACTION_TIMEOUT_MS: 200,
      DATABASE_TRANSACTION_MAX_WAIT_MS: 2_000,
    });
    let tries = 0;
    try {
      await ownTopics.consume({
        groupId,
        topics: ['orders'],
        // Slow work inside the transaction, as this service's SMTP send once was: Prisma expires
        // the transaction (P2028) and refuses its commit.
        handlers: {
          OrderPlaced: async (_event, tx) => {
            tries += 1;
            await tx.$queryRawUnsafe('SELECT 1');
            await new Promise((resolve) => setTimeout(resolve, 400));
          },
        },
        runInTransaction: (work) => shortTransactions.$transaction(work),
        logger,
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      });
      const order = newOrder();
      await prisma.$transaction((tx) => writeEvent(tx, ownTopics, { type: 'OrderPlaced', payload: order }));

      const [letter] = await waitFor(
        'the dead letter',
        async () => {
          const found = await readDeadLetters(
            ownTopics.kafka,
            deadLetterTopic(ownTopics.topicPrefix, groupId),
          );
          return found.length > 0 && found;
        },
        { timeoutMs: 30_000 },
      );
      expect(letter).toMatchObject({ attempts: 3, errorCode: 'P2028' });
      expect(tries).toBe(3);
    } finally {
      await shortTransactions.$disconnect();
    }
  });

  it('when the SMTP server cannot be reached, then the event is retried and dead-lettered, the claim counts its attempts, and no notification is listed', async () => {
    const ownTopics = await newBackbone();
    const groupId = `notification-service-smtp-down-${randomUUID().slice(0, 8)}`;
    await ownTopics.consume({
      groupId,
      topics: ['orders'],
      handlers: orderEventHandlers({
        events: ownTopics,
        channel: channelTo(`smtp://127.0.0.1:${await freePort()}`),
        customerMailDomain: 'customers.test',
        logger,
      }),
      runInTransaction,
      logger,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    });
    const order = newOrder();
    await prisma.$transaction((tx) => writeEvent(tx, ownTopics, { type: 'OrderPlaced', payload: order }));

    const letters = await waitFor(
      'the dead letter',
      async () => {
        const found = (
          await readDeadLetters(ownTopics.kafka, deadLetterTopic(ownTopics.topicPrefix, groupId))
        ).filter((letter) => letter.headers['event-id'] === order.eventId);
        return found.length > 0 && found;
      },
      { timeoutMs: 60_000 },
    );
    expect(letters[0]).toMatchObject({ attempts: 2, originTopic: `${ownTopics.topicPrefix}orders` });
    expect(await rowsOf(order.orderId)).toEqual([
      { template: 'order-received', channel: 'email', status: 'pending', sendAttempts: 2 },
    ]);
    expect(await announcedFor(order.orderId)).toBe(0);
  });

  it('when the SMTP server accepts connections and never answers, then each try ends at SMTP_TIMEOUT_MS and the event is dead-lettered, not held for ever', async () => {
    const silent = createServer(() => undefined); // accepts, never greets
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const ownTopics = await newBackbone();
      const groupId = `notification-service-smtp-silent-${randomUUID().slice(0, 8)}`;
      await ownTopics.consume({
        groupId,
        topics: ['orders'],
        handlers: orderEventHandlers({
          events: ownTopics,
          channel: channelTo(`smtp://127.0.0.1:${port}`, 300),
          customerMailDomain: 'customers.test',
          logger,
        }),
        runInTransaction,
        logger,
        retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      });
      const order = newOrder();
      await prisma.$transaction((tx) => writeEvent(tx, ownTopics, { type: 'OrderPlaced', payload: order }));

      const letters = await waitFor(
        'the dead letter',
        async () => {
          const found = (
            await readDeadLetters(ownTopics.kafka, deadLetterTopic(ownTopics.topicPrefix, groupId))
          ).filter((letter) => letter.headers['event-id'] === order.eventId);
          return found.length > 0 && found;
        },
        // nodemailer's own deadline would be 2 minutes per try, 10 once connected.
        { timeoutMs: 30_000 },
      );
      expect(letters[0]).toMatchObject({ attempts: 2, errorCode: 'MAIL_NOT_SENT' });
      expect(await rowsOf(order.orderId)).toEqual([
        { template: 'order-received', channel: 'email', status: 'pending', sendAttempts: 2 },
      ]);
    } finally {
      silent.close();
    }
  });

  it('lists notifications by order over HTTP, and refuses a malformed order id', async () => {
    const config = loadNotificationServiceConfig({ NOTIFICATION_DATABASE_URL: database.url, ...process.env });
    const app = await buildServiceApp(notificationService, { config, logger, db: prisma });
    try {
      const [existing] = await prisma.notification.findMany({ where: { status: 'logged' }, take: 1 });
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
