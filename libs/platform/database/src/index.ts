export { applyMigrations, MigrationError, readMigrations, type AppliedMigrations } from './apply-migrations';
export {
  createDatabaseIfMissing,
  databaseUrlOnServer,
  dropDatabase,
  withAdminClient,
} from './database-admin';
export {
  createPrismaClient,
  databaseDependency,
  defaultDatabaseTransactionSettings,
  type DatabaseTransactionSettings,
} from './prisma-client';
export { isDatabaseUnavailable, isNetworkFailure } from './database-unavailable';
export type { RunInTransaction, SqlExecutor } from './sql-executor';
export { lockKeyForTransaction } from './transaction-lock';
