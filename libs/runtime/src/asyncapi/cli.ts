import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

import { ASYNCAPI_FILE, asyncApiFileContent } from './asyncapi-file';
import { asyncApiErrors } from './validate-asyncapi';

/**
 * `npx tsx libs/runtime/src/asyncapi/cli.ts write | check`: `write` regenerates
 * libs/contracts/asyncapi.json (part of `npm run contracts:generate`); `check` (CI) fails when the
 * committed file is not what the contracts generate, or when @asyncapi/parser finds it invalid.
 */
async function main(command: string | undefined): Promise<number> {
  const content = asyncApiFileContent();
  const errors = await asyncApiErrors(JSON.parse(content));
  if (errors.length > 0) {
    console.error(`the generated AsyncAPI document is invalid:\n  ${errors.join('\n  ')}`);
    return 1;
  }
  const path = relative(process.cwd(), ASYNCAPI_FILE);
  if (command === 'write') {
    writeFileSync(ASYNCAPI_FILE, content);
    console.log(`wrote ${path} (valid AsyncAPI 3.0)`);
    return 0;
  }
  if (command === 'check') {
    const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
    if (committed !== content) {
      console.error(
        `${path} is not what the contracts generate: run npm run contracts:generate and commit it`,
      );
      return 1;
    }
    console.log(`${path}: current and valid AsyncAPI 3.0`);
    return 0;
  }
  console.error('usage: cli.ts write | check');
  return 2;
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  },
);
