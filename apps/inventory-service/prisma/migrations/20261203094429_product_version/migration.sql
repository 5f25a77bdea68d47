-- AlterTable
ALTER TABLE "products" ADD COLUMN     "version" BIGINT NOT NULL DEFAULT 1;


-- Versions count up from 1 (Prisma's schema language cannot express CHECK constraints).
ALTER TABLE "products" ADD CONSTRAINT "products_version_check" CHECK ("version" > 0);
