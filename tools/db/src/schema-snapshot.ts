import { Client } from 'pg';

/**
 * A comparable description of a database's public schema: tables, columns (type, nullability,
 * default), enums, primary/unique/foreign keys and indexes. CHECK constraints and partial indexes
 * (`WHERE ...`) are left out on purpose: Prisma's schema language cannot express them, so
 * migrations may add them freely.
 */
export interface SchemaSnapshot {
  columns: string[];
  enums: string[];
  constraints: string[];
  indexes: string[];
}

export async function snapshotSchema(databaseUrl: string): Promise<SchemaSnapshot> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const lines = async (sql: string) =>
      (await client.query<{ line: string }>(sql)).rows.map((row) => row.line);
    return {
      columns: await lines(`
        SELECT table_name || '.' || column_name || ' ' || udt_name
               || coalesce('(' || character_maximum_length || ')', '')
               || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
               || coalesce(' DEFAULT ' || column_default, '') AS line
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY 1`),
      enums: await lines(`
        SELECT t.typname || ': ' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS line
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
        GROUP BY t.typname ORDER BY 1`),
      constraints: await lines(`
        SELECT c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
        WHERE c.contype IN ('p', 'u', 'f') AND c.conrelid::regclass::text <> '_prisma_migrations'
        ORDER BY 1`),
      indexes: await lines(`
        SELECT indexdef AS line FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' AND indexdef NOT LIKE '% WHERE %'
        ORDER BY 1`),
    };
  } finally {
    await client.end();
  }
}

/** Human-readable differences, `-` for only in `expected`, `+` for only in `actual`. */
export function compareSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(expected) as (keyof SchemaSnapshot)[]) {
    const want = new Set(expected[key]);
    const have = new Set(actual[key]);
    for (const line of want) if (!have.has(line)) differences.push(`- ${key}: ${line}`);
    for (const line of have) if (!want.has(line)) differences.push(`+ ${key}: ${line}`);
  }
  return differences;
}
