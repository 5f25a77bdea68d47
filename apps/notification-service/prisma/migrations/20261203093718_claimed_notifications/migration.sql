-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "send_attempts" INTEGER NOT NULL DEFAULT 1;


-- A notification is claimed (pending), then sent or logged; it is claimed at least once. CHECK
-- constraints cannot be written in Prisma's schema language, so these live only in the migration.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_status_check" CHECK ("status" IN ('pending', 'sent', 'logged'));
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_send_attempts_check" CHECK ("send_attempts" >= 1);
