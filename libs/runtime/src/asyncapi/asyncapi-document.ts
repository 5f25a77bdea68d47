import {
  DEFAULT_TOPIC_PREFIX,
  eventSchema,
  eventTypes,
  schemaVersions,
  topicFor,
  topicKeyFields,
  topicKeys,
  topicName,
  type EventType,
  type TopicKey,
} from '@ecommerce/contracts';
import { DEAD_LETTER_HEADERS } from '@ecommerce/messaging';
import { EVENT_HEADERS } from '@ecommerce/outbox';

/**
 * The AsyncAPI 3.0 document of the event backbone, generated from the contracts: every topic with
 * its key, every header, every event in every schema version (payloads are the committed Avro
 * schemas), and the dead-letter topics. `npm run contracts:generate` writes it to
 * `libs/contracts/asyncapi.json`; a test keeps that file current and valid (@asyncapi/parser with
 * its Avro schema parser), and the order console serves it.
 *
 * Built here, not in @ecommerce/contracts, because the headers are the messaging libraries' (the
 * outbox writes `event-type`/`event-id`, the consumer runtime the `dlq-*` ones) and contracts
 * depend on nothing.
 */

const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';
const KAFKA_BINDING_VERSION = '0.5.0';

const TOPIC_DESCRIPTIONS: Record<TopicKey, string> = {
  orders: "The order's life: placed, confirmed, cancelled. Published by order-service.",
  inventory: 'Stock reservations for orders, and their release or commit. Published by inventory-service.',
  payments: 'Authorizations, failures and refunds of orders. Published by payment-service.',
  catalog:
    'Products and their stock levels, replicated by order-service for prices. Published by inventory-service.',
  notifications: 'Notifications sent to customers. Published by notification-service.',
  operations:
    "Samples of the services' own state (outbox backlog), for operators' read models such as the order console. Published by every service with an outbox, straight to Kafka (not through the outbox it measures).",
};

/** The W3C trace context (`@ecommerce/telemetry` writes and reads it). */
const TRACE_HEADERS = {
  traceparent:
    'W3C trace context of the transaction that wrote the event: one trace per order across services',
  tracestate: 'W3C trace state, when the trace has one',
} as const;

const DEAD_LETTER_HEADER_DOCS: Record<keyof typeof DEAD_LETTER_HEADERS, string> = {
  originTopic: 'Topic the message was read from',
  originPartition: 'Its partition there',
  originOffset: 'Its offset there (replay sends it back to that topic)',
  consumerGroup: 'Kafka id of the consumer group that gave up on it',
  attempts: 'Attempts made before giving up',
  errorCode: "Stable code of the last error (e.g. MALFORMED_EVENT, CONTRACT_VIOLATION, or a handler's own)",
  errorMessage: 'Message of the last error',
  errorStack: 'Stack of the last error, cut to a few kilobytes',
  failedAt: 'When it was dead-lettered, ISO 8601',
};

const stringHeader = (description: string) => ({ type: 'string', description });

function eventHeaders() {
  return {
    type: 'object',
    required: [EVENT_HEADERS.eventType, EVENT_HEADERS.eventId],
    properties: {
      [EVENT_HEADERS.eventType]: stringHeader('The event type (the Avro record name), e.g. OrderPlaced'),
      [EVENT_HEADERS.eventId]: stringHeader(
        'The event id (uuid), as in the payload: consumers deduplicate on it',
      ),
      traceparent: stringHeader(TRACE_HEADERS.traceparent),
      tracestate: stringHeader(TRACE_HEADERS.tracestate),
    },
  };
}

function deadLetterHeaders() {
  const event = eventHeaders();
  return {
    type: 'object',
    description: "The original message's headers, and these",
    required: Object.values(DEAD_LETTER_HEADERS),
    properties: {
      ...event.properties,
      ...Object.fromEntries(
        (Object.keys(DEAD_LETTER_HEADERS) as (keyof typeof DEAD_LETTER_HEADERS)[]).map((key) => [
          DEAD_LETTER_HEADERS[key],
          stringHeader(DEAD_LETTER_HEADER_DOCS[key]),
        ]),
      ),
    },
  };
}

const messageId = (eventType: EventType, version: number) => `${eventType}.v${version}`;

