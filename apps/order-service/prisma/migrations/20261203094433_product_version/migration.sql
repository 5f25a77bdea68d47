-- AlterTable
ALTER TABLE "catalog_items" ADD COLUMN     "version" BIGINT;


-- Inventory's versions count up from 1 (Prisma's schema language cannot express CHECK constraints).
ALTER TABLE "catalog_items" ADD CONSTRAINT "catalog_items_version_check" CHECK ("version" > 0);
