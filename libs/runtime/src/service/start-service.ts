import {
  createSqlTransactions,
  databaseDependency,
  type SqlExecutor,
  type SqlTransactions,
} from '@ecommerce/database';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/http-server';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { registerOutboxQuarantineAdminRoutes } from '@ecommerce/outbox';
import { createLogger, metrics as processMetrics, type ServiceMetrics } from '@ecommerce/telemetry';
import closeWithGrace from 'close-with-grace';

import { startEventBackbone, type EventBackbone } from '../event-backbone';
import type {
  ConsumerGroups,
  ServiceContext,
  ServiceDatabase,
  ServiceDeclaration,
  ServiceLogger,
  ServiceParts,
  ServiceRuntimeSettings,
} from './service-declaration';

/** A service the runtime started: every part of it, and the one way to stop it. */
export interface StartedService<Config, Db, Parts> extends ServiceContext<Config, Db> {
  app: HttpServer;
  parts: Parts;
  consumers: ConsumerGroups;
  /** The routes' node-postgres transactions (`RoutesContext`). */
  sql: SqlTransactions;
  /** HTTP, consumers, the service's parts, relay, database: each finishing what it has in hand. */
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  /** Read instead of `process.env` (tests: a database, a topic prefix of their own). */
  env?: NodeJS.ProcessEnv;
  /** The logger to use instead of one at the configured level (tests: a silent one). */
  logger?: ServiceLogger;
  /** Where the service counts (tests: a registry of their own). */
  metrics?: ServiceMetrics;
  /** Default true; a test that applies events itself leaves them to `consumers.start()`. */
  startConsumers?: boolean;
}

/**
 * Starts a declared service, always in this order: configuration (validated; a bad value stops the
 * start with a message naming it), database client, event backbone (schemas registered, topics
 * ensured, relay running if it publishes), the service's parts, the HTTP application, then its
 * consumer groups. The HTTP server is built but not listening: `serveService` listens.
 */
export async function startService<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts,
>(
  declaration: ServiceDeclaration<Config, Tx, Db, Parts>,
  options: StartServiceOptions = {},
): Promise<StartedService<Config, Db, Parts>> {
  const config = declaration.loadConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger(declaration.name, config.LOG_LEVEL);
  const metrics = options.metrics ?? processMetrics;
  const databaseUrl = config[declaration.database.urlSetting] as string;
  const db = declaration.database.open(databaseUrl, config);
  // The consumers' transactions, and the routes' for their hot writes (`RoutesContext`): node-postgres
  // alone, with the same limits as Prisma's (raw SQL only; Prisma's per-call cost is most of a
  // handler's CPU). Two pools, so a request never waits for a connection a consumer holds.
  const consumerSql = nodePostgresTransactions('consumers', databaseUrl, config, logger);
  const routesSql = nodePostgresTransactions('routes', databaseUrl, config, logger);
  let events: EventBackbone;
  try {
    events = await startEventBackbone({
      serviceName: declaration.name,
      settings: config,
      databaseUrl,
      logger,
      publishesEvents: declaration.publishesEvents,
    });
  } catch (error) {
    await routesSql.close();
    await consumerSql.close();
    await db.$disconnect();
    throw error;
  }
  const context: ServiceContext<Config, Db> = { config, logger, db, events, metrics };
  const parts = declaration.parts?.(context) ?? ({} as Parts);
  const consumers = consumerGroups(declaration, { ...context, parts }, consumerSql);
  const app = await buildServiceApp(declaration, {
    ...context,
    parts,
    consumers,
    sql: routesSql,
    readiness: {
      // Checked only: closing the HTTP server must not disconnect the database under the consumers
      // still finishing their events; `stop` disconnects it last.
      database: { check: databaseDependency(db).check },
      ...messagingDependencies(declaration.name, config, events.kafka),
      ...events.readiness(),
    },
  });
  if (options.startConsumers ?? true) await consumers.start();
  let stopping: Promise<void> | undefined;
  return {
    ...context,
    app,
    parts,
    consumers,
    sql: routesSql,
    // Once: a second signal, or a test's close after a stop, waits for the same stop.
    stop: () =>
      (stopping ??= (async () => {
        await app.close();
        await routesSql.close();
        await events.stopConsumers();
        await closeParts(parts);
        await events.stop();
        await consumerSql.close();
        await db.$disconnect();
      })()),
  };
}

/**
 * The process around a declared service (`main.ts`): starts it, listens on HOST:PORT, and on
 * SIGTERM/SIGINT (or an uncaught error) stops it in order, then telemetry last, so the final spans
 * are exported. A failed start is one readable line and a non-zero exit.
 */
