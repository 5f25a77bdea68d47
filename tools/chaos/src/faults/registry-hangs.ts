import { topicName } from '@ecommerce/contracts';

import { pause, type ChaosRun } from '../chaos-run';
import { withRouteFault } from '../dependency-routes';
import { headerText, type RawRecord } from '../kafka-access';
import { faultCheck } from '../report';

const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A schema registry that accepts connections and answers nothing, for `forMs`, while consumers need
 * it (issue 10, defect 8: a timed-out registry request spent an attempt, so a hung registry
 * dead-lettered events). Consumers ask the registry only for a schema id they have not read yet, so
 * the fault gives them one: a copy of OrderPlaced's writer schema that differs only in its doc is
 * registered under a subject of the run's own (same Avro, a new id), and one delivered OrderPlaced
 * per partition is produced again with that id, once the registry's route is a blackhole. Each
 * group reading orders must wait for the registry, then drop the duplicate by its inbox: nothing
 * may be dead-lettered because of the hang. Runs in the background.
 */
export function registryHangs(run: ChaosRun, { forMs }: { forMs: number }): void {
  const copies: { topic: string; partition: number; offset: string }[] = [];
  run.background(
    run.dependencyFault(() =>
      run.faults.inject('registry-hangs', 'schema registry', async () => {
        const orders = topicName('orders', run.topicPrefix);
        const placed = latestPerPartition(
          (await run.kafka.readAll([orders])).filter(
            (record) => headerText(record.headers, 'event-type') === 'OrderPlaced' && record.value,
          ),
        );
        const [sample] = placed;
        if (!sample?.value) throw new Error(`no OrderPlaced on ${orders} yet`);
        const schemaId = sample.value.readUInt32BE(1);
        const copyId = await registerCopy(run, schemaId);
        const rewritten = placed
          .filter((record) => record.value?.readUInt32BE(1) === schemaId)
          .map((record) => ({ ...record, value: withSchemaId(record.value as Buffer, copyId) }));
        await withRouteFault([run.infra.routes.registry], { kind: 'blackhole' }, async () => {
          copies.push(...(await run.kafka.reproduce(rewritten)));
          await pause(forMs);
        });
        return (
          `${copies.length} delivered OrderPlaced produced again under schema id ${copyId} (a copy of ${schemaId}), ` +
          `while the registry's route was a blackhole for ${forMs / 1000}s`
        );
      }),
    ),
  );
  run.finalChecks.push(async () => {
    const letters = (await run.kafka.readAll(await run.kafka.deadLetterTopics())).filter((letter) =>
      copies.some(
        (copy) =>
          headerText(letter.headers, 'dlq-origin-topic') === copy.topic &&
          headerText(letter.headers, 'dlq-origin-partition') === String(copy.partition) &&
          headerText(letter.headers, 'dlq-origin-offset') === copy.offset,
      ),
    );
    return faultCheck('F-registry', 'registry hangs: nothing dead-lettered because of it', {
      ...(copies.length === 0 && { untested: 'no record needed the registry during the hang' }),
      violations: letters.map(
        (letter) =>
          `dead-lettered by ${headerText(letter.headers, 'dlq-consumer-group')} (${headerText(letter.headers, 'dlq-error-code')})`,
      ),
      checked: `${copies.length} records needed the registry during the hang, none dead-lettered`,
    });
  });
}

/** Registers the schema of `schemaId` again, with another doc, under the run's own subject; returns its id. */
async function registerCopy(run: ChaosRun, schemaId: number): Promise<number> {
  const registry = run.infra.schemaRegistryUrl;
  const original = (await registryJson(`${registry}/schemas/ids/${schemaId}`, 'GET')) as { schema: string };
  const schema = JSON.parse(original.schema) as { doc?: string };
  schema.doc =
    `${schema.doc ?? ''} (chaos run ${run.id}, ${new Date().toISOString()}: a copy under a new id)`.trim();
  const subject = `${run.topicPrefix}chaos-registry-hangs-value`;
  const { id } = (await registryJson(`${registry}/subjects/${encodeURIComponent(subject)}/versions`, 'POST', {
    schema: JSON.stringify(schema),
  })) as { id: number };
  if (id === schemaId) throw new Error(`the registry gave the copy of schema ${schemaId} the same id`);
  return id;
}

async function registryJson(url: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': REGISTRY_CONTENT_TYPE, accept: REGISTRY_CONTENT_TYPE },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** The Confluent wire format: magic byte 0, the schema id (4 bytes, big endian), the Avro body. */
function withSchemaId(value: Buffer, schemaId: number): Buffer {
  const copy = Buffer.from(value);
  copy.writeUInt32BE(schemaId, 1);
  return copy;
}

function latestPerPartition(records: readonly RawRecord[]): RawRecord[] {
  const latest = new Map<number, RawRecord>();
  for (const record of records) {
    const seen = latest.get(record.partition);
    if (!seen || BigInt(record.offset) > BigInt(seen.offset)) latest.set(record.partition, record);
  }
  return [...latest.values()];
}
