import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger } from '@ecommerce/service-runtime';

import { loadAnalyticsServiceConfig, SERVICE_NAME } from '../config';
import { PrismaClient } from '../generated/prisma/client';
import { rebuildReadModels } from './rebuild-read-models';

/**
 * Rebuilds analytics' read models from the topics:
 *
 *   npx tsx apps/analytics-service/src/rebuild/cli.ts
 *
 * Stop every analytics-service instance first (Kafka only moves the offsets of a group with no
 * running member; the command fails, deleting nothing, otherwise), run this with the service's own
 * environment (ANALYTICS_DATABASE_URL, KAFKA_BROKERS, TOPIC_PREFIX, ...), then start the service:
 * its consumer group replays the orders topic from offset zero and the read models fill up again.
 */
async function main(): Promise<void> {
  const config = loadAnalyticsServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.ANALYTICS_DATABASE_URL);
  try {
    const backbone = await startEventBackbone({
      serviceName: SERVICE_NAME,
      settings: config,
      databaseUrl: config.ANALYTICS_DATABASE_URL,
      logger,
      publishesEvents: false,
    });
    try {
      // The group the service consumes in: its name (see backbone.consume).
      const report = await rebuildReadModels({ db: prisma, backbone, groupId: SERVICE_NAME });
      logger.info(report, 'read models emptied and offsets reset; start the service to replay the topics');
    } finally {
      await backbone.stop();
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
