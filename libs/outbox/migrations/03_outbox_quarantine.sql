-- AlterTable
ALTER TABLE "outbox" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "quarantined_at" TIMESTAMPTZ(3);


-- Attempts are never negative, and a quarantined row is one that was never published. Prisma's schema
-- language cannot express CHECK constraints, so these live only in the migration.
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_attempts_check" CHECK ("attempts" >= 0);
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_quarantined_unpublished_check" CHECK ("quarantined_at" IS NULL OR "published_at" IS NULL);

-- A row released from quarantine (quarantined_at set back to NULL by the admin API, or by hand)
-- wakes the relay like a commit of a new row does.
CREATE TRIGGER "outbox_notify_released" AFTER UPDATE OF "quarantined_at" ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
