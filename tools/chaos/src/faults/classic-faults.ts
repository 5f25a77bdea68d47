import { call } from '@ecommerce/system-runner';

import { eventually, pause, type ChaosRun } from '../chaos-run';
import type { RawRecord } from '../kafka-access';
import { pendingOrdersPlacedBy } from '../service-databases';
import type { FaultWindow } from '../stall';

/** The services' SAGA_TIMEOUT_MS in a chaos run: their default, the run sets none. */
const SERVICES_SAGA_TIMEOUT_MS = 30_000;
/**
 * Once its only broker is back, the saga settles orders again within half the saga timeout: an
 * order placed just before the outage then still completes if the outage itself lasted less than
 * the other half. Measured here: 6.8 to 7.1 s (consumers rejoining their groups after the
 * coordinator loaded, relays' producers reconnecting).
 */
const SAGA_RESUMES_AFTER_BROKER_WITHIN_MS = SERVICES_SAGA_TIMEOUT_MS / 2;

/** Delivered records of every event topic produced again, same bytes and headers: consumers must drop them. */
export async function duplicateDeliveries(run: ChaosRun, perTopic: number): Promise<void> {
  await run.faults.inject('duplicate-deliveries', 'every event topic', async () => {
    const sample = sampleDuplicates(await run.kafka.readAll(await run.kafka.eventTopics()), perTopic);
    await run.kafka.reproduce(sample);
    return `${sample.length} delivered records re-produced, same bytes and headers (${countByTopic(sample, run.topicPrefix)})`;
  });
}

/** A record no consumer can decode on `orders`: every group reading it must dead-letter it once. */
export async function poisonMessage(run: ChaosRun): Promise<void> {
  await run.faults.inject('poison-message', 'orders', async () => {
    const record = await run.kafka.producePoison(`${run.topicPrefix}orders`);
    run.delivery.poison.push(record);
    return `undecodable record at ${record.topic}/${record.partition}@${record.offset}`;
  });
}

export async function kafkaBrokerRestart(run: ChaosRun, downForMs: number): Promise<void> {
  await run.dependencyFault(() =>
    run.faults.inject('kafka-broker-restart', 'Kafka broker', async () => {
      // With its only broker down, the saga stands still by design: how long depends on the broker's
      // own stop and start, so the orders it holds are measured, and the saga's resumption judged.
      const window: FaultWindow = {
        kind: 'kafka-broker-restart',
        target: 'Kafka broker',
        from: Date.now(),
        to: undefined,
        wholeSagaStops: { resumeWithinMs: SAGA_RESUMES_AFTER_BROKER_WITHIN_MS },
      };
      run.faultWindows.push(window);
      await run.infra.restartKafka(() => pause(downForMs));
      window.to = Date.now();
      // The next fault on a whole dependency (a database crash) waits until the orders this one held
      // have settled, so the stall measured is the broker's own and not two outages compounded past
      // the saga timeout; the timeout bounds the wait, as the sweeper settles every order by then.
      const backAt = new Date(window.to);
      await eventually(
        'the orders placed before the broker came back to settle',
        async () => (await pendingOrdersPlacedBy(run.databaseUrl('order'), backAt)) === 0,
        { timeoutMs: SERVICES_SAGA_TIMEOUT_MS + 15_000 },
      );
      const settledAfterS = ((Date.now() - window.to) / 1000).toFixed(1);
      return `broker down ${downForMs / 1000}s, then restarted with its data; the orders it held settled ${settledAfterS}s later`;
    }),
  );
}

export async function postgresCrash(run: ChaosRun): Promise<void> {
  await run.dependencyFault(() =>
    run.faults.inject('postgres-crash', 'PostgreSQL', async () => {
      await run.infra.restartPostgres();
      return 'immediate stop (no checkpoint), restarted with WAL recovery';
    }),
  );
}

/** Stock added to every sku under load (SPEC 5.2's adjustments); the baseline of invariant 2 follows. */
export async function stockAdjustment(run: ChaosRun, quantity: number): Promise<void> {
  await run.faults.inject('stock-adjustment', 'every sku', async () => {
    for (const sku of run.skus) {
      const { status, body } = await untilConnected(() =>
        call(`${run.system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity }),
      );
      if (status !== 200) throw new Error(`restock of ${sku}: ${status} ${JSON.stringify(body)}`);
      run.stockBaseline[sku] = (run.stockBaseline[sku] ?? 0) + quantity;
    }
    return `+${quantity} on each of ${run.skus.length} skus under load`;
  });
}

/** Up to `perTopic` records of each topic, spread over the log (old and recent). */
function sampleDuplicates(records: readonly RawRecord[], perTopic: number): RawRecord[] {
  const byTopic = new Map<string, RawRecord[]>();
  // Copies of the services' events only (the Confluent wire format starts with a zero byte): a copy
  // of the poison record would be a second poison, dead-lettered at an offset the run did not expect.
  const events = records.filter((record) => record.value?.[0] === 0);
  for (const record of events) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
  return [...byTopic.values()].flatMap((all) => {
    const step = Math.max(1, Math.floor(all.length / perTopic));
    return all.filter((_, index) => index % step === 0).slice(0, perTopic);
  });
}

function countByTopic(records: readonly RawRecord[], prefix: string): string {
  const counts = new Map<string, number>();
  for (const record of records)
    counts.set(record.topic.slice(prefix.length), (counts.get(record.topic.slice(prefix.length)) ?? 0) + 1);
  return [...counts].map(([topic, n]) => `${topic} ${n}`).join(', ');
}

/**
 * A stock adjustment is not idempotent, so it is retried only when the connection was refused (an
 * instance still restarting): then the request never reached a service. Any other failure stands.
 */
export async function untilConnected<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if (!refused || Date.now() > deadline) throw error;
      await pause(500);
    }
  }
}
