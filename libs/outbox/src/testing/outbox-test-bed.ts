import type { SqlExecutor } from '@ecommerce/database';
import { KafkaPublisher, type Kafka } from '@ecommerce/messaging';
import type { TestEvent, TestMessaging } from '@ecommerce/messaging/testing';
import {
  createPgTransactions,
  createTestDatabase,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { Pool } from 'pg';
import pino from 'pino';

import { OutboxRelay, type OutboxRelayObserver, type OutboxRelayOptions } from '../outbox-relay';
import { writeOutboxMessage } from '../write-outbox-message';

export const silentLogger = pino({ level: 'silent' });

/** An outbox row as the tests look at it. */
export interface OutboxRowState {
  event_id: string;
  topic: string;
  published: boolean;
  attempts: number;
  last_error: string | null;
  quarantined: boolean;
}

export interface StartedRelay {
  relay: OutboxRelay;
  publisher: KafkaPublisher;
  isLeading(): boolean;
}

/**
 * What the relay's integration tests share: a fresh order-service database (the real outbox
 * table, migrated), writing test events into it, relays started on it (stopped by `close`),
 * collecting what reaches a topic, and reading the rows back.
 */
export interface OutboxTestBed {
  database: TestDatabase;
  db: PgTransactions;
  /** The database as a service's client (Prisma's raw API) sees it, outside any transaction. */
  executor: SqlExecutor;
  /** Writes the events as outbox rows of `topic` in one transaction. */
  writeEvents(topic: string, events: readonly TestEvent[]): Promise<void>;
  startRelay(
    options?: Partial<Omit<OutboxRelayOptions, 'publisher' | 'logger'>> & { kafka?: Kafka },
  ): StartedRelay;
  /** Every message that reaches `topic` from now on (duplicates included), decoded, in arrival order. */
  collect(topic: string): Promise<TestEvent[]>;
  unpublished(): Promise<number>;
  rows(): Promise<OutboxRowState[]>;
  /** Registers something to undo at `close` (in reverse order). */
  onClose(cleanup: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function createOutboxTestBed(messaging: TestMessaging): Promise<OutboxTestBed> {
  const database = await createTestDatabase('order');
  const db = createPgTransactions(database.url);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  // See createPgTransactions: an idle connection ended by the server at teardown is the pool's to drop.
  pool.on('error', () => undefined);
  const cleanups: (() => Promise<unknown>)[] = [];

  const bed: OutboxTestBed = {
    database,
    db,
    executor: {
      $executeRawUnsafe: async (query, ...values) => (await pool.query(query, values)).rowCount ?? 0,
      $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
        (await pool.query(query, values)).rows as T,
    },
    async writeEvents(topic, events) {
      await db.runInTransaction(async (tx) => {
        for (const event of events) {
          await writeOutboxMessage(tx, {
            eventId: event.eventId,
            eventType: 'TestEvent',
            topic,
            key: event.key,
            payload: await messaging.encode(event),
            headers: {},
          });
        }
      });
    },
    startRelay({ kafka = messaging.kafka, observer, ...options } = {}) {
      const publisher = new KafkaPublisher(kafka);
      let leading = false;
      const relay = new OutboxRelay({
        databaseUrl: database.url,
        publisher,
        logger: silentLogger,
        observer: {
          ...observer,
          leadershipChanged: (now) => {
            leading = now;
            observer?.leadershipChanged?.(now);
          },
        } satisfies OutboxRelayObserver,
        ...options,
      });
      relay.start();
      cleanups.push(async () => {
        await relay.stop();
        await publisher.close();
      });
      return { relay, publisher, isLeading: () => leading };
    },
    async collect(topic) {
      const received: TestEvent[] = [];
      const consumer = messaging.kafka.consumer({ groupId: `${topic}-collector` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push((await messaging.decoder.decode(message.value as Buffer)).payload as TestEvent);
        },
      });
      cleanups.push(() => consumer.disconnect());
      return received;
    },
    async unpublished() {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return row?.n ?? 0;
    },
    rows: () =>
      db.query<OutboxRowState>(
        `SELECT event_id::text, topic, published_at IS NOT NULL AS published, attempts, last_error,
                quarantined_at IS NOT NULL AS quarantined
         FROM outbox ORDER BY id`,
      ),
    onClose: (cleanup) => void cleanups.push(cleanup),
    async close() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await pool.end();
      await db.close();
      await database.drop();
    },
  };
  return bed;
}
