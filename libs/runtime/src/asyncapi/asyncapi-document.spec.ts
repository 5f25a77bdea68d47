import { readFileSync } from 'node:fs';

import { eventSchema, eventTypes, schemaVersions, topicFor, topicKeyFields } from '@ecommerce/contracts';
import { DEAD_LETTER_HEADERS } from '@ecommerce/messaging';

import { asyncApiDocument } from './asyncapi-document';
import { ASYNCAPI_FILE, asyncApiFileContent } from './asyncapi-file';
import { asyncApiErrors } from './validate-asyncapi';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('AsyncAPI 3.0 document of the event backbone', () => {
  const document = asyncApiDocument() as Json;

  it('when the contracts are generated, then the committed libs/contracts/asyncapi.json is what they generate', () => {
    // Fails after a schema change until `npm run contracts:generate` has been run and committed.
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(asyncApiFileContent());
  });

  it('when validated by @asyncapi/parser with its Avro schema parser, then it has no error', async () => {
    expect(await asyncApiErrors(document)).toEqual([]);
  });

  it('when a payload is not valid Avro or a reference dangles, then the validation says where', async () => {
    const broken = JSON.parse(JSON.stringify(document)) as Json;
    broken['components'].messages['OrderPlaced.v1'].payload.schema.fields.push({ name: 'noType' });
    broken['operations']['publish-payments'].channel = { $ref: '#/channels/missing' };
    const errors = await asyncApiErrors(broken);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^components\.messages\.OrderPlaced\.v1\.payload\.schema\.fields/),
        expect.stringMatching(/^operations\.publish-payments\.channel/),
      ]),
    );
  });

  it.each(eventTypes)(
    'when %s has schema versions, then each is a message on its topic, with its Avro schema and key',
    (eventType) => {
      const topic = topicFor(eventType);
      const channel = document['channels'][topic];
      for (const version of schemaVersions(eventType)) {
        const id = `${eventType}.v${version}`;
        expect(channel.messages[id]).toEqual({ $ref: `#/components/messages/${id}` });
        const message = document['components'].messages[id];
        expect(message.payload).toEqual({
          schemaFormat: 'application/vnd.apache.avro+json;version=1.9.0',
          schema: eventSchema(eventType, version),
        });
        expect(message.bindings.kafka.key.description).toContain(topicKeyFields[topic]);
        expect(message.headers).toEqual({ $ref: '#/components/schemas/EventHeaders' });
      }
    },
  );

  it('when headers are described, then every event header and every dead-letter header is there', () => {
    const schemas = document['components'].schemas;
    expect(Object.keys(schemas.EventHeaders.properties)).toEqual([
      'event-type',
      'event-id',
      'traceparent',
      'tracestate',
    ]);
    expect(Object.keys(schemas.DeadLetterHeaders.properties)).toEqual(
      expect.arrayContaining([...Object.values(DEAD_LETTER_HEADERS), 'event-type', 'traceparent']),
    );
    expect(document['channels']['dead-letters'].address).toBe('ecommerce.dlq.{consumerGroup}');
  });
});
