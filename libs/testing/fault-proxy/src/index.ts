export { FaultProxy, type FaultMode, type FaultProxyOptions } from './fault-proxy';
