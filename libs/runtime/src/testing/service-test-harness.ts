import { randomUUID } from 'node:crypto';

import {
  keyOf,
  topicFor,
  topicName,
  type EventPayloads,
  type EventType,
  type TypedEvent,
} from '@ecommerce/contracts';
import type { SqlExecutor } from '@ecommerce/database';
import { EVENT_HEADERS } from '@ecommerce/outbox';
import { createServiceMetrics } from '@ecommerce/telemetry';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import type {
  ServiceDatabase,
  ServiceDeclaration,
  ServiceParts,
  ServiceRuntimeSettings,
} from '../service/service-declaration';
import { startService, type StartedService } from '../service/start-service';
import { createEventRecorder, type EventRecorder } from './event-recorder';

export interface ServiceTestHarness<Config, Db, Parts>
  extends StartedService<Config, Db, Parts>, Omit<EventRecorder, 'stop'> {
  /** The fresh database the service runs on, migrated as the service's own. */
  database: TestDatabase;
  /** Every event of `type` in the outbox (written, published or not), decoded. */
  outboxEvents<T extends EventType>(type: T): Promise<EventPayloads[T][]>;
  /**
   * Writes events to their topics in this order, keyed, encoded and with the headers the relays
   * give them: another service's events, as this service would receive them.
   */
  publish(...events: TypedEvent[]): Promise<void>;
  /** Stops the service and the recorder, and drops the database. */
  close(): Promise<void>;
}

/**
 * A declared service started through the same runtime as `main.ts`, for a test file: a fresh
 * migrated database, the real broker and registry under a topic prefix of its own (so no other
 * test's events reach it), a silent logger, a metrics registry of its own, and a recorder of what
 * reaches the topics. Its consumers are started only when `startConsumers` is set; a test that
 * applies events itself starts none. `settings` override the configuration; a declaration spread
 * with other parts (`{ ...paymentService, parts: () => ({ gateway }) }`) overrides what it makes.
 */
export async function startServiceTestHarness<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts,
>(
  declaration: ServiceDeclaration<Config, Tx, Db, Parts>,
  options: { settings?: Record<string, string>; startConsumers?: boolean } = {},
): Promise<ServiceTestHarness<Config, Db, Parts>> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const database = await createTestDatabase(declaration.name.replace(/-service$/, ''));
  let service: StartedService<Config, Db, Parts>;
  try {
    service = await startService(declaration, {
      env: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        [declaration.database.urlSetting]: database.url,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: '2',
        KAFKA_REPLICATION_FACTOR: '1',
        ...options.settings,
      },
      logger: pino({ level: 'silent' }),
      metrics: createServiceMetrics(),
      startConsumers: options.startConsumers ?? false,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const recorder = createEventRecorder(service.events, `${declaration.name}-test`);
  const { kafka, codec, topicPrefix } = service.events;
  let producer: ReturnType<typeof kafka.producer> | undefined;
  return {
    ...service,
    database,
    record: (topics) => recorder.record(topics),
    waitForEvent: (type, where) => recorder.waitForEvent(type, where),
    recorded: () => recorder.recorded(),
    async outboxEvents(type) {
      const rows = await service.db.$queryRawUnsafe<{ payload: Uint8Array }[]>(
        'SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id',
        type,
      );
      const decoded = await Promise.all(
        rows.map((row) => service.events.codec.decode(Buffer.from(row.payload))),
      );
      return decoded.map((event) => event.payload as EventPayloads[typeof type]);
    },
    async publish(...events) {
      if (!producer) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
      }
      for (const event of events) {
        await producer.send({
          topic: topicName(topicFor(event.type), topicPrefix),
          acks: -1,
          messages: [
            {
              key: keyOf(event),
              value: await codec.encode(event.type, event.payload),
              headers: {
                [EVENT_HEADERS.eventType]: event.type,
                [EVENT_HEADERS.eventId]: event.payload.eventId,
              },
            },
          ],
        });
      }
    },
    async close() {
      await producer?.disconnect();
      await recorder.stop();
      await service.stop();
      await database.drop();
    },
  };
}

/** The harness type of a declaration: `ServiceTestHarnessOf<typeof paymentService>`. */
export type ServiceTestHarnessOf<Declaration> =
  Declaration extends ServiceDeclaration<infer Config, infer _Tx, infer Db, infer Parts>
    ? ServiceTestHarness<Config, Db, Parts>
    : never;
