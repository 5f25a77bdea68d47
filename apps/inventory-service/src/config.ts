import { loadConfig, outboxRelaySettings, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'inventory-service';

/** Every setting inventory-service reads, with its default; `process.env` is read here and nowhere else. */
export const inventoryServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3002,
    databaseUrlVariable: 'INVENTORY_DATABASE_URL',
    defaultDatabase: 'ecommerce_inventory',
  }),
  ...outboxRelaySettings,
});

export type InventoryServiceConfig = Static<typeof inventoryServiceConfigSchema>;

export function loadInventoryServiceConfig(env: NodeJS.ProcessEnv = process.env): InventoryServiceConfig {
  return loadConfig(inventoryServiceConfigSchema, env);
}
