import type { ServiceName } from '@ecommerce/system-runner';
import { Pool } from 'pg';

import { distribution, type Distribution } from '../stats';
import type { OrderCost } from './result';

// Catalog events come from seeding the benchmark, not from orders.
const CATALOG_EVENTS = `('ProductUpserted', 'StockAdjusted')`;

/** Services that publish events, so have an outbox (analytics only reads). */
const PUBLISHERS: readonly ServiceName[] = ['order', 'inventory', 'payment', 'notification'];

async function eachDatabase<T>(
  databaseUrls: Record<ServiceName, string>,
  work: (service: ServiceName, db: Pool) => Promise<T>,
  services: readonly ServiceName[] = Object.keys(databaseUrls) as ServiceName[],
): Promise<[ServiceName, T][]> {
  return Promise.all(
    services.map(async (service) => {
      const db = new Pool({ connectionString: databaseUrls[service], max: 1 });
      try {
        return [service, await work(service, db)] as [ServiceName, T];
      } finally {
        await db.end();
      }
    }),
  );
}

/** Outbox rows not yet published, across the services. */
export async function unpublishedEvents(databaseUrls: Record<ServiceName, string>): Promise<number> {
  const counts = await eachDatabase(
    databaseUrls,
    async (_, db) => {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return rows[0]?.n ?? 0;
    },
    PUBLISHERS,
  );
  return counts.reduce((total, [, n]) => total + n, 0);
}

/**
 * Commit to publish of the events written in [from, to), per service and all together, from the
 * outbox rows: `created_at` is the writing transaction's start (a few ms before its commit) and
 * `published_at` the relay's mark, after the broker acknowledged; both in ms, on the database's clock.
 */
export async function outboxCommitToPublish(
  databaseUrls: Record<ServiceName, string>,
  from: Date,
  to: Date,
): Promise<Record<string, Distribution>> {
  const perService = await eachDatabase(
    databaseUrls,
    async (_, db) => {
      const { rows } = await db.query<{ ms: number }>(
        `SELECT (extract(epoch FROM published_at - created_at) * 1000)::float8 AS ms FROM outbox
       WHERE published_at IS NOT NULL AND created_at >= $1 AND created_at < $2
         AND event_type NOT IN ${CATALOG_EVENTS}`,
        [from, to],
      );
      return rows.map((row) => row.ms);
    },
    PUBLISHERS,
  );
  return {
    all: distribution(perService.flatMap(([, values]) => values)),
    ...Object.fromEntries(perService.map(([service, values]) => [service, distribution(values)])),
  };
}

/**
 * What the run's orders cost, counted from what they left in the databases once the system is
 * quiet (so counts are exact, not sampled statistics): every handled event is one transaction
 * with its inbox row, alone or with the rest of its batch (`transactionPerBatch`), told apart by
 * the inserting transaction's id (`xmin`); every POST one transaction with its order; every relay
 * batch one UPDATE, told apart by its `published_at`.
 */
export async function orderCost(databaseUrls: Record<ServiceName, string>): Promise<OrderCost> {
  const perService = await eachDatabase(databaseUrls, async (service, db) => {
    const one = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    const publishes = PUBLISHERS.includes(service);
    return {
      orders: service === 'order' ? await one('SELECT count(*) AS n FROM orders') : 0,
      handled: (
        await db.query<{ handler: string; n: string }>(
          `SELECT consumer_group || ' <- ' || event_type AS handler, count(*) AS n FROM inbox
           WHERE event_type NOT IN ${CATALOG_EVENTS} GROUP BY 1 ORDER BY 1`,
        )
      ).rows,
      consumerTransactions: await one(
        `SELECT count(DISTINCT xmin::text) AS n FROM inbox WHERE event_type NOT IN ${CATALOG_EVENTS}`,
      ),
      events: publishes
        ? await one(`SELECT count(*) AS n FROM outbox WHERE event_type NOT IN ${CATALOG_EVENTS}`)
        : 0,
      eventBytes: publishes
        ? await one(
            `SELECT coalesce(sum(octet_length(payload)), 0) AS n FROM outbox WHERE event_type NOT IN ${CATALOG_EVENTS}`,
          )
        : 0,
      relayMarks: publishes
        ? await one(
            `SELECT count(DISTINCT published_at) AS n FROM outbox WHERE event_type NOT IN ${CATALOG_EVENTS}`,
          )
        : 0,
    };
  });
  const total = (pick: (c: (typeof perService)[number][1]) => number) =>
    perService.reduce((sum, [, counts]) => sum + pick(counts), 0);
  const orders = total((c) => c.orders);
  const events = total((c) => c.events);
  const handled = perService.flatMap(([, counts]) => counts.handled);
  const sagaCommits = orders + total((c) => c.consumerTransactions);
  const relayCommits = total((c) => c.relayMarks);
  return {
    eventsPerOrder: events / orders,
    commitsPerOrder: (sagaCommits + relayCommits) / orders,
    sagaCommitsPerOrder: sagaCommits / orders,
    relayCommitsPerOrder: relayCommits / orders,
    meanEventBytes: total((c) => c.eventBytes) / events,
    handledPerOrder: Object.fromEntries(handled.map((row) => [row.handler, Number(row.n) / orders])),
  };
}
