export { exportPrismaMigrations } from './export-migrations';
export { migrateServiceDatabase } from './migrate-service';
export { findSchemaDrift } from './schema-drift';
export {
  findServiceDatabase,
  migrationSource,
  migrationsDir,
  serviceDatabases,
  sharedMigrationsDirs,
  type ServiceDatabase,
} from './services';
