export { containerImages } from './containers';
export {
  exportInfrastructure,
  provisionTestInfrastructure,
  type InfrastructureSource,
  type ProvisionedInfrastructure,
} from './provision';
export { createTestDatabase, type TestDatabase } from './test-database';
export {
  infrastructureFromEnvironment,
  testInfrastructure,
  type TestInfrastructure,
} from './test-infrastructure';
export { freePort } from '@ecommerce/local-infra';
export { waitFor } from './wait-for';
export { createPgTransactions, type PgTransactions } from './pg-transactions';
