import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AvroFieldJson } from '../avro-schema-json';
import { readSchemaFiles, schemasDirectory, type SchemaFile } from '../schema-files';
import { checkCompatibility } from './check-compatibility';
import { checkContracts, runContractsCli } from './check-contracts';
import { checkFingerprints, fingerprintOf, readFingerprints, withNewVersions } from './fingerprints';

const committed = readSchemaFiles();
const recorded = readFingerprints();

function latest(eventType: string): SchemaFile {
  const file = committed.findLast((candidate) => candidate.eventType === eventType);
  if (!file) throw new Error(`no schema for ${eventType}`);
  return file;
}

/** The next version of an event: its latest schema, with fields changed by `edit`. */
function nextVersion(eventType: string, edit: (fields: AvroFieldJson[]) => AvroFieldJson[]): SchemaFile {
  const current = structuredClone(latest(eventType));
  const version = current.version + 1;
  return {
    ...current,
    path: `${eventType}/v${version}.avsc`,
    version,
    schema: { ...current.schema, fields: edit(current.schema.fields) },
  };
}

describe('the committed event schemas', () => {
  it('when checked, then every version is valid, compatible and unchanged since published', () => {
    expect(checkContracts(committed, recorded)).toEqual([]);
  });

  it('when OrderPlaced v1 and v2 read each other, then v2 adds paymentToken with a default of null', () => {
    const v2 = latest('OrderPlaced');
    expect(v2.version).toBe(2);
    expect(v2.schema.fields.find((field) => field.name === 'paymentToken')).toMatchObject({
      type: ['null', 'string'],
      default: null,
    });
  });
});

describe('checkCompatibility', () => {
  it('when a new version adds a field without a default, then it cannot read the earlier versions', () => {
    const v3 = nextVersion('OrderPlaced', (fields) => [...fields, { name: 'channel', type: 'string' }]);
    expect(checkCompatibility([...committed, v3])).toEqual([
      {
        file: 'OrderPlaced/v3.avsc',
        message: expect.stringMatching(/^v3 cannot read data written with v1 \(BACKWARD\): .*channel/),
      },
      {
        file: 'OrderPlaced/v3.avsc',
        message: expect.stringMatching(/^v3 cannot read data written with v2 \(BACKWARD\): .*channel/),
      },
    ]);
  });

  it('when a new version changes a field type, then the change is reported', () => {
    const v2 = nextVersion('PaymentAuthorized', (fields) =>
      fields.map((field) => (field.name === 'amountCents' ? { ...field, type: 'string' } : field)),
    );
    expect(checkCompatibility([...committed, v2])).toEqual([
      {
        file: 'PaymentAuthorized/v2.avsc',
        message: expect.stringMatching(/^v2 cannot read data written with v1 \(BACKWARD\)/),
      },
    ]);
  });

  it('when a new version adds a field with a default, then it is compatible', () => {
    const v2 = nextVersion('PaymentAuthorized', (fields) => [
      ...fields,
      { name: 'provider', type: 'string', default: 'stripe' },
    ]);
    expect(checkCompatibility([...committed, v2])).toEqual([]);
  });

  it('when a new version drops a field older readers need, then only a FULL event type reports it', () => {
    const withoutCustomer = (fields: AvroFieldJson[]) =>
      fields.filter((field) => field.name !== 'customerId');
    const orderConfirmedV2 = nextVersion('OrderConfirmed', withoutCustomer);
    const orderPlacedV3 = nextVersion('OrderPlaced', withoutCustomer);
    expect(checkCompatibility([...committed, orderConfirmedV2, orderPlacedV3])).toEqual([
      {
        file: 'OrderPlaced/v3.avsc',
        message: expect.stringMatching(
          /^v1 cannot read data written with v3 \(FORWARD, as OrderPlaced is FULL\): .*customerId/,
        ),
      },
      {
        file: 'OrderPlaced/v3.avsc',
        message: expect.stringMatching(
          /^v2 cannot read data written with v3 \(FORWARD, as OrderPlaced is FULL\): .*customerId/,
        ),
      },
    ]);
  });
});

