export { applyMigrations, MigrationError, readMigrations, type AppliedMigrations } from './apply-migrations';
export { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from './database-admin';
export { createPrismaClient, databaseDependency } from './prisma-client';
