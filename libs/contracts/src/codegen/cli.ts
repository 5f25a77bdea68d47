import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

import { readSchemaFiles } from '../schema-files';
import { generateSources } from './generate-sources';

/** `npx tsx libs/contracts/src/codegen/cli.ts`: regenerates src/generated from the schema files. */
try {
  for (const { path, content } of generateSources(readSchemaFiles())) {
    writeFileSync(path, content);
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
