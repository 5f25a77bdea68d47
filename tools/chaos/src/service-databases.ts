/**
 * What the run reads from (and, for a fault, writes to) the services' own databases, directly and
 * not through any fault proxy: the outbox relay's leader, outbox rows, inbox entries, reservations.
 * The services' schemas are their own business; every table and column the run relies on is named
 * in this file only.
 */
import { EVENT_HEADERS, RELAY_LEADER_LOCK } from '@ecommerce/outbox';
import { Client } from 'pg';

import type { ReservationRow } from './findings';

export async function withDatabase<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// The advisory lock an outbox relay holds while it leads: pg_try_advisory_lock(bigint) with a key
// below 2^32 shows in pg_locks as classid 0, objid = the key, objsubid 1.

/** The relay leader's session: its application_name (the instance's PGAPPNAME) and since when it leads. */
export interface RelayLeader {
  applicationName: string;
  /** When its session began: the relay takes the lock right after connecting, or ends the session. */
  since: Date;
}

export async function relayLeader(databaseUrl: string): Promise<RelayLeader | undefined> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ application_name: string; backend_start: Date }>(
      `SELECT a.application_name, a.backend_start
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = 0 AND l.objid = $1::bigint::oid AND l.objsubid = 1`,
      [RELAY_LEADER_LOCK],
    );
    const [row] = rows;
    return row && { applicationName: row.application_name, since: row.backend_start };
  });
}

export interface OutboxRowState {
  id: bigint;
  eventId: string;
  published: boolean;
  publishedAt: Date | null;
  quarantined: boolean;
  createdAt: Date;
}

/** Every row of a service's outbox; undefined for a service without one (analytics). */
export async function outboxRows(databaseUrl: string): Promise<OutboxRowState[] | undefined> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows: tables } = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('outbox') IS NOT NULL AS exists`,
    );
    if (!tables[0]?.exists) return undefined;
    const { rows } = await client.query<{
      id: string;
      event_id: string;
      published_at: Date | null;
      quarantined: boolean;
      created_at: Date;
    }>(
      // quarantined_at: set by the relay on a row the broker refused for good, after its last attempt.
      `SELECT id, event_id, published_at, quarantined_at IS NOT NULL AS quarantined, created_at
         FROM outbox ORDER BY id`,
    );
    return rows.map((row) => ({
      id: BigInt(row.id),
      eventId: row.event_id,
      published: row.published_at !== null,
      publishedAt: row.published_at,
      quarantined: row.quarantined,
      createdAt: row.created_at,
    }));
  });
}

/** Adds a row to a service's outbox as its own code would (the relay is woken by the insert trigger). */
export async function insertOutboxRow(
  databaseUrl: string,
  row: { eventId: string; eventType: string; topic: string; key: string; payload: Buffer },
): Promise<bigint> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers)
       VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
      [
        row.eventId,
        row.eventType,
        row.topic,
        row.key,
        row.payload,
        JSON.stringify({ [EVENT_HEADERS.eventType]: row.eventType, [EVENT_HEADERS.eventId]: row.eventId }),
      ],
    );
    return BigInt(rows[0]?.id ?? '0');
  });
}

/** The id of the event of `eventType` a service wrote for `key` (an order id), from its outbox. */
export async function outboxEventId(
  databaseUrl: string,
  eventType: string,
  key: string,
): Promise<string | undefined> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ event_id: string }>(
      'SELECT event_id FROM outbox WHERE event_type = $1 AND message_key = $2 ORDER BY id LIMIT 1',
      [eventType, key],
    );
    return rows[0]?.event_id;
  });
}

/** Whether a service's consumers have handled the event (its inbox has it, for any group). */
export async function inboxHas(databaseUrl: string, eventId: string): Promise<boolean> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query('SELECT 1 FROM inbox WHERE event_id = $1::uuid', [eventId]);
    return rows.length > 0;
  });
}

export async function reservationRows(inventoryDatabaseUrl: string): Promise<ReservationRow[]> {
  return withDatabase(inventoryDatabaseUrl, async (client) => {
    const { rows } = await client.query<{
      order_id: string;
      sku: string;
      quantity: number;
      status: ReservationRow['status'];
    }>('SELECT order_id, sku, quantity, status::text AS status FROM stock_reservations');
    return rows.map((row) => ({
      orderId: row.order_id,
      sku: row.sku,
      quantity: row.quantity,
      status: row.status,
    }));
  });
}

/** Payments recorded for one order, as payment-service stored them. */
export async function paymentStatuses(paymentDatabaseUrl: string, orderId: string): Promise<string[]> {
  return withDatabase(paymentDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ status: string }>(
      'SELECT status::text AS status FROM payments WHERE order_id = $1::uuid',
      [orderId],
    );
    return rows.map((row) => row.status);
  });
}

/**
 * A handler failure on purpose: a trigger that rejects every write of a row of `table` whose
 * `column` is `value`, so the consumer writing it fails (not an outage: it spends its attempts) and
 * dead-letters the event. `name` identifies it for `removeFailureTrigger`.
 */
export async function addFailureTrigger(
  databaseUrl: string,
  { name, table, column, value }: { name: string; table: string; column: string; value: string },
): Promise<void> {
  await withDatabase(databaseUrl, async (client) => {
    await client.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'chaos: injected failure of a handler (%)', TG_NAME; END $$`,
    );
    await client.query(
      `CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE ON ${table}
       FOR EACH ROW WHEN (NEW.${column} = ${client.escapeLiteral(value)}) EXECUTE FUNCTION ${name}()`,
    );
  });
}

