export { startEventBackbone, type EventBackbone, type EventBackboneSettings } from './event-backbone';
export { writeEvent } from './write-event';
export { commandMetadata, reactionMetadata, type EventOutbox } from './event-metadata';
export { asyncApiDocument, type AsyncApiOptions } from './asyncapi/asyncapi-document';
