import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { asyncApiDocument } from './asyncapi-document';

/** Where the generated document is committed: beside the schemas it comes from. */
export const ASYNCAPI_FILE = join(__dirname, '..', '..', '..', 'contracts', 'asyncapi.json');

/**
 * The committed form: formatted by the workspace's prettier, so `npm run format` leaves it alone
 * (through its CLI, as the contracts' code generator does: jest cannot load prettier's API).
 */
export function asyncApiFileContent(): string {
  return execFileSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', ASYNCAPI_FILE],
    {
      input: JSON.stringify(asyncApiDocument()),
      encoding: 'utf8',
    },
  );
}
