import { notFound, type DomainError } from '@ecommerce/http-server';

export const unknownSku = (sku: string): DomainError =>
  notFound({ code: 'UNKNOWN_SKU', title: 'Unknown SKU', detail: `No product ${sku}.`, extensions: { sku } });