function eventMessages(eventType: EventType) {
  const topic = topicFor(eventType);
  const versions = schemaVersions(eventType);
  const latest = versions.at(-1);
  return Object.fromEntries(
    versions.map((version) => {
      const schema = eventSchema(eventType, version);
      return [
        messageId(eventType, version),
        {
          name: eventType,
          title: `${eventType} v${version}`,
          summary: schema.doc ?? eventType,
          description:
            version === latest
              ? `Version ${version}, the one producers write. Consumers read every version (Avro schema resolution).`
              : `Version ${version}: no longer written, still readable; data written with it stays in the topic.`,
          contentType: 'application/octet-stream',
          headers: { $ref: '#/components/schemas/EventHeaders' },
          payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema },
          bindings: {
            kafka: {
              key: { type: 'string', description: `The ${topicKeyFields[topic]} of the payload` },
              schemaIdLocation: 'payload',
              schemaIdPayloadEncoding: 'confluent',
              bindingVersion: KAFKA_BINDING_VERSION,
            },
          },
        },
      ];
    }),
  );
}

export interface AsyncApiOptions {
  topicPrefix?: string;
  partitions?: number;
}

/** The document, as a plain JSON value. */
export function asyncApiDocument({
  topicPrefix = DEFAULT_TOPIC_PREFIX,
  partitions = 6,
}: AsyncApiOptions = {}) {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of topicKeys) {
    const channelMessages: Record<string, unknown> = {};
    for (const eventType of eventTypes.filter((type) => topicFor(type) === topic)) {
      for (const [id, message] of Object.entries(eventMessages(eventType))) {
        messages[id] = message;
        channelMessages[id] = { $ref: `#/components/messages/${id}` };
      }
    }
    channels[topic] = {
      address: topicName(topic, topicPrefix),
      title: topicName(topic, topicPrefix),
      description: `${TOPIC_DESCRIPTIONS[topic]} Keyed by ${topicKeyFields[topic]}, so Kafka keeps each one's events in order.`,
      messages: channelMessages,
      bindings: {
        kafka: { topic: topicName(topic, topicPrefix), partitions, bindingVersion: KAFKA_BINDING_VERSION },
      },
    };
    operations[`publish-${topic}`] = {
      action: 'send',
      title: `Publish to ${topicName(topic, topicPrefix)}`,
      channel: { $ref: `#/channels/${topic}` },
      messages: Object.keys(channelMessages).map((id) => ({ $ref: `#/channels/${topic}/messages/${id}` })),
    };
  }
  messages['DeadLetter'] = {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'A message a consumer group gave up on, with why and where it came from.',
    description:
      "Key, value and headers of the original message, unchanged (the value is any event of the origin topic, or the bytes that could not be decoded), plus the dlq-* headers. Listed and replayed through each service's admin API (`npm run dead-letters`).",
    contentType: 'application/octet-stream',
    headers: { $ref: '#/components/schemas/DeadLetterHeaders' },
    payload: { type: 'string', format: 'binary', description: 'The original message value, byte for byte' },
  };
  channels['dead-letters'] = {
    address: `${topicPrefix}dlq.{consumerGroup}`,
    title: `${topicPrefix}dlq.<group>`,
    description:
      'One dead-letter topic per consumer group. Messages stay until replayed or purged (retention is set when the topic is created).',
    parameters: {
      consumerGroup: {
        description: "The consumer group's name in the system, without the topic prefix",
        examples: ['order-service', 'inventory-service', 'payment-service.inventory', 'analytics-service'],
      },
    },
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
  };
  operations['dead-letter'] = {
    action: 'send',
    title: 'Dead-letter a message',
    description: 'What every consumer group does after the last attempt, or at once for a permanent failure.',
    channel: { $ref: '#/channels/dead-letters' },
    messages: [{ $ref: '#/channels/dead-letters/messages/DeadLetter' }],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'E-commerce events',
      version: '1.0.0',
      description:
        'Every topic, key, header and event of the event-driven e-commerce system. Values are Avro in the Confluent wire format (magic byte, schema id, Avro body); schemas are registered under topic + record name subjects (`<topic>-com.ecommerce.events.<Event>`) with BACKWARD compatibility. Topic names carry a configurable prefix (`TOPIC_PREFIX`, shown here with its default). Generated from libs/contracts by `npm run contracts:generate`: do not edit.',
    },
    defaultContentType: 'application/octet-stream',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'Kafka of `npm run infra:up` / `npm run demo`',
        bindings: {
          kafka: {
            schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
            schemaRegistryVendor: 'apicurio',
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
      compose: {
        host: '127.0.0.1:9094',
        protocol: 'kafka',
        description: 'Kafka of `docker compose up` (external listener)',
        bindings: {
          kafka: {
            schemaRegistryUrl: 'http://127.0.0.1:8081',
            schemaRegistryVendor: 'confluent',
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: { EventHeaders: eventHeaders(), DeadLetterHeaders: deadLetterHeaders() },
    },
  };
}
