import { readPrismaSchema } from './prisma-cli';
import { findSchemaDrift } from './schema-drift';
import { findServiceDatabase, serviceDatabases } from './services';

const serverUrl = process.env['POSTGRES_URL'] as string;

describe('Prisma schemas and migrations', () => {
  it.each(serviceDatabases.map((s) => [s.project, s] as const))(
    '%s: the migrated database is the one its Prisma schema describes',
    async (_project, service) => {
      expect(await findSchemaDrift(service, serverUrl)).toEqual([]);
    },
  );

  it('when the Prisma schema gains a column the migrations lack, then the drift names it', async () => {
    const payment = findServiceDatabase('payment');
    const changed = (await readPrismaSchema(payment)).replace(
      'model Payment {',
      'model Payment {\n  gatewayReference String @map("gateway_reference")',
    );
    expect(await findSchemaDrift(payment, serverUrl, changed)).toEqual([
      '- columns: payments.gateway_reference text NOT NULL',
    ]);
  });
});
