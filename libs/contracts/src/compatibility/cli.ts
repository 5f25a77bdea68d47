import { runContractsCli } from './check-contracts';

/**
 * `npx tsx libs/contracts/src/compatibility/cli.ts [check | record-new-versions]`: the schema check
 * CI runs before any registry is involved (the same check runs as a jest test).
 */
try {
  process.exitCode = runContractsCli(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
