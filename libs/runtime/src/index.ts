export { startEventBackbone, type EventBackbone, type EventBackboneSettings } from './event-backbone';
export { writeEvent } from './write-event';
export { commandMetadata, reactionMetadata, type EventOutbox } from './event-metadata';
export { asyncApiDocument, type AsyncApiOptions } from './asyncapi/asyncapi-document';
export {
  defineService,
  prismaDatabase,
  type ServiceDatabaseDeclaration,
  type ConsumerDeclaration,
  type ConsumerGroups,
  type ServiceContext,
  type ServiceDatabase,
  type ServiceDeclaration,
  type ServiceLogger,
  type ServiceParts,
  type ServiceRuntimeSettings,
} from './service/service-declaration';
export {
  buildServiceApp,
  serveService,
  startService,
  type ServiceAppContext,
  type StartedService,
  type StartServiceOptions,
} from './service/start-service';
// What a service's handlers are written with: the runtime is the one messaging API apps import.
export {
  consumerGroupId,
  externalEffectHandler,
  forgetInboxEntriesOf,
  PermanentFailure,
  type ConsumedEvent,
  type ConsumerLogger,
  type EventHandler,
  type EventHandlers,
  type LockBatch,
  type RecordInTransaction,
} from '@ecommerce/messaging';
