import { randomUUID } from 'node:crypto';

import {
  createPgTransactions,
  createTestDatabase,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { Client } from 'pg';

import { leaderClientConfig, leaderSessionTimings } from './leader-session';
import { markPublished, RELAY_STATEMENTS, selectWaitingRows } from './outbox-table';
import { writeOutboxMessage } from './write-outbox-message';

describe("the relay's statements on a real database", () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let relaySession: Client;

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    relaySession = new Client(leaderClientConfig(database.url, leaderSessionTimings(30_000)));
    await relaySession.connect();
  });

  afterAll(async () => {
    await relaySession.end();
    await db.close();
    await database.drop();
  });

  async function writeRows(count: number): Promise<void> {
    await db.runInTransaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        await writeOutboxMessage(tx, {
          eventId: randomUUID(),
          eventType: 'TestEvent',
          topic: 'outbox-table-test',
          key: `key-${i}`,
          payload: Buffer.from(`payload-${i}`),
          headers: {},
        });
      }
    });
  }

  it('when the relay runs round after round on its session, then each statement is prepared once and never planned again for the values of a round', async () => {
    const rounds = 8; // more than the 5 custom plans PostgreSQL tries before it may settle on one
    for (let round = 1; round <= rounds; round++) {
      await writeRows(round); // a different number of ids to mark each round
      const { rows } = await selectWaitingRows(relaySession, { maxRows: 100 + round, maxBytes: 1_000_000 });
      expect(rows).toHaveLength(round);
      await markPublished(
        relaySession,
        rows.map((row) => row.id),
      );
    }

    const { rows: prepared } = await relaySession.query<{
      name: string;
      generic_plans: string;
      custom_plans: string;
    }>('SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name');
    expect(prepared).toEqual(
      [RELAY_STATEMENTS.markPublished, RELAY_STATEMENTS.selectWaitingRows].map((name) => ({
        name,
        // One generic plan, executed every round: no plan made for any round's values.
        generic_plans: String(rounds),
        custom_plans: '0',
      })),
    );
    const { rows: left } = await selectWaitingRows(relaySession, { maxRows: 100, maxBytes: 1_000_000 });
    expect(left).toEqual([]);
  });
});
