import type { Verdict } from '@ecommerce/system-runner';

import type { Finding } from './findings';
import { headerText, type KafkaAccess } from './kafka-access';
import { outboxRows } from './service-databases';

/** A record the run put on a topic on purpose, which every group reading that topic must dead-letter. */
export interface PoisonRecord {
  topic: string;
  partition: number;
  offset: string;
}

/** What the faults of a run made undeliverable on purpose, which is therefore not lost. */
export interface DeliveryExpectations {
  poison: readonly PoisonRecord[];
  /** Dead letters a fault caused on purpose, where they are on their dead-letter topics. */
  deadLetters: readonly { topic: string; partition: number; offset: string }[];
  /** Event ids of outbox rows a fault wrote that the broker refuses: quarantined, not published. */
  unpublishable: ReadonlySet<string>;
}

/**
 * Invariant 6 read at the source rather than from metrics (which restart with each killed process):
 * - every outbox row of every service is published and its event is on its topic (by event id);
 *   a quarantined row is an event not delivered, unless a fault wrote it to be refused;
 * - every consumer group has consumed every topic it reads to the end (lag 0 from its committed
 *   offsets, so duplicates and poison count too);
 * - the dead-letter topics hold only what the faults caused: the poison, at least once per group
 *   that reads its topic (again after a kill between a dead letter and its offset commit), and the
 *   letters a fault made on purpose.
 * Returns the verdict and what was lost, counted (events unpublished, unconsumed, dead-lettered).
 */
export async function nothingLost(
  kafka: KafkaAccess,
  databaseUrls: readonly string[],
  expected: DeliveryExpectations,
): Promise<{ verdict: Verdict; lost: Finding[] }> {
  const lost: Finding[] = [];
  const problems: string[] = [];

  const published = new Set<string>();
  for (const record of await kafka.readAll(await kafka.eventTopics())) {
    const eventId = headerText(record.headers, 'event-id');
    if (eventId) published.add(eventId);
  }
  let rowCount = 0;
  for (const url of databaseUrls) {
    const rows = await outboxRows(url);
    if (!rows) continue; // a service that publishes nothing (analytics) has no outbox
    rowCount += rows.length;
    const ofInterest = rows.filter((row) => !expected.unpublishable.has(row.eventId));
    const database = databaseName(url);
    const unpublished = ofInterest.filter((row) => !row.published && !row.quarantined).length;
    if (unpublished > 0) lost.push({ count: unpublished, what: `${database}: outbox rows unpublished` });
    const quarantined = ofInterest.filter((row) => row.quarantined).length;
    if (quarantined > 0) lost.push({ count: quarantined, what: `${database}: outbox rows quarantined` });
    const missing = ofInterest.filter((row) => row.published && !published.has(row.eventId));
    if (missing.length > 0) {
      lost.push({
        count: missing.length,
        what: `${database}: published outbox rows not on their topic (e.g. ${missing[0]?.eventId})`,
      });
    }
  }

  const lags = await kafka.consumerLag();
  for (const { group, topic, lag } of lags) {
    if (lag !== 0) lost.push({ count: lag, what: `group ${group} has not consumed ${topic}` });
  }

  const deadLetters = await kafka.readAll(await kafka.deadLetterTopics());
  const poisonAt = (origin: { topic?: string; partition?: string; offset?: string }) =>
    expected.poison.find(
      (p) =>
        p.topic === origin.topic && String(p.partition) === origin.partition && p.offset === origin.offset,
    );
  /** Per group, how many times it dead-lettered each poison record. */
  const poisonedGroups = new Map<string, Map<PoisonRecord, number>>();
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
    const poison = poisonAt(origin);
    if (poison) {
      const counts = poisonedGroups.get(group) ?? new Map<PoisonRecord, number>();
      counts.set(poison, (counts.get(poison) ?? 0) + 1);
      poisonedGroups.set(group, counts);
      continue;
    }
    const onPurpose = expected.deadLetters.some(
      (d) => d.topic === letter.topic && d.partition === letter.partition && d.offset === letter.offset,
    );
    if (onPurpose) continue;
    const kind = `${group}: ${header('event-type')} (${header('dlq-error-code')}: ${header('dlq-error-message')?.replace(/\s+/g, ' ').slice(0, 80)})`;
    const failedAt = header('dlq-failed-at') ?? '';
    const seen = unexpected.get(kind);
    unexpected.set(kind, {
      count: (seen?.count ?? 0) + 1,
      firstFailedAt: seen && seen.firstFailedAt < failedAt ? seen.firstFailedAt : failedAt,
    });
  }
  for (const [kind, { count, firstFailedAt }] of unexpected) {
    lost.push({ count, what: `dead-lettered in ${kind}, first at ${firstFailedAt}` });
  }
  const readersOfPoison = new Set(
    lags.filter((l) => expected.poison.some((p) => p.topic === l.topic)).map((l) => l.group),
  );
  // At least once per group: an instance killed between its dead letter and its offset commit
  // leaves the record to the next owner of the partition, which dead-letters it again.
  let repeated = 0;
  for (const group of readersOfPoison) {
    const counts = poisonedGroups.get(group);
    const missed = expected.poison.filter((record) => !counts?.get(record));
    if (missed.length > 0)
      problems.push(`group ${group} did not dead-letter ${missed.length} poison record(s)`);
    for (const count of counts?.values() ?? []) repeated += count - 1;
  }

  const violations = [...lost.map((finding) => `${finding.count} ${finding.what}`), ...problems];
  if (violations.length > 0) return { verdict: { held: false, detail: violations.join('; ') }, lost };
  return {
    verdict: {
      held: true,
      detail:
        `${rowCount} outbox rows published (${expected.unpublishable.size} refused on purpose), ` +
        `${lags.length} group/topic pairs at lag 0, dead letters: only those the faults made ` +
        `(${deadLetters.length}: the poison in ${readersOfPoison.size} groups, ${repeated} of them again after a kill, ` +
        `${expected.deadLetters.length} on purpose)`,
    },
    lost,
  };
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}
