import { escapeIdentifier, escapeLiteral } from 'pg';

import type { PgTransactions } from '../pg-transactions';

/** Per table: its row count and a digest of its rows. */
export type DatabaseFingerprint = Record<string, { rows: number; digest: string }>;

/**
 * A fingerprint of every table of a database's public schema (the migration history aside): equal
 * fingerprints before and after a request show it changed nothing, in any table, outbox included.
 * `ignoring` names columns written in the background, not by requests: the outbox relay sets
 * `published_at` on its own schedule.
 */
export async function databaseFingerprint(
  db: Pick<PgTransactions, 'query'>,
  { ignoring = [] }: { ignoring?: readonly string[] } = {},
): Promise<DatabaseFingerprint> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
     ORDER BY table_name`,
  );
  const perTable = tables.map(({ name }) => {
    const row = `(to_jsonb(t) - $1::text[])::text`;
    return `SELECT ${escapeLiteral(name)} AS name, count(*)::int AS rows,
                   md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS digest
            FROM ${escapeIdentifier(name)} t`;
  });
  const rows = await db.query<{ name: string; rows: number; digest: string }>(perTable.join(' UNION ALL '), [
    ignoring,
  ]);
  return Object.fromEntries(rows.map(({ name, rows: count, digest }) => [name, { rows: count, digest }]));
}
