export { applyMigrations, type AppliedMigrations } from './apply-migrations';
export { MigrationError } from './migration-error';
export {
  readMigrations,
  readSharedMigrationNames,
  SHARED_MIGRATIONS_FILE,
  type Migration,
  type MigrationSource,
} from './read-migrations';
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
  type PrismaClientClass,
} from './prisma-client';
export { isDatabaseUnavailable, isNetworkFailure } from './database-unavailable';
export { executePipelined, type RunInTransaction, type SqlExecutor } from './sql-executor';
export { lockKeyForTransaction } from './transaction-lock';
export {
  createSqlTransactions,
  TransactionCouldNotStart,
  TransactionExpired,
  type SqlTransactions,
} from './sql-transactions';
