import { parseArgs } from 'node:util';

import { createKafka, parseBrokers } from '../kafka-client';
import { deadLetterTopic } from '../dead-letter';
import { readDeadLetters } from './read-dead-letters';
import { matchesFilter, replayDeadLetters, type DeadLetterFilter } from './replay-dead-letters';

const usage = `Usage: npm run dead-letters -- <list|replay> --group GROUP [filters]

  list                   print the dead letters of consumer group GROUP (topic <prefix>dlq.<GROUP>)
  replay                 send matching dead letters back to their origin topics; needs a filter or --all

Filters:
  --event-id ID          the event with this id
  --origin-topic TOPIC   letters that came from TOPIC
  --error-code CODE      letters that failed with CODE
  --all                  every letter (replay only)

Environment: KAFKA_BROKERS (default 127.0.0.1:9092), TOPIC_PREFIX (default ecommerce.)`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      'event-id': { type: 'string' },
      'origin-topic': { type: 'string' },
      'error-code': { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) return void console.log(usage);
  if (!values.group) throw new Error(`--group is required\n\n${usage}`);

  const kafka = createKafka({
    clientId: 'dead-letter-tool',
    brokers: parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'),
  });
  const topic = deadLetterTopic(process.env['TOPIC_PREFIX'] ?? 'ecommerce.', values.group);
  const filter: DeadLetterFilter = {
    eventId: values['event-id'],
    originTopic: values['origin-topic'],
    errorCode: values['error-code'],
  };
  const letters = (await readDeadLetters(kafka, topic)).filter((letter) => matchesFilter(letter, filter));

  switch (command) {
    case 'list':
      if (values.json)
        return void console.log(
          JSON.stringify(
            letters.map(({ key, value: _value, ...rest }) => ({ ...rest, key: key?.toString() })),
          ),
        );
      console.log(`${letters.length} dead letter(s) in ${topic}`);
      for (const letter of letters) {
        console.log(
          `${letter.partition}:${letter.offset}  ${letter.headers['event-type'] ?? '?'} ${letter.headers['event-id'] ?? '?'}` +
            `  from ${letter.originTopic}[${letter.originPartition}]@${letter.originOffset}` +
            `  after ${letter.attempts} attempt(s) at ${letter.failedAt}  ${letter.errorCode}: ${letter.errorMessage}`,
        );
      }
      return;
    case 'replay': {
      const filtered = filter.eventId || filter.originTopic || filter.errorCode;
      if (!filtered && !values.all)
        throw new Error('replay needs a filter (--event-id, --origin-topic, --error-code) or --all');
      const replayed = await replayDeadLetters(kafka, topic, letters);
      console.log(`replayed ${replayed} dead letter(s) from ${topic}`);
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
