import { parseArgs } from 'node:util';

import { callAdminApi } from '@ecommerce/http-server';

import type { DeadLetterSelection } from './service-dead-letters';

const usage = `Usage: npm run dead-letters -- <list|replay> --url URL [--group GROUP] [filters]
       npm run dead-letters -- quarantine <list|retry|discard> --url URL [--id ID]... [--all]

  list                   print the dead letters of the service at URL (GET /admin/dead-letters)
  replay                 send matching dead letters back to their origin topics; needs a filter or --all
                         (POST /admin/dead-letters/replay)

  quarantine list        print the service's quarantined outbox rows: events the broker refused on
                         every attempt (GET /admin/outbox/quarantine)
  quarantine retry       give the rows (--id, repeatable, or --all) fresh attempts: the relay publishes
                         them next (POST /admin/outbox/quarantine/retry)
  quarantine discard     delete the rows (--id or --all): their events are never published
                         (POST /admin/outbox/quarantine/discard)

  --url URL              the service, e.g. http://127.0.0.1:3003
  --group GROUP          one of its consumer groups (default: all of them)

Filters:
  --event-id ID          the event with this id
  --origin-topic TOPIC   letters that came from TOPIC
  --error-code CODE      letters that failed with CODE
  --all                  every letter (replay only), every quarantined row (retry, discard)
  --id ID                a quarantined row's id, as listed (repeatable)
  --json                 print the letters as JSON

Environment: ADMIN_TOKEN, the service's admin token (the service reads the same variable)`;

/** What the admin API answers for one letter (see dead-letter-admin.routes.ts). */
interface DeadLetterView {
  consumerGroup: string;
  partition: number;
  offset: string;
  eventId: string | null;
  eventType: string | null;
  originTopic: string;
  originPartition: number;
  originOffset: string;
  attempts: number;
  errorCode: string;
  errorMessage: string;
  failedAt: string;
}

/** What the admin API answers for one quarantined outbox row (see outbox-quarantine-admin.routes.ts). */
interface QuarantinedRowView {
  id: string;
  eventId: string;
  eventType: string;
  topic: string;
  key: string;
  payloadBytes: number;
  attempts: number;
  lastError: string | null;
  quarantinedAt: string;
}

function describeRow(row: QuarantinedRowView): string {
  return (
    `#${row.id}  ${row.eventType} ${row.eventId}  to ${row.topic} key ${row.key} (${row.payloadBytes} bytes)` +
    `  after ${row.attempts} attempt(s), quarantined at ${row.quarantinedAt}  ${row.lastError ?? ''}`
  );
}

/** `quarantine list|retry|discard`: the outbox rows the relay set aside, through the admin API. */
async function quarantine(
  action: string | undefined,
  call: { url: string; token: string | undefined },
  options: { ids: string[] | undefined; all: boolean | undefined; json: boolean | undefined },
): Promise<void> {
  const print = (rows: QuarantinedRowView[], heading: string) => {
    if (options.json) return void console.log(JSON.stringify(rows));
    console.log(heading);
    for (const row of rows) console.log(describeRow(row));
  };
  switch (action) {
    case 'list': {
      const rows = (await callAdminApi({
        ...call,
        method: 'GET',
        path: '/admin/outbox/quarantine',
      })) as QuarantinedRowView[];
      return print(rows, `${rows.length} quarantined outbox row(s) at ${call.url}`);
    }
    case 'retry':
    case 'discard': {
      const body = options.ids?.length ? { ids: options.ids } : options.all ? { all: true } : {};
      const answer = (await callAdminApi({
        ...call,
        method: 'POST',
        path: `/admin/outbox/quarantine/${action}`,
        body,
      })) as Record<'retried' | 'discarded', QuarantinedRowView[] | undefined>;
      const rows = (action === 'retry' ? answer.retried : answer.discarded) ?? [];
      return print(
        rows,
        `${action === 'retry' ? 'released' : 'discarded'} ${rows.length} quarantined outbox row(s)`,
      );
    }
    default:
      throw new Error(`unknown quarantine command "${action ?? ''}"\n\n${usage}`);
  }
}

function describe(letter: DeadLetterView): string {
  return (
    `${letter.consumerGroup} ${letter.partition}:${letter.offset}  ${letter.eventType ?? '?'} ${letter.eventId ?? '?'}` +
    `  from ${letter.originTopic}[${letter.originPartition}]@${letter.originOffset}` +
    `  after ${letter.attempts} attempt(s) at ${letter.failedAt}  ${letter.errorCode}: ${letter.errorMessage}`
  );
}

/**
 * A client of the service's admin API, which holds the Kafka access and requires the admin token:
 * operators go through the same credential as any other caller.
 */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      group: { type: 'string' },
      'event-id': { type: 'string' },
      'origin-topic': { type: 'string' },
      'error-code': { type: 'string' },
      all: { type: 'boolean' },
      id: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, action] = positionals;
  if (values.help || !command) return void console.log(usage);
  if (!values.url) throw new Error(`--url is required\n\n${usage}`);

  const selection: DeadLetterSelection = {
    consumerGroup: values.group,
    eventId: values['event-id'],
    originTopic: values['origin-topic'],
    errorCode: values['error-code'],
  };
  const call = { url: values.url, token: process.env['ADMIN_TOKEN'] };
  if (command === 'quarantine')
    return quarantine(action, call, { ids: values.id, all: values.all, json: values.json });

  switch (command) {
    case 'list': {
      const letters = (await callAdminApi({
        ...call,
        method: 'GET',
        path: '/admin/dead-letters',
        query: { ...selection },
      })) as DeadLetterView[];
      if (values.json) return void console.log(JSON.stringify(letters));
      console.log(`${letters.length} dead letter(s) at ${values.url}`);
      for (const letter of letters) console.log(describe(letter));
      return;
    }
    case 'replay': {
      const { replayed } = (await callAdminApi({
        ...call,
        method: 'POST',
        path: '/admin/dead-letters/replay',
        body: { ...selection, ...(values.all && { all: true }) },
      })) as { replayed: DeadLetterView[] };
      if (values.json) return void console.log(JSON.stringify(replayed));
      console.log(`replayed ${replayed.length} dead letter(s)`);
      for (const letter of replayed) console.log(describe(letter));
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