export function serveService<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts,
>(declaration: ServiceDeclaration<Config, Tx, Db, Parts>, telemetry?: { shutdown(): Promise<void> }): void {
  const serve = async () => {
    const service = await startService(declaration);
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) service.logger.error({ err }, 'shutting down after an unexpected error');
      else service.logger.info({ signal }, 'shutting down');
      await service.stop();
      await telemetry?.shutdown();
    });
    await service.app.listen({ port: service.config.PORT, host: service.config.HOST });
  };
  serve().catch((error: unknown) => {
    // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
    console.error(
      `${declaration.name} failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
}

/** What a declaration's routes are built from; tests build the HTTP application alone with it. */
export interface ServiceAppContext<Config, Db, Parts> {
  config: Config;
  logger: ServiceLogger;
  db: Db;
  /** Absent when a test builds routes that record no events; using it then is an error that says so. */
  events?: EventBackbone;
  metrics?: ServiceMetrics;
  parts?: Parts;
  consumers?: ConsumerGroups;
  /** The routes' transactions; absent, the application opens its own and closes them with itself. */
  sql?: SqlTransactions;
  /**
   * Readiness of what runs beside the HTTP server. The database is always checked, and closed with
   * the server unless a `database` entry here replaces that (the runtime closes it last itself).
   */
  readiness?: Record<string, ServiceDependency>;
}

/**
 * The HTTP application of a declared service: the shared server (health, metrics, docs, errors),
 * the declared routes, the dead-letter admin routes for exactly the declared consumer groups, and
 * the outbox quarantine admin routes when the service publishes.
 */
export async function buildServiceApp<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts,
>(
  declaration: ServiceDeclaration<Config, Tx, Db, Parts>,
  context: ServiceAppContext<Config, Db, Parts>,
): Promise<HttpServer> {
  const { config, logger, db } = context;
  const metrics = context.metrics ?? processMetrics;
  const app = await createHttpServer({
    serviceName: declaration.name,
    logger,
    dependencies: { database: databaseDependency(db), ...context.readiness },
    apiVersion: '1.0.0',
    apiDescription: declaration.description,
    adminToken: config.ADMIN_TOKEN,
    metrics,
  });
  const parts = context.parts ?? ({} as Parts);
  const consumers = context.consumers ?? notStarted(declaration);
  let sql = context.sql;
  if (!sql) {
    const databaseUrl = config[declaration.database.urlSetting] as string;
    const own = nodePostgresTransactions('routes', databaseUrl, config, logger);
    app.addHook('onClose', () => own.close());
    sql = own;
  }
  declaration.routes(app, {
    config,
    logger,
    db,
    metrics,
    parts,
    consumers,
    sql,
    get events(): EventBackbone {
      if (!context.events) {
        throw new Error(`${declaration.name}'s routes record events: build the app with an event backbone`);
      }
      return context.events;
    },
  });
  const [firstGroup, ...otherGroups] = consumers.names;
  if (firstGroup) {
    registerDeadLetterAdminRoutes(app, {
      serviceName: declaration.name,
      settings: config,
      consumerGroups: [firstGroup, ...otherGroups],
    });
  }
  if (declaration.publishesEvents) registerOutboxQuarantineAdminRoutes(app, { db });
  return app;
}

/** A pool of node-postgres transactions for the consumers' or the routes' use (same limits as `db`). */
function nodePostgresTransactions(
  user: 'consumers' | 'routes',
  databaseUrl: string,
  config: ServiceRuntimeSettings,
  logger: ServiceLogger,
): SqlTransactions {
  return createSqlTransactions(databaseUrl, config, (error) =>
    logger.warn({ err: error }, `an idle database connection of the ${user} failed; it is replaced`),
  );
}

async function closeParts(parts: ServiceParts): Promise<void> {
  if ('close' in parts && typeof parts.close === 'function') await (parts.close as () => unknown).call(parts);
}

function groupName(serviceName: string, consumer: { group?: string }): string {
  return consumer.group ?? serviceName;
}

function declaredGroupNames(declaration: {
  name: string;
  consumers: readonly { group?: string }[];
}): string[] {
  return declaration.consumers.map((consumer) => groupName(declaration.name, consumer));
}

function consumerGroups<
  Config extends ServiceRuntimeSettings,
  Tx extends SqlExecutor,
  Db extends ServiceDatabase<Tx>,
  Parts extends ServiceParts,
>(
  declaration: ServiceDeclaration<Config, Tx, Db, Parts>,
  context: ServiceContext<Config, Db> & { parts: Parts },
  sql: SqlTransactions,
): ConsumerGroups {
  const { events, logger } = context;
  return {
    names: declaredGroupNames(declaration),
    start: async () => {
      // One group after the other, in the declaration's order, each subscribed before the next.
      for (const consumer of declaration.consumers) {
        await events.consume({
          groupId: groupName(declaration.name, consumer),
          topics: consumer.topics,
          handlers: consumer.handlers(context),
          runInTransaction: sql.runInTransaction,
          logger,
          ...(consumer.retry && { retry: consumer.retry }),
          ...(consumer.transactionPerBatch && { transactionPerBatch: true }),
          ...(consumer.lockBatch && { lockBatch: consumer.lockBatch }),
        });
      }
    },
    stop: () => events.stopConsumers(),
  };
}

/** The declared groups of an application built without a backbone (a test of its routes). */
function notStarted(declaration: { name: string; consumers: readonly { group?: string }[] }): ConsumerGroups {
  const refuse = () =>
    Promise.reject(
      new Error(`${declaration.name} was built without its consumers: start it with startService`),
    );
  return {
    names: declaredGroupNames(declaration),
    start: refuse,
    stop: refuse,
  };
}
