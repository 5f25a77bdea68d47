/** The Avro namespace of every event record; with the record name it identifies the event type. */
export const EVENT_NAMESPACE = 'com.ecommerce.events';