export async function removeFailureTrigger(databaseUrl: string, name: string, table: string): Promise<void> {
  await withDatabase(databaseUrl, async (client) => {
    await client.query(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await client.query(`DROP FUNCTION IF EXISTS ${name}()`);
  });
}

/**
 * When each settled order was settled: `updated_at` of an order no longer PENDING. The order
 * service writes a terminal order only once (the saga ignores whatever arrives after it), so its
 * last update is the moment it became CONFIRMED or CANCELLED.
 */
export async function orderSettlements(
  orderDatabaseUrl: string,
): Promise<{ orderId: string; settledAt: Date; cancelReason: string | null }[]> {
  return withDatabase(orderDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string; updated_at: Date; cancel_reason: string | null }>(
      `SELECT id, updated_at, cancel_reason::text AS cancel_reason FROM orders WHERE status <> 'PENDING'`,
    );
    return rows.map((row) => ({
      orderId: row.id,
      settledAt: row.updated_at,
      cancelReason: row.cancel_reason,
    }));
  });
}

/** How many orders have been PENDING for longer than `ms`: the saga is behind while there are any. */
export async function ordersPendingLongerThan(orderDatabaseUrl: string, ms: number): Promise<number> {
  return withDatabase(orderDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders
        WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1::float8 / 1000)`,
      [ms],
    );
    return rows[0]?.n ?? 0;
  });
}

/** How many orders placed up to `placedBy` are still PENDING (order-service's database). */
export async function pendingOrdersPlacedBy(databaseUrl: string, placedBy: Date): Promise<number> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM orders WHERE status = 'PENDING' AND created_at <= $1`,
      [placedBy],
    );
    return rows[0]?.pending ?? 0;
  });
}

/**
 * What every service's database holds about one order, one line per row, for a failed run's output
 * (CI keeps only what is printed): the events order-service published for it (its outbox), which
 * consumer groups applied each (their inboxes), the order's timeline, and its notifications in any
 * status (the API shows only those sent, so a claim left `pending` shows here only).
 */
export async function orderTrail(databaseUrls: Record<string, string>, orderId: string): Promise<string[]> {
  const lines: string[] = [];
  const orderDatabase = databaseUrls['order'];
  if (!orderDatabase) return lines;
  const events = await withDatabase(orderDatabase, async (client) => {
    const { rows } = await client.query<{ event_id: string; event_type: string; published_at: Date | null }>(
      'SELECT event_id::text, event_type, published_at FROM outbox WHERE message_key = $1 ORDER BY id',
      [orderId],
    );
    const timeline = await client.query<{ type: string; at: Date }>(
      'SELECT type, at FROM order_timeline WHERE order_id = $1::uuid ORDER BY id',
      [orderId],
    );
    lines.push(
      `order ${orderId} timeline: ${timeline.rows.map((r) => `${r.type}@${r.at.toISOString()}`).join(', ')}`,
    );
    return rows;
  });
  for (const event of events) {
    lines.push(
      `  ${event.event_type} ${event.event_id} published ${event.published_at?.toISOString() ?? 'not yet'}`,
    );
  }
  const eventIds = events.map((event) => event.event_id);
  for (const [service, url] of Object.entries(databaseUrls)) {
    await withDatabase(url, async (client) => {
      const { rows } = await client.query<{ consumer_group: string; event_type: string; processed_at: Date }>(
        'SELECT consumer_group, event_type, processed_at FROM inbox WHERE event_id = ANY($1::uuid[]) ORDER BY processed_at',
        [eventIds],
      );
      for (const row of rows) {
        lines.push(
          `  ${service}: ${row.consumer_group} applied ${row.event_type} at ${row.processed_at.toISOString()}`,
        );
      }
    });
  }
  const notificationDatabase = databaseUrls['notification'];
  if (notificationDatabase) {
    await withDatabase(notificationDatabase, async (client) => {
      const { rows } = await client.query<{
        template: string;
        status: string;
        send_attempts: number;
        created_at: Date;
      }>(
        'SELECT template, status, send_attempts, created_at FROM notifications WHERE order_id = $1::uuid ORDER BY created_at',
        [orderId],
      );
      for (const row of rows) {
        lines.push(
          `  notification ${row.template}: ${row.status}, ${row.send_attempts} attempt(s), claimed ${row.created_at.toISOString()}`,
        );
      }
    });
  }
  return lines;
}
