// Test support (`@ecommerce/contracts/testing`): one realistic event of each type.
export { sampleEvents } from './sample-events';
