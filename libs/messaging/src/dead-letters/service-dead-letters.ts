import type { Kafka } from 'kafkajs';

import { deadLetterTopic } from '../dead-letter';
import { readDeadLetters, type DeadLetter } from './read-dead-letters';
import { matchesFilter, replayDeadLetters, type DeadLetterFilter } from './replay-dead-letters';

/** A dead letter with the consumer group whose topic (`<prefix>dlq.<group>`) holds it. */
export interface GroupDeadLetter extends DeadLetter {
  consumerGroup: string;
  topic: string;
}

export interface DeadLetterSelection extends DeadLetterFilter {
  /** One of the service's groups; all of them when absent. */
  consumerGroup?: string;
}

export interface ServiceDeadLetters {
  /** The dead letters of the selected groups that match the filter, group by group, in topic order. */
  find(selection: DeadLetterSelection): Promise<GroupDeadLetter[]>;
  /** Sends those back to their origin topics (see `replayDeadLetters`) and returns them. */
  replay(selection: DeadLetterSelection): Promise<GroupDeadLetter[]>;
}

/** The dead letters of one service: those of its consumer groups. */
export function serviceDeadLetters(deps: {
  kafka: Kafka;
  topicPrefix: string;
  consumerGroups: readonly string[];
}): ServiceDeadLetters {
  const { kafka, topicPrefix, consumerGroups } = deps;

  async function findByGroup(selection: DeadLetterSelection) {
    const groups = selection.consumerGroup === undefined ? consumerGroups : [selection.consumerGroup];
    return Promise.all(
      groups.map(async (consumerGroup) => {
        const topic = deadLetterTopic(topicPrefix, consumerGroup);
        const letters = (await readDeadLetters(kafka, topic))
          .filter((letter) => matchesFilter(letter, selection))
          .map((letter) => ({ ...letter, consumerGroup, topic }));
        return { topic, letters };
      }),
    );
  }

  return {
    async find(selection) {
      return (await findByGroup(selection)).flatMap(({ letters }) => letters);
    },
    async replay(selection) {
      const found = await findByGroup(selection);
      // One group after the other: each replay is its own idempotent producer, in letter order.
      for (const { topic, letters } of found) await replayDeadLetters(kafka, topic, letters);
      return found.flatMap(({ letters }) => letters);
    },
  };
}
