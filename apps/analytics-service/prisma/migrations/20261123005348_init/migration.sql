-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "order_facts" (
    "order_id" UUID NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "cancel_reason" VARCHAR(32),
    "total_cents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "order_facts_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "product_sales" (
    "sku" VARCHAR(64) NOT NULL,
    "units_sold" BIGINT NOT NULL DEFAULT 0,
    "revenue_cents" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "product_sales_pkey" PRIMARY KEY ("sku")
);

-- CreateIndex
CREATE INDEX "order_facts_status_idx" ON "order_facts"("status");

