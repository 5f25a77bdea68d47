export { containerImages } from './containers';
export { warnOnLowConnectionLimit } from './connection-limit';
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
export { waitFor } from '@ecommerce/system-runner';
export { createPgTransactions, type PgTransactions } from './pg-transactions';
export { propertyTestParameters } from './property/property-test-parameters';
export {
  hostileBody,
  hostileHeaderValue,
  hostileQuery,
  hostileSegment,
  type RawBody,
} from './property/hostile-input';
export { databaseFingerprint, type DatabaseFingerprint } from './property/database-fingerprint';
export {
  assertAnsweredCleanly,
  assertClearAnswer,
  readsAnswerCleanly,
  type HttpAnswer,
} from './property/clear-answer';
