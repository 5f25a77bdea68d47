import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { register } from 'tsconfig-paths';

// Jest runs this file outside its module registry, so the workspace's path aliases are registered
// here by hand before anything that uses them is loaded.
const workspaceRoot = join(__dirname, '..', '..', '..', '..', '..');
const { compilerOptions } = JSON.parse(readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
register({ baseUrl: workspaceRoot, paths: compilerOptions.paths });

export default async function globalSetup(): Promise<void> {
  // Loaded here, after register(), because it imports other workspace projects by alias.
  const { exportInfrastructure, provisionTestInfrastructure } =
    require('../provision') as typeof import('../provision');
  const provisioned = await provisionTestInfrastructure();
  exportInfrastructure(provisioned.infrastructure);
  // Jest hands globalThis from setup to teardown; nothing else is shared.
  (globalThis as { __releaseTestInfrastructure?: () => Promise<void> }).__releaseTestInfrastructure =
    provisioned.release;
}
