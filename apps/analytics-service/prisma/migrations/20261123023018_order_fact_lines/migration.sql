-- DropTable
DROP TABLE "product_sales";

-- CreateTable
CREATE TABLE "order_fact_lines" (
    "order_id" UUID NOT NULL,
    "line_no" INTEGER NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_cents" BIGINT NOT NULL,

    CONSTRAINT "order_fact_lines_pkey" PRIMARY KEY ("order_id","line_no")
);

-- CreateIndex
CREATE INDEX "order_fact_lines_sku_idx" ON "order_fact_lines"("sku");

-- AddForeignKey
ALTER TABLE "order_fact_lines" ADD CONSTRAINT "order_fact_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order_facts"("order_id") ON DELETE CASCADE ON UPDATE CASCADE;

