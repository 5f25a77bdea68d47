import { randomUUID } from 'node:crypto';

import { topicName, type TopicKey } from '@ecommerce/contracts';
import type { ServiceName } from '@ecommerce/system-runner';

import { eventually, type ChaosRun } from '../chaos-run';
import { insertOutboxRow, outboxRows, withDatabase } from '../service-databases';

/**
 * Larger than the broker's message.max.bytes (Kafka's default, which the chaos broker keeps: 1 MiB
 * and 12 bytes), so the broker refuses the row for good, whatever the batch around it.
 */
const OVERSIZED_BYTES = 1_572_864;

/**
 * An outbox row too large for the broker, written between the service's own rows (issue 10,
 * defect 5: one such row blocked every batch of the relay forever). It must be quarantined and the
 * rows behind it published within `quarantineWithinMs`. Its payload is no event (no consumer could
 * read it): published by mistake, it would be dead-lettered, which invariant 6 would show. If it is
 * not quarantined in time it is deleted, so the rest of the run is not stalled by this known
 * failure. Runs in the background, within the service's turn (the other faults on its relay wait).
 */
export function oversizedEvent(
  run: ChaosRun,
  {
    service,
    topic,
    quarantineWithinMs,
  }: { service: ServiceName; topic: TopicKey; quarantineWithinMs: number },
): void {
  run.background(
    run.instances.turn(service, () =>
      run.faults.inject('oversized-event', `${service}-service outbox`, async () => {
        const databaseUrl = run.databaseUrl(service);
        const eventId = randomUUID();
        run.delivery.unpublishable.add(eventId);
        const payload = Buffer.alloc(OVERSIZED_BYTES, `chaos: an event too large for the broker ${eventId} `);
        const id = await insertOutboxRow(databaseUrl, {
          eventId,
          eventType: 'ChaosOversizedEvent',
          topic: topicName(topic, run.topicPrefix),
          key: eventId,
          payload,
        });
        const size = `${(OVERSIZED_BYTES / 1_048_576).toFixed(1)} MiB`;
        const outcome = await eventually(
          `row ${id} quarantined and the rows behind it published`,
          async () => {
            const rows = (await outboxRows(databaseUrl)) ?? [];
            const injected = rows.find((row) => row.id === id);
            const behind = rows.filter((row) => row.id > id && row.published).length;
            return injected?.quarantined && behind > 0 && { behind };
          },
          { timeoutMs: quarantineWithinMs, intervalMs: 1_000 },
        ).catch(() => undefined);
        if (!outcome) {
          const { injected, stuck } = await eventually(
            `row ${id} deleted`,
            async () => {
              const rows = (await outboxRows(databaseUrl)) ?? [];
              await withDatabase(databaseUrl, (client) =>
                client.query('DELETE FROM outbox WHERE id = $1', [id]),
              );
              return {
                injected: rows.find((row) => row.id === id),
                stuck: rows.filter((row) => row.id > id && !row.published && !row.quarantined).length,
              };
            },
            { timeoutMs: 60_000 },
          );
          throw new Error(
            `row ${id} (${size}) ${injected?.published ? 'was published' : injected?.quarantined ? 'was quarantined' : 'was neither quarantined nor published'} ` +
              `and ${stuck} rows behind it were waiting after ${quarantineWithinMs / 1000}s; the row was deleted so the run goes on`,
          );
        }
        return `row ${id} (${size}) quarantined, ${outcome.behind} rows behind it published`;
      }),
    ),
  );
}
