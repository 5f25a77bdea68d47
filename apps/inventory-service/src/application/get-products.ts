import type { InventoryDatabase } from '../persistence/inventory-database';
import { findProduct, listProducts, type ProductView } from '../persistence/product-repository';
import { unknownSku } from './errors';

export async function getProduct(deps: { db: InventoryDatabase }, sku: string): Promise<ProductView> {
  const product = await findProduct(deps.db, sku);
  if (!product) throw unknownSku(sku);
  return product;
}

/** The whole catalog, by SKU. */
export function getProducts(deps: { db: InventoryDatabase }): Promise<ProductView[]> {
  return listProducts(deps.db);
}
