export { migrateServiceDatabase } from './migrate-service';
export { findSchemaDrift } from './schema-drift';
export { findServiceDatabase, migrationsDir, serviceDatabases, type ServiceDatabase } from './services';
