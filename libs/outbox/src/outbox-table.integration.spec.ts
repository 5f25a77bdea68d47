import { randomUUID } from 'node:crypto';

import {
  createPgTransactions,
  createTestDatabase,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { Client } from 'pg';

import { leaderClientConfig, leaderSessionTimings } from './leader-session';
import { markPublished, RELAY_STATEMENTS, selectWaitingRows, type AcknowledgedRow } from './outbox-table';
import { writeOutboxMessage } from './write-outbox-message';

describe("the relay's statements on a real database", () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let relaySession: Client;

  /** A session as the relay opens it (`leaderClientConfig`: its plan settings included). */
  async function openRelaySession(): Promise<Client> {
    const session = new Client(leaderClientConfig(database.url, leaderSessionTimings(30_000)));
    await session.connect();
    return session;
  }

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    relaySession = await openRelaySession();
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

  const acknowledged = (rows: readonly { id: bigint }[], at = new Date()): AcknowledgedRow[] =>
    rows.map((row) => ({ id: row.id, acknowledgedAt: at }));

  it('when the relay runs round after round on its session, then each statement is prepared once and never planned again for the values of a round', async () => {
    const rounds = 8; // more than the 5 custom plans PostgreSQL tries before it may settle on one
    let carried: AcknowledgedRow[] = [];
    for (let round = 1; round <= rounds; round++) {
      await writeRows(round); // a different number of ids to mark each round
      const { rows } = await selectWaitingRows(relaySession, {
        maxRows: 100 + round,
        maxBytes: 1_000_000,
        markPublished: carried,
      });
      expect(rows).toHaveLength(round);
      // Half the rows marked alone, the other half by the next read.
      const half = Math.ceil(rows.length / 2);
      await markPublished(relaySession, acknowledged(rows.slice(0, half)));
      carried = acknowledged(rows.slice(half));
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
    const { rows: left } = await selectWaitingRows(relaySession, {
      maxRows: 100,
      maxBytes: 1_000_000,
      markPublished: carried,
    });
    expect(left).toEqual([]);
    const [unmarked] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(unmarked?.n).toBe(0);
  });

  it('when the table is new and has no statistics, then the read walks the index of waiting rows and the marks find their rows by primary key, never scanning the table', async () => {
    await db.query('TRUNCATE outbox'); // back to no pages and no statistics, as on a new deployment
    const session = await openRelaySession();
    try {
      // The first executions prepare both statements and, with the session's plan_cache_mode, make the
      // one plan each keeps for the session's life.
      await writeRows(2);
      const { rows } = await selectWaitingRows(session, { maxRows: 100, maxBytes: 1_000_000 });
      await markPublished(session, acknowledged(rows.slice(0, 1)));
      await selectWaitingRows(session, {
        maxRows: 100,
        maxBytes: 1_000_000,
        markPublished: acknowledged(rows.slice(1)),
      });

      const plan = async (statement: string, values: string) =>
        (await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${statement}(${values})`)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      const read = await plan(
        RELAY_STATEMENTS.selectWaitingRows,
        `100, 1000000, '{1}', '{2026-12-01T00:00:00Z}'`,
      );
      const mark = await plan(RELAY_STATEMENTS.markPublished, `'{1}', '{2026-12-01T00:00:00Z}'`);
      // The waiting rows in id order from their own index, without a sort; the rows to mark by id.
      expect(read).toContain('Index Scan using outbox_waiting_id_idx on outbox');
      expect(read).not.toContain('Sort');
      // Through the index on published_at, a scan visits every row version marked since the last
      // VACUUM; a sequential scan, the whole table.
      expect(read).not.toContain('outbox_published_at_id_idx');
      for (const statement of [read, mark]) {
        expect(statement).not.toContain('Seq Scan');
        expect(statement).toContain('Index Cond: (id = ANY');
      }
    } finally {
      await session.end();
    }
  });

  it('when a read carries the marks of rows the broker acknowledged, then it marks them with the time of the acknowledgement and returns only the rows still waiting', async () => {
    await db.query('TRUNCATE outbox');
    await writeRows(3);
    const { rows: first } = await selectWaitingRows(relaySession, { maxRows: 100, maxBytes: 1_000_000 });
    expect(first).toHaveLength(3);
    const acknowledgedAt = new Date('2026-12-01T10:20:30.456Z');
    await writeRows(2);

    const { rows: next } = await selectWaitingRows(relaySession, {
      maxRows: 100,
      maxBytes: 1_000_000,
      markPublished: acknowledged(first, acknowledgedAt),
    });

    const states = await db.query<{ id: string; published_at: Date | null }>(
      'SELECT id::text, published_at FROM outbox ORDER BY id',
    );
    expect(states.map((row) => row.published_at?.toISOString() ?? null)).toEqual([
      ...first.map(() => acknowledgedAt.toISOString()),
      null,
      null,
    ]);
    expect(next.map((row) => String(row.id))).toEqual(states.slice(3).map((row) => row.id));
  });
});
