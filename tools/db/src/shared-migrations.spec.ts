import { readMigrations } from '@ecommerce/database';

import { migrationSource, serviceDatabases } from './services';

// The checksums `_prisma_migrations` holds for these migrations in every database migrated while
// each service kept its own copy of the SQL (taken from those copies before they were removed).
// Assembled from the libraries, the SQL must hash the same, or those databases would be refused.
const outboxAndInbox = '6e10894f59ce2b4894f6100fb8acf82dda44f5de19cd9df5bcbeb58812906278';
const inboxOnly = 'd148ae67280f006cca760af4f7b22be10ddc7dd34186f8a82358dbce16c05420';
const inboxProcessedAtIndex = '48f81c2865031bd851fd9b942a6f1c09a21adca12f19c871d0b9e52acaf5cf1d';
const outboxQuarantine = '427fdbdf2b29d2bd8710c4374445035fafc0c0e746a3e250bdd0aecbf3bbbcec';
const outboxWaitingRowsIndex = '15a0683e84ef152fc9df7c5353f5033cbe1603d80b2cd51497eef0b38b980761';

const recordedChecksums: Record<string, [name: string, checksum: string][]> = {
  order: [
    ['20261123011948_outbox_and_inbox', outboxAndInbox],
    ['20261203092642_inbox_processed_at_index', inboxProcessedAtIndex],
    ['20261203093210_outbox_quarantine', outboxQuarantine],
    ['20261207193600_outbox_waiting_rows_index', outboxWaitingRowsIndex],
  ],
  inventory: [
    ['20261123011952_outbox_and_inbox', outboxAndInbox],
    ['20261203092644_inbox_processed_at_index', inboxProcessedAtIndex],
    ['20261203093214_outbox_quarantine', outboxQuarantine],
    ['20261207193601_outbox_waiting_rows_index', outboxWaitingRowsIndex],
  ],
  payment: [
    ['20261123011956_outbox_and_inbox', outboxAndInbox],
    ['20261203092647_inbox_processed_at_index', inboxProcessedAtIndex],
    ['20261203093218_outbox_quarantine', outboxQuarantine],
    ['20261207193602_outbox_waiting_rows_index', outboxWaitingRowsIndex],
  ],
  notification: [
    ['20261123012000_outbox_and_inbox', outboxAndInbox],
    ['20261203092648_inbox_processed_at_index', inboxProcessedAtIndex],
    ['20261203093222_outbox_quarantine', outboxQuarantine],
    ['20261207193603_outbox_waiting_rows_index', outboxWaitingRowsIndex],
  ],
  analytics: [
    ['20261123012004_outbox_and_inbox', inboxOnly],
    ['20261203092649_inbox_processed_at_index', inboxProcessedAtIndex],
  ],
};

describe("services' shared migrations", () => {
  it.each(serviceDatabases.map((s) => [s.project, s] as const))(
    '%s: assembled from the libraries, they keep the names and checksums databases recorded',
    async (_project, service) => {
      const migrations = await readMigrations(migrationSource(service));
      expect(
        migrations.filter((m) => m.sharedMigrations.length > 0).map((m) => [m.name, m.checksum]),
      ).toEqual(recordedChecksums[service.service]);
    },
  );

  it.each(serviceDatabases.map((s) => [s.project, s] as const))(
    "%s: its own migrations do not create the outbox or inbox tables (the libraries' shared migrations do)",
    async (_project, service) => {
      const copies = (await readMigrations(migrationSource(service)))
        .filter((m) => m.sharedMigrations.length === 0 && /CREATE TABLE "(outbox|inbox)"/.test(m.sql))
        .map((m) => m.name);
      expect(copies).toEqual([]);
    },
  );
});
