import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { TSchema } from '@sinclair/typebox';

import { outboxRelaySettings, serviceSettings } from './settings';

/**
 * The README's Configuration table is what operators read: every shared setting must have a row,
 * its default must be the one the schema applies, and the schema must say what it is for.
 */
const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
const configurationSection = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Tests'));
const rows = configurationSection
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    const [variables = '', defaults = ''] = line
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    return { names: [...variables.matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]), defaults };
  });

const sharedSettings: Record<string, TSchema> = {
  ...serviceSettings({
    defaultPort: 3001,
    databaseUrlVariable: 'ORDER_DATABASE_URL',
    defaultDatabase: 'ecommerce_order',
  }),
  ...outboxRelaySettings,
};

describe('the shared settings, as the README documents them', () => {
  it.each(Object.entries(sharedSettings))(
    '%s has a description, a README row and its default there',
    (name, schema) => {
      expect(schema.description).toEqual(expect.any(String));
      const row = rows.find((candidate) => candidate.names.includes(name));
      expect(row).toBeDefined();
      const fallback = (schema as { default?: unknown }).default;
      if (fallback !== undefined && !['PORT', 'ORDER_DATABASE_URL'].includes(name)) {
        // Numbers as written in the README (`86400000`), strings in backticks, several per row in order.
        expect(row?.defaults).toContain(String(fallback));
      }
    },
  );
});
