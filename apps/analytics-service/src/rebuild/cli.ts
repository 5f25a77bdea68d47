import { parseArgs } from 'node:util';

import { callAdminApi } from '@ecommerce/http-server';

const usage = `Usage: npx tsx apps/analytics-service/src/rebuild/cli.ts --url URL

Rebuilds analytics' read models through the service at URL (POST /admin/projections/rebuild): that
instance stops its consumer, empties the read models, moves its consumer group back to offset zero
and starts consuming again, replaying the orders topic. Refused (409), nothing changed, while other
instances of the service consume in the group (CONSUMER_GROUP_ACTIVE: stop them first, start them
again after), or when a partition of the topic no longer starts at offset 0, its first events deleted
by retention (TOPIC_HISTORY_INCOMPLETE: the replay would lose those orders).

Environment: ADMIN_TOKEN, the service's admin token (the service reads the same variable)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(usage);
  if (!values.url) throw new Error(`--url is required\n\n${usage}`);
  const report = await callAdminApi({
    url: values.url,
    token: process.env['ADMIN_TOKEN'],
    method: 'POST',
    path: '/admin/projections/rebuild',
  });
  console.log(JSON.stringify(report));
  console.log('read models emptied and offsets reset; the service is replaying the topics');
}

main().catch((error: unknown) => {
  console.error(`rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
