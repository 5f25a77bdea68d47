export { FaultProxy, proxyDatabase, type FaultMode, type FaultProxyOptions } from './fault-proxy';
