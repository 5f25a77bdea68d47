import type { EventPayloads, TopicKey } from '@ecommerce/contracts';
import {
  createPrismaClient,
  type DatabaseTransactionSettings,
  type PrismaClientClass,
  type SqlExecutor,
  type SqlTransactions,
} from '@ecommerce/database';
import type { HttpServer } from '@ecommerce/http-server';
import type { EventHandlers, LockBatch, RetryPolicy } from '@ecommerce/messaging';
import type { createLogger, ServiceMetrics } from '@ecommerce/telemetry';

import type { EventBackbone, EventBackboneSettings } from '../event-backbone';

/** The settings the runtime itself reads from every service's configuration. */
export interface ServiceRuntimeSettings extends EventBackboneSettings, DatabaseTransactionSettings {
  LOG_LEVEL: string;
  PORT: number;
  HOST: string;
  ADMIN_TOKEN?: string;
}

/**
 * The database client a service declares (its generated Prisma client): the runtime checks it for
 * readiness, gives it to the routes and the service's parts, and disconnects it last.
 */
export interface ServiceDatabase<Tx extends SqlExecutor> extends SqlExecutor {
  $transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}

/** The names of a configuration's string settings. */
export type StringSetting<Config> = {
  [K in keyof Config]: Config[K] extends string ? K : never;
}[keyof Config] &
  string;

export type ServiceLogger = ReturnType<typeof createLogger>;

/** What the runtime has started when a service's own parts, consumers and routes are made. */
export interface ServiceContext<Config, Db> {
  config: Config;
  logger: ServiceLogger;
  db: Db;
  /** The started event backbone: where use cases record events (`writeEvent`), its codec and topics. */
  events: EventBackbone;
  /** Where the service counts what it does (the process's registry; a test's own). */
  metrics: ServiceMetrics;
}

/**
 * What a service runs beside its consumers and routes (a timer, a mail channel, a gateway), made by
 * its declaration. A `close()` it has runs once the consumers have stopped, before the relay and
 * the database.
 */
export type ServiceParts = object;

/** One consumer group of a service over contract events. */
export interface ConsumerDeclaration<Tx extends SqlExecutor, Context = unknown> {
  /**
   * The group's name within the system; defaults to the service's name. Its dead-letter topic is
   * `<prefix>dlq.<group>`, and the dead-letter admin routes offer exactly the declared groups.
   */
  group?: string;
  topics: readonly TopicKey[];
  /** Its handlers, made from the started service (its events, logger, parts) when the group starts. */
  handlers(context: Context): EventHandlers<EventPayloads, Tx>;
  retry?: Partial<RetryPolicy>;
  /**
   * One transaction per fetched batch instead of per event; with `lockBatch` where the handlers
   * lock rows other partitions' events lock too (see `EventConsumerOptions.transactionPerBatch`,
   * which says why). Default false.
   */
  transactionPerBatch?: boolean;
  /** See `EventConsumerOptions.lockBatch`: what makes batches safe where handlers share rows. */
  lockBatch?: LockBatch<EventPayloads, Tx>;
}

/**
 * What the routes are built from: the started service, its parts and consumer groups, and `sql`,
 * transactions on node-postgres for a route's hot writes (`createSqlTransactions`, same database and
 * limits as `db`). Prisma's per-call cost was most of a placed order's CPU in order-service; the rest
 * of the routes keep `db`. A pool of the routes' own: a request never waits for a connection the
 * consumers hold, and it opens connections only as requests use them.
 */
export type RoutesContext<Config, Db, Parts> = ServiceContext<Config, Db> & {
  parts: Parts;
  consumers: ConsumerGroups;
  sql: SqlTransactions;
};

/** The service's consumer groups as the routes see them: a rebuild stops and restarts them. */
export interface ConsumerGroups {
  /** The declared groups' names, in declaration order. */
  readonly names: readonly string[];
  /** Starts every declared group (after `stop`). */
  start(): Promise<void>;
  /** Stops every group, finishing the events in hand; readiness says they are stopped. */
  stop(): Promise<void>;
}

/**
 * A service, declared: what it is called, what it reads from the environment, its database, whether
 * it publishes, what it consumes and what it serves. `startService` turns it into a running
 * process, always in the same order; nothing in a declaration starts anything itself.
 */
export interface ServiceDeclaration<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts = ServiceParts,
> {
  /** e.g. `payment-service`: the logger's and the metrics' label, the default consumer group. */
  name: string;
  /** `info.description` of its OpenAPI document. */
  description: string;
  /** Reads and validates the configuration (`process.env` unless given), once, at start-up. */
  loadConfig(env?: NodeJS.ProcessEnv): Config;
  /** Its database: `prismaDatabase(PrismaClient, 'PAYMENT_DATABASE_URL')`. */
  database: ServiceDatabaseDeclaration<StringSetting<Config>, Db>;
  /** Whether it writes events: then the runtime runs its outbox relay. */
  publishesEvents: boolean;
  /** Its own parts, made once the backbone runs; closed after the consumers stop. */
  parts?(context: ServiceContext<Config, Db>): Parts;
  /**
   * Its consumer groups, started in this order. Each event is handled in one transaction on
   * node-postgres (`createSqlTransactions`, same database and limits as `db`): handlers write raw
   * SQL, which costs about a third of the same statements through Prisma.
   */
  consumers: readonly ConsumerDeclaration<SqlExecutor, ServiceContext<Config, Db> & { parts: Parts }>[];
  /** Its routes, beside the health, metrics, docs and admin routes every service has. */
  routes(app: HttpServer, context: RoutesContext<Config, Db, Parts>): void;
}

/** Which setting holds a service's database URL, and how its client is made for it. */
export interface ServiceDatabaseDeclaration<UrlSetting extends string, Db> {
  urlSetting: UrlSetting;
  open(url: string, settings: DatabaseTransactionSettings): Db;
}

/**
 * A service's database: its generated Prisma client class, made for the URL in `urlSetting` with
 * the configured transaction limits (see `createPrismaClient`).
 */
export function prismaDatabase<Db, const UrlSetting extends string>(
  client: PrismaClientClass<Db>,
  urlSetting: UrlSetting,
): ServiceDatabaseDeclaration<UrlSetting, Db> {
  return { urlSetting, open: (url, settings) => createPrismaClient(client, url, settings) };
}

/**
 * Types a declaration (the identity at run time): the compiler infers the configuration, the
 * database and the transaction type once, and checks every handler against them.
 */
export function defineService<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts = ServiceParts,
>(declaration: ServiceDeclaration<Config, Tx, Db, Parts>): ServiceDeclaration<Config, Tx, Db, Parts> {
  return declaration;
}
