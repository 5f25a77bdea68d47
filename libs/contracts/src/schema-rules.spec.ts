import { Type } from 'avsc';

import { eventTypes } from './generated/event-types';
import { readSchemaFiles, type SchemaFile } from './schema-files';
import { checkSchemaRules } from './schema-rules';

const committed = readSchemaFiles();

function edited(path: string, edit: (file: SchemaFile) => SchemaFile): SchemaFile[] {
  return committed.map((file) => (file.path === path ? edit(structuredClone(file)) : file));
}

describe('committed schema files', () => {
  it.each(committed.map((file) => [file.path, file] as const))('%s parses as Avro', (_path, file) => {
    expect(() => Type.forSchema(file.schema as Parameters<typeof Type.forSchema>[0])).not.toThrow();
  });

  it('when read, then there is one folder per event type', () => {
    expect([...new Set(committed.map((file) => file.eventType))]).toEqual([...eventTypes]);
  });

  it('when checked, then they follow every rule', () => {
    expect(checkSchemaRules(committed)).toEqual([]);
  });
});

describe('checkSchemaRules', () => {
  it('when a record is not named after its folder, then the file is reported', () => {
    const files = edited('OrderConfirmed/v1.avsc', (file) => ({
      ...file,
      schema: { ...file.schema, name: 'OrderOk' },
    }));
    expect(checkSchemaRules(files)).toEqual([
      {
        file: 'OrderConfirmed/v1.avsc',
        message: expect.stringContaining('named after its folder, "OrderConfirmed"'),
      },
    ]);
  });

  it('when the namespace differs, then the file is reported', () => {
    const files = edited('OrderConfirmed/v1.avsc', (file) => ({
      ...file,
      schema: { ...file.schema, namespace: 'com.example' },
    }));
    expect(checkSchemaRules(files)).toEqual([
      {
        file: 'OrderConfirmed/v1.avsc',
        message: expect.stringContaining('namespace must be "com.ecommerce.events"'),
      },
    ]);
  });

  it('when a metadata field is defined differently, then the file is reported', () => {
    const files = edited('StockReserved/v1.avsc', (file) => {
      file.schema.fields[1] = { name: 'occurredAt', type: 'string' };
      return file;
    });
    expect(checkSchemaRules(files)).toEqual([
      {
        file: 'StockReserved/v1.avsc',
        message: expect.stringContaining('metadata fields must be defined exactly as in'),
      },
    ]);
  });

  it('when the metadata fields do not come first, then the file is reported', () => {
    const files = edited('StockReserved/v1.avsc', (file) => {
      file.schema.fields.reverse();
      return file;
    });
    expect(checkSchemaRules(files)).toEqual([
      {
        file: 'StockReserved/v1.avsc',
        message: expect.stringContaining('must start with the metadata fields'),
      },
    ]);
  });

  it('when a version is missing between two others, then the gap is reported', () => {
    const files = edited('OrderPlaced/v2.avsc', (file) => ({
      ...file,
      path: 'OrderPlaced/v3.avsc',
      version: 3,
    }));
    expect(checkSchemaRules(files)).toEqual([
      { file: 'OrderPlaced/', message: 'versions must be v1..v2 without gaps (found v1, v3)' },
    ]);
  });

  it('when a file is not valid Avro, then avsc says why', () => {
    const files = edited('OrderConfirmed/v1.avsc', (file) => {
      file.schema.fields.push({ name: 'totalCents', type: 'long' });
      return file;
    });
    expect(checkSchemaRules(files)).toEqual([
      {
        file: 'OrderConfirmed/v1.avsc',
        message: expect.stringMatching(/^not a valid Avro schema: .*totalCents/),
      },
    ]);
  });
});
