import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

import { readSchemaFiles, type SchemaFile } from '../schema-files';
import { generateSources, REGENERATE_COMMAND } from './generate-sources';

describe('generated sources', () => {
  it('when regenerated from the committed schemas, then they equal the committed files', () => {
    const stale = generateSources(readSchemaFiles())
      .filter(({ path, content }) => readFileSync(path, 'utf8') !== content)
      .map(
        ({ path }) =>
          `${relative(process.cwd(), path)} is out of date with the schemas: run \`${REGENERATE_COMMAND}\``,
      );
    expect(stale).toEqual([]);
  });
});

describe('generateSources', () => {
  const metadataFields = readSchemaFiles()[0]?.schema.fields.slice(0, 4) ?? [];

  function eventFile(eventType: string, fields: SchemaFile['schema']['fields']): SchemaFile {
    return {
      path: `${eventType}/v1.avsc`,
      eventType,
      version: 1,
      schema: {
        type: 'record',
        name: eventType,
        namespace: 'com.ecommerce.events',
        fields: [...metadataFields, ...fields],
      },
    };
  }

  it('when a schema uses each kind of type, then each maps to the value avsc reads', () => {
    const [types] = generateSources([
      eventFile('ThingHappened', [
        { name: 'count', type: 'int' },
        { name: 'amountCents', type: 'long' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'note', type: ['null', 'string'], default: null, doc: 'optional' },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
        { name: 'tags', type: { type: 'map', values: 'string' } },
        { name: 'kinds', type: { type: 'array', items: 'Kind' } },
      ]),
    ]);
    expect(types?.content).toContain(`export interface ThingHappened extends EventMetadata {
  readonly count: number;
  readonly amountCents: number;
  readonly at: number;
  /** optional */
  readonly note: string | null;
  readonly kind: Kind;
  readonly tags: Readonly<Record<string, string>>;
  readonly kinds: readonly Kind[];
}`);
    expect(types?.content).toContain("export type Kind = 'A' | 'B';");
  });

  it('when two events define a named type differently, then generation fails naming both files', () => {
    const line = (fields: { name: string; type: string }[]) => ({
      type: 'array' as const,
      items: { type: 'record' as const, name: 'Line', fields },
    });
    const generating = () =>
      generateSources([
        eventFile('FirstHappened', [{ name: 'lines', type: line([{ name: 'sku', type: 'string' }]) }]),
        eventFile('SecondHappened', [{ name: 'lines', type: line([{ name: 'sku', type: 'int' }]) }]),
      ]);
    expect(generating).toThrow(
      /SecondHappened\/v1.avsc: named type Line differs from its definition in FirstHappened\/v1.avsc/,
    );
  });

  it('when a union has two non-null branches, then generation refuses it', () => {
    const generating = () =>
      generateSources([eventFile('ThingHappened', [{ name: 'either', type: ['string', 'int'] }])]);
    expect(generating).toThrow(/unsupported union \["string","int"\]/);
  });
});
