-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "products" (
    "sku" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "price_cents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "on_hand" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "products_pkey" PRIMARY KEY ("sku")
);


-- Stock invariant (SPEC 5.2), enforced by the database as a last line of defence. Prisma's schema
-- language cannot express CHECK constraints, so this lives only in the migration.
ALTER TABLE "products" ADD CONSTRAINT "products_stock_check" CHECK ("reserved" >= 0 AND "on_hand" >= "reserved");
