export { waitFor } from './wait-for';
export { ServiceProcess, type RunFrom, type ServiceProcessOptions } from './service-process';
export {
  startServices,
  serviceNames,
  type ServiceName,
  type RunningServices,
  type StartServicesOptions,
} from './system';
export { call, type CallResult } from './http';
export {
  checkInvariants,
  judgeSnapshot,
  readSnapshot,
  waitForInvariants,
  type InvariantExpectations,
  type InvariantResult,
  type NotificationRecord,
  type ObservedSystem,
  type PaymentRecord,
  type SystemSnapshot,
  type Verdict,
} from './invariants';
