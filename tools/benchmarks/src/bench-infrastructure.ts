import { createTestMessaging, type TestMessaging } from '@ecommerce/messaging/testing';
import {
  createPgTransactions,
  createTestDatabase,
  exportInfrastructure,
  provisionTestInfrastructure,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';

/** What a benchmark of one part (the relay, a consumer) runs on: the tests' infrastructure. */
export interface BenchInfrastructure {
  database: TestDatabase;
  db: PgTransactions;
  messaging: TestMessaging;
  /** Where the infrastructure came from (environment, testcontainers, local). */
  source: string;
}

/**
 * Runs `bench` as a script on the infrastructure the tests use (a database of order-service's
 * schema, a broker and a registry), released afterwards, then exits: 0, or 1 with the error.
 */
export function runBench(bench: (infrastructure: BenchInfrastructure) => Promise<void>): void {
  const main = async () => {
    const provisioned = await provisionTestInfrastructure();
    exportInfrastructure(provisioned.infrastructure);
    const database = await createTestDatabase('order');
    const db = createPgTransactions(database.url);
    try {
      await bench({ database, db, messaging: await createTestMessaging(), source: provisioned.source });
    } finally {
      await db.close();
      await database.drop();
      await provisioned.release();
    }
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
