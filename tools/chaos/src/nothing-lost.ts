import type { Verdict } from '@ecommerce/system-runner';
import { Client } from 'pg';

import { headerText, type KafkaAccess } from './kafka-access';

/** A record the run put on a topic on purpose, which every group reading that topic must dead-letter. */
export interface PoisonRecord {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Invariant 6 read at the source rather than from metrics (which restart with each killed process):
 * - every outbox row of every service is published, and its event is on its topic (by event id);
 * - every consumer group has consumed every topic it reads to the end (lag 0 from its committed
 *   offsets, so duplicates and poison count too);
 * - the dead-letter topics hold exactly the injected poison, once per group that reads its topic.
 */
export async function nothingLost(
  kafka: KafkaAccess,
  databaseUrls: readonly string[],
  poison: readonly PoisonRecord[],
): Promise<Verdict> {
  const violations: string[] = [];

  const published = new Set<string>();
  for (const record of await kafka.readAll(await kafka.eventTopics())) {
    const eventId = headerText(record.headers, 'event-id');
    if (eventId) published.add(eventId);
  }
  let outboxRows = 0;
  for (const url of databaseUrls) {
    const rows = await outboxRowsOf(url);
    outboxRows += rows.length;
    const unpublished = rows.filter((row) => !row.published).length;
    if (unpublished > 0) violations.push(`${databaseName(url)}: ${unpublished} outbox rows unpublished`);
    const missing = rows.filter((row) => row.published && !published.has(row.eventId));
    if (missing.length > 0) {
      violations.push(
        `${databaseName(url)}: ${missing.length} published rows not on their topic (e.g. ${missing[0]?.eventId})`,
      );
    }
  }

  const lags = await kafka.consumerLag();
  for (const { group, topic, lag } of lags) {
    if (lag !== 0) violations.push(`group ${group} is ${lag} behind on ${topic}`);
  }

  const deadLetters = await kafka.readAll(await kafka.deadLetterTopics());
  const isPoison = (origin: { topic?: string; partition?: string; offset?: string }) =>
    poison.some(
      (p) =>
        p.topic === origin.topic && String(p.partition) === origin.partition && p.offset === origin.offset,
    );
  const poisonedGroups = new Map<string, number>();
  // Unexpected dead letters, counted by group, event type and error, with when the first one failed.
  const unexpected = new Map<string, { count: number; firstFailedAt: string }>();
  for (const letter of deadLetters) {
    const header = (name: string) => headerText(letter.headers, name);
    const group = header('dlq-consumer-group') ?? letter.topic;
    const origin = {
      topic: header('dlq-origin-topic'),
      partition: header('dlq-origin-partition'),
      offset: header('dlq-origin-offset'),
    };
    if (isPoison(origin)) {
      poisonedGroups.set(group, (poisonedGroups.get(group) ?? 0) + 1);
      continue;
    }
    const kind = `${group}: ${header('event-type')} (${header('dlq-error-code')}: ${header('dlq-error-message')?.replace(/\s+/g, ' ').slice(0, 80)})`;
    const failedAt = header('dlq-failed-at') ?? '';
    const seen = unexpected.get(kind);
    unexpected.set(kind, {
      count: (seen?.count ?? 0) + 1,
      firstFailedAt: seen && seen.firstFailedAt < failedAt ? seen.firstFailedAt : failedAt,
    });
  }
  for (const [kind, { count, firstFailedAt }] of unexpected) {
    violations.push(`${count} dead letter(s) in ${kind}, first at ${firstFailedAt}`);
  }
  const readersOfPoison = new Set(
    lags.filter((l) => poison.some((p) => p.topic === l.topic)).map((l) => l.group),
  );
  for (const group of readersOfPoison) {
    const count = poisonedGroups.get(group) ?? 0;
    if (count !== poison.length)
      violations.push(`group ${group} dead-lettered the poison ${count} time(s), expected ${poison.length}`);
  }

  if (violations.length > 0) return { held: false, detail: violations.join('; ') };
  return {
    held: true,
    detail:
      `${outboxRows} outbox rows published, ${lags.length} group/topic pairs at lag 0, ` +
      `dead letters: only the poison (${deadLetters.length}, in ${readersOfPoison.size} groups)`,
  };
}

async function outboxRowsOf(url: string): Promise<{ eventId: string; published: boolean }[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('outbox') IS NOT NULL AS exists`,
    );
    // A service that publishes nothing (analytics) has no outbox.
    if (!rows[0]?.exists) return [];
    const outbox = await client.query<{ event_id: string; published: boolean }>(
      'SELECT event_id, published_at IS NOT NULL AS published FROM outbox',
    );
    return outbox.rows.map((row) => ({ eventId: row.event_id, published: row.published }));
  } finally {
    await client.end();
  }
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}