describe('checkFingerprints', () => {
  it('when a published version is edited, then the check says to add a new version instead', () => {
    const edited = committed.map((file) =>
      file.path === 'OrderPlaced/v1.avsc'
        ? {
            ...file,
            schema: {
              ...file.schema,
              fields: [...file.schema.fields, { name: 'note', type: ['null', 'string'], default: null }],
            },
          }
        : file,
    );
    expect(checkFingerprints(edited, recorded)).toEqual([
      {
        file: 'OrderPlaced/v1.avsc',
        message: expect.stringContaining('add a new version instead (OrderPlaced/v3.avsc)'),
      },
    ]);
  });

  it("when only a field's default changes, then the edit is still detected", () => {
    // Avro's Parsing Canonical Form ignores defaults; the fingerprint must not.
    const edited = committed.map((file) =>
      file.path === 'OrderPlaced/v2.avsc'
        ? {
            ...file,
            schema: {
              ...file.schema,
              fields: file.schema.fields.map((field) =>
                field.name === 'paymentToken'
                  ? { ...field, type: ['string', 'null'], default: 'tok_ok' }
                  : field,
              ),
            },
          }
        : file,
    );
    expect(checkFingerprints(edited, recorded)).toEqual([
      { file: 'OrderPlaced/v2.avsc', message: expect.stringContaining('was edited') },
    ]);
  });

  it('when a file is only reformatted (keys reordered), then its fingerprint is unchanged', () => {
    const file = latest('OrderPlaced');
    const { fields, ...rest } = file.schema;
    const reordered = {
      ...file,
      schema: { fields, ...Object.fromEntries(Object.entries(rest).reverse()) } as SchemaFile['schema'],
    };
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(file));
  });

  it('when a published version is deleted, then the check says to restore it', () => {
    const remaining = committed.filter((file) => file.path !== 'OrderPlaced/v1.avsc');
    expect(checkFingerprints(remaining, recorded)).toEqual([
      { file: 'OrderPlaced/v1.avsc', message: expect.stringContaining('was deleted') },
    ]);
  });

  it('when a new version is not recorded yet, then the check names the command that records it', () => {
    const v2 = nextVersion('StockAdjusted', (fields) => [
      ...fields,
      { name: 'warehouse', type: ['null', 'string'], default: null },
    ]);
    expect(checkFingerprints([...committed, v2], recorded)).toEqual([
      { file: 'StockAdjusted/v2.avsc', message: expect.stringContaining('cli.ts record-new-versions') },
    ]);
  });

  it('when new versions are recorded, then only they are added and recorded ones are kept', () => {
    const v2 = nextVersion('StockAdjusted', (fields) => [
      ...fields,
      { name: 'warehouse', type: ['null', 'string'], default: null },
    ]);
    const tampered = { ...recorded, 'OrderPlaced/v1.avsc': 'not-the-fingerprint' };
    const { fingerprints, added } = withNewVersions([...committed, v2], tampered);
    expect(added).toEqual(['StockAdjusted/v2.avsc']);
    expect(fingerprints).toEqual({ ...tampered, 'StockAdjusted/v2.avsc': fingerprintOf(v2) });
  });
});

describe('the contracts CLI', () => {
  let directory: string;
  let output: string[];
  const run = (...args: string[]) =>
    runContractsCli(
      args,
      { schemas: directory, fingerprints: join(directory, 'fingerprints.json') },
      (line) => output.push(line),
    );

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'contracts-'));
    cpSync(schemasDirectory, directory, { recursive: true });
    output = [];
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('when the schemas are as committed, then check exits 0', () => {
    expect(run()).toBe(0);
    expect(output.join('\n')).toContain('all versions valid, compatible and unchanged');
  });

  it('when a published version is edited, then check exits 1 with a report naming the file', () => {
    const path = join(directory, 'OrderCancelled', 'v1.avsc');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"TIMEOUT"', '"TIMEOUT", "FRAUD"'));
    expect(run('check')).toBe(1);
    expect(output.join('\n')).toMatch(
      /OrderCancelled\/v1\.avsc: this published version was edited.*add a new version instead/,
    );
  });

  it('when a compatible new version is added, then record-new-versions records it and check passes', () => {
    const v2 = nextVersion('StockAdjusted', (fields) => [
      ...fields,
      { name: 'warehouse', type: ['null', 'string'], default: null },
    ]);
    writeFileSync(join(directory, v2.path), JSON.stringify(v2.schema));
    expect(run('check')).toBe(1);
    expect(run('record-new-versions')).toBe(0);
    expect(readFingerprints(join(directory, 'fingerprints.json'))).toEqual({
      ...recorded,
      [v2.path]: fingerprintOf(v2),
    });
    expect(run('check')).toBe(0);
  });

  it('when a new version is incompatible, then record-new-versions records nothing and exits 1', () => {
    const v2 = nextVersion('StockAdjusted', (fields) => [...fields, { name: 'warehouse', type: 'string' }]);
    writeFileSync(join(directory, v2.path), JSON.stringify(v2.schema));
    expect(run('record-new-versions')).toBe(1);
    expect(output.join('\n')).toContain('nothing recorded');
    expect(readFingerprints(join(directory, 'fingerprints.json'))).toEqual(recorded);
  });
});
