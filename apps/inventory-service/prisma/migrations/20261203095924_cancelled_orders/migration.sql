-- CreateTable
CREATE TABLE "cancelled_orders" (
    "order_id" UUID NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cancelled_orders_pkey" PRIMARY KEY ("order_id")
);

