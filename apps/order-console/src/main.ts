import { randomUUID } from 'node:crypto';

import { allTopics, EventCodec, topicName, type TopicKey } from '@ecommerce/contracts';
import {
  ClusterWatch,
  connectionSettings,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  EventFeed,
  readDeadLetters,
  untilClusterSettles,
} from '@ecommerce/messaging';
import { createLogger, runService } from '@ecommerce/http-server';

import { buildOrderConsoleApp } from './app';
import { loadOrderConsoleConfig, SERVICE_NAME } from './config';
import { ConsoleViews } from './console-views';
import { LiveUpdates } from './live/live-updates';
import { OrderServiceClient } from './order-service-client';
import { ClusterMonitor } from './projection/cluster-monitor';
import { OrderConsoleProjection } from './projection/order-console-projection';

/** Topics replayed from their start at every start: the orders' stories and the catalog. */
const HISTORY_TOPICS: readonly TopicKey[] = ['orders', 'inventory', 'payments', 'notifications', 'catalog'];

// Composition root: configuration, the event feed into the read model, the cluster monitor, the
// live updates, the HTTP server, graceful shutdown.
async function main(): Promise<void> {
  const config = loadOrderConsoleConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prefix = config.TOPIC_PREFIX;
  const connections = connectionSettings(SERVICE_NAME, config);
  const kafka = createKafka({ ...connections.kafka, logger });
  const codec = new EventCodec({
    registry: createSchemaRegistry(connections.schemaRegistry),
    topicPrefix: prefix,
  });
  const projection = new OrderConsoleProjection({
    topicPrefix: prefix,
    maxOrders: config.CONSOLE_MAX_ORDERS,
  });

  // The views render for the live updates, which the projection and the monitor notify.
  const live = new LiveUpdates((section, orderId) => views.section(section, orderId));
  const watch = new ClusterWatch(kafka);
  // The feed's groups (one per instance) store no offsets; the monitor leaves them out.
  const ownGroupPrefix = `${prefix}${SERVICE_NAME}.`;
  const cluster = new ClusterMonitor({
    watch,
    readDeadLetters: (topic) => readDeadLetters(kafka, topic),
    topicPrefix: prefix,
    ownGroupPrefix,
    intervalMs: config.CONSOLE_CLUSTER_POLL_MS,
    onChange: () => live.clusterChanged(),
    logger,
  });
  const views = new ConsoleViews(projection, cluster, {
    topicPrefix: prefix,
    jaegerUrl: config.CONSOLE_JAEGER_URL,
  });

  const feed = new EventFeed({
    kafka,
    groupId: `${ownGroupPrefix}${randomUUID().slice(0, 8)}`,
    topics: [
      ...HISTORY_TOPICS.map((topic) => ({ topic: topicName(topic, prefix), fromBeginning: true })),
      // Outbox samples: only the latest matters, and the next one is seconds away.
      { topic: topicName('operations', prefix), fromBeginning: false },
    ],
    decoder: codec,
    onEvent: (event) => {
      const change = projection.apply(event);
      if (change?.view === 'order') live.orderChanged(change.orderId);
      else if (change?.view === 'outboxes') live.outboxesChanged();
    },
    logger,
  });
  // Every service creates every topic at start, whichever starts first; the console too, so that it
  // can subscribe before the first service has run (it publishes nothing).
  await untilClusterSettles('create the topics', () =>
    ensureTopics(kafka, allTopics(prefix), {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    }),
  );
  await feed.start();
  cluster.start();

  const app = await buildOrderConsoleApp({
    config,
    logger,
    projection,
    cluster,
    views,
    live,
    orders: new OrderServiceClient(config.CONSOLE_ORDER_SERVICE_URL),
  });
  // Before the server closes: it waits for open connections, and a page's event stream never ends.
  app.addHook('preClose', async () => live.close());
  app.addHook('onClose', async () => {
    await feed.stop();
    await cluster.stop();
    await watch.close();
  });
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
  console.error(`${SERVICE_NAME} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
