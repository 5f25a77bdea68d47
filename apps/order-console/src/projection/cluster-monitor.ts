import { allTopics } from '@ecommerce/contracts';
import type { ClusterWatch, ConsumerGroupPositions, DeadLetter } from '@ecommerce/messaging';

export interface DeadLetterView {
  eventId: string | null;
  eventType: string | null;
  errorCode: string;
  errorMessage: string;
  failedAt: string;
  originTopic: string;
  originPartition: number;
  originOffset: number;
}

export interface ConsumerGroupView {
  /** The group's name in the system (`inventory-service`), without the topic prefix. */
  name: string;
  groupId: string;
  lag: number;
  topics: string[];
  deadLetters: { topic: string; count: number; newest: DeadLetterView[] };
}

export interface ClusterView {
  groups: ConsumerGroupView[];
  /** When the last look at the cluster succeeded; null before the first. */
  observedAt: number | null;
  /** Why the last look failed, while it fails. */
  problem: string | null;
}

/** Whether a consumer group has handled one event (from its committed offset and its dead letters). */
export type HandlingState = 'handled' | 'pending' | 'dead-lettered';

const NEWEST_DEAD_LETTERS = 5;

/**
 * Consumer lag and dead letters of one system, from Kafka itself (SPEC 9: no service is called):
 * every few seconds, the committed offsets of the groups named `<prefix>...` against the ends of
 * the topics, and the size of each dead-letter topic `<prefix>dlq.<group>`. When a dead-letter
 * topic grows, its letters are read again (they hold the error code and the origin offset in their
 * headers) and the newest few kept. The offsets also say, for any event on a timeline, which groups
 * have handled it.
 */
export class ClusterMonitor {
  private view: ClusterView = { groups: [], observedAt: null, problem: null };
  private positions: ConsumerGroupPositions[] = [];
  private readonly letters = new Map<string, { count: number; letters: DeadLetter[] }>();
  private timer: NodeJS.Timeout | undefined;
  private observing: Promise<void> | undefined;

  constructor(
    private readonly options: {
      watch: Pick<ClusterWatch, 'consumerGroupPositions' | 'topicSizes'>;
      readDeadLetters: (topic: string) => Promise<DeadLetter[]>;
      topicPrefix: string;
      /** Groups of the console itself, which store no offsets and are not part of the saga. */
      ownGroupPrefix: string;
      intervalMs: number;
      onChange: () => void;
      logger: { warn(object: object, message: string): void; info(object: object, message: string): void };
    },
  ) {}

  current(): ClusterView {
    return this.view;
  }

  /** For each group that reads the event's topic: has it handled the event? */
  handlingOf(event: {
    topic: string;
    partition: number;
    offset: number;
  }): { group: string; state: HandlingState }[] {
    return this.positions.flatMap(({ groupId, partitions }) => {
      const position = partitions.find((p) => p.topic === event.topic && p.partition === event.partition);
      if (!position) return [];
      const group = groupId.slice(this.options.topicPrefix.length);
      const deadLettered = this.letters
        .get(this.deadLetterTopic(group))
        ?.letters.some(
          (letter) =>
            letter.originTopic === event.topic &&
            letter.originPartition === event.partition &&
            Number(letter.originOffset) === event.offset,
        );
      const state: HandlingState = deadLettered
        ? 'dead-lettered'
        : position.committed > event.offset
          ? 'handled'
          : 'pending';
      return [{ group, state }];
    });
  }

  start(): void {
    const tick = () => {
      this.observing ??= this.observe().finally(() => (this.observing = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.observing;
  }

  /** One look at the cluster; a failure is kept as the view's problem and logged once per streak. */
  async observe(): Promise<void> {
    const { watch, topicPrefix } = this.options;
    try {
      const positions = (
        await watch.consumerGroupPositions({ groupPrefix: topicPrefix, topics: allTopics(topicPrefix) })
      ).filter(({ groupId }) => !groupId.startsWith(this.options.ownGroupPrefix));
      const sizes = await watch.topicSizes(`${topicPrefix}dlq.`);
      for (const { topic, messages } of sizes) {
        if (this.letters.get(topic)?.count === messages) continue;
        this.letters.set(topic, { count: messages, letters: await this.options.readDeadLetters(topic) });
      }
      // Offsets can move with the lag unchanged (a group keeping up): timelines show them, so they count.
      const before = JSON.stringify([this.view.groups, this.positions, this.view.problem]);
      this.positions = positions;
      this.view = { groups: this.groupViews(positions, sizes), observedAt: Date.now(), problem: null };
      if (JSON.stringify([this.view.groups, this.positions, null]) !== before) this.options.onChange();
    } catch (error) {
      if (this.view.problem === null)
        this.options.logger.warn({ err: error }, 'cannot read the cluster; retrying');
      this.view = { ...this.view, problem: (error as Error).message };
      this.options.onChange();
    }
  }

  private deadLetterTopic(group: string): string {
    return `${this.options.topicPrefix}dlq.${group}`;
  }

  private groupViews(
    positions: ConsumerGroupPositions[],
    deadLetterTopics: { topic: string; messages: number }[],
  ): ConsumerGroupView[] {
    const names = new Set([
      ...positions.map(({ groupId }) => groupId.slice(this.options.topicPrefix.length)),
      ...deadLetterTopics.map(({ topic }) => topic.slice(`${this.options.topicPrefix}dlq.`.length)),
    ]);
    return [...names].sort().map((name) => {
      const position = positions.find(({ groupId }) => groupId === `${this.options.topicPrefix}${name}`);
      const topic = this.deadLetterTopic(name);
      const letters = this.letters.get(topic);
      return {
        name,
        groupId: `${this.options.topicPrefix}${name}`,
        lag: position?.partitions.reduce((sum, p) => sum + p.lag, 0) ?? 0,
        topics: [...new Set(position?.partitions.map((p) => p.topic) ?? [])],
        deadLetters: {
          topic,
          count: letters?.count ?? 0,
          newest: [...(letters?.letters ?? [])]
            .sort((a, b) => b.failedAt.localeCompare(a.failedAt))
            .slice(0, NEWEST_DEAD_LETTERS)
            .map((letter) => ({
              eventId: letter.headers['event-id'] ?? null,
              eventType: letter.headers['event-type'] ?? null,
              errorCode: letter.errorCode,
              errorMessage: letter.errorMessage,
              failedAt: letter.failedAt,
              originTopic: letter.originTopic,
              originPartition: letter.originPartition,
              originOffset: Number(letter.originOffset),
            })),
        },
      };
    });
  }
}
