/**
 * The compose demo's one-shot init container (docker-compose.yml, services `init` and `seed`).
 *
 * - `prepare`, before the services start: every service's database created and migrated, every
 *   event schema registered, every topic created. The services would do the last two themselves;
 *   doing it once here lets five of them start at the same time without racing to register.
 * - `seed`, once inventory-service is healthy: the demo catalog, through inventory's REST API so
 *   that `ProductUpserted` flows to the order service like any other change. Products that exist
 *   are left alone, so running it again adds no stock.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import {
  databaseUrlSetting,
  kafkaSettings,
  loadConfig,
  schemaRegistrySettings,
  topicSettings,
} from '@ecommerce/config';
import { allTopics, EventCodec } from '@ecommerce/contracts';
import { applyMigrations, createDatabaseIfMissing, databaseUrlOnServer } from '@ecommerce/database';
import {
  connectionSettings,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  retentionSettings,
} from '@ecommerce/messaging';
import { Type } from '@sinclair/typebox';

const initConfigSchema = Type.Object({
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...topicSettings,
  ...databaseUrlSetting('ORDER_DATABASE_URL', 'ecommerce_order'),
  ...databaseUrlSetting('INVENTORY_DATABASE_URL', 'ecommerce_inventory'),
  ...databaseUrlSetting('PAYMENT_DATABASE_URL', 'ecommerce_payment'),
  ...databaseUrlSetting('NOTIFICATION_DATABASE_URL', 'ecommerce_notification'),
  ...databaseUrlSetting('ANALYTICS_DATABASE_URL', 'ecommerce_analytics'),
  MIGRATIONS_DIR: Type.String({
    minLength: 1,
    default: join(__dirname, 'migrations'),
    description:
      "folder holding each service's Prisma migrations as <service>/<migration>/, and the SQL they share as shared/<library>/",
  }),
  INVENTORY_URL: Type.String({
    pattern: '^https?://',
    default: 'http://inventory-service:3002',
    description: 'inventory-service base URL, for `seed`',
  }),
});

type InitConfig = ReturnType<typeof loadInitConfig>;
const loadInitConfig = () => loadConfig(initConfigSchema, process.env);

/**
 * The bundle's copies of the libraries' shared migrations (project.json `assets`), by library name:
 * the names the services' `shared-migrations.json` files use.
 */
async function sharedMigrationsDirs(migrationsDir: string): Promise<Record<string, string>> {
  const sharedDir = join(migrationsDir, 'shared');
  const libraries = (await readdir(sharedDir, { withFileTypes: true })).filter((entry) =>
    entry.isDirectory(),
  );
  return Object.fromEntries(libraries.map((library) => [library.name, join(sharedDir, library.name)]));
}

async function prepare(config: InitConfig): Promise<void> {
  const databases = {
    order: config.ORDER_DATABASE_URL,
    inventory: config.INVENTORY_DATABASE_URL,
    payment: config.PAYMENT_DATABASE_URL,
    notification: config.NOTIFICATION_DATABASE_URL,
    analytics: config.ANALYTICS_DATABASE_URL,
  };
  const shared = await sharedMigrationsDirs(config.MIGRATIONS_DIR);
  for (const [service, url] of Object.entries(databases)) {
    const databaseName = new URL(url).pathname.slice(1);
    await createDatabaseIfMissing(databaseUrlOnServer(url, 'postgres'), databaseName);
    const { applied } = await applyMigrations(url, {
      migrationsDir: join(config.MIGRATIONS_DIR, service),
      sharedMigrationsDirs: shared,
    });
    console.log(`${service}: database ${databaseName}, ${applied.length} migration(s) applied`);
  }

  const connections = connectionSettings('demo-init', config);
  const codec = new EventCodec({
    registry: createSchemaRegistry(connections.schemaRegistry),
    topicPrefix: config.TOPIC_PREFIX,
  });
  const schemaIds = await codec.registerSchemas();
  console.log(`schemas: ${schemaIds.size} event schemas registered`);
  const topics = await ensureTopics(createKafka(connections.kafka), allTopics(config.TOPIC_PREFIX), {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    retentionMs: retentionSettings(config).topicMs,
  });
  const created = topics.filter((topic) => topic.action === 'created');
  console.log(`topics: ${created.length} created, ${topics.length} in all`);
}

/** The demo catalog: what the README's `curl` commands order. */
const demoCatalog = [
  { sku: 'MUG-001', name: 'Mug', priceCents: 1250, stock: 100 },
  { sku: 'TEE-001', name: 'T-shirt, organic cotton', priceCents: 2490, stock: 50 },
  { sku: 'LAMP-001', name: 'Desk lamp', priceCents: 8900, stock: 5 },
] as const;

async function seed(config: InitConfig): Promise<void> {
  const inventory = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${config.INVENTORY_URL}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const expectOk = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  };
  for (const product of demoCatalog) {
    const existing = await inventory(`/products/${product.sku}`);
    if (existing.status === 200) {
      console.log(`${product.sku}: already in the catalog, left as it is`);
      continue;
    }
    if (existing.status !== 404) await expectOk(existing, `GET /products/${product.sku}`);
    await expectOk(
      await inventory(`/products/${product.sku}`, 'PUT', {
        name: product.name,
        priceCents: product.priceCents,
      }),
      `PUT /products/${product.sku}`,
    );
    await expectOk(
      await inventory(`/products/${product.sku}/stock`, 'POST', {
        quantity: product.stock,
        reason: 'demo seed',
      }),
      `POST /products/${product.sku}/stock`,
    );
    console.log(`${product.sku}: ${product.name}, ${product.stock} in stock`);
  }
}

const commands = { prepare, seed } as const;

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'prepare' && command !== 'seed') {
    throw new Error(`usage: main.js prepare|seed (got ${command ?? 'nothing'})`);
  }
  await commands[command](loadInitConfig());
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
