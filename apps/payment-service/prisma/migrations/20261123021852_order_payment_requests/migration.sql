-- CreateTable
CREATE TABLE "order_payment_requests" (
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(200) NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "payment_token" VARCHAR(200),
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_payment_requests_pkey" PRIMARY KEY ("order_id")
);

