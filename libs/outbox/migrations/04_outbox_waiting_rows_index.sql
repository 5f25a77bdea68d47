-- The relay's read of waiting rows walks this index in id order and stops at its row cap, whatever
-- the table's statistics say (a new table, autovacuum off or behind): it never sorts, and it never
-- visits the rows it has marked published since the last VACUUM more than once. Through
-- "outbox_published_at_id_idx" PostgreSQL chose a bitmap scan, which visits every row version left
-- in the NULL part of that index, one more with each row published, on every read.
-- Prisma's schema language has no partial indexes, so this lives only in the migration.
CREATE INDEX "outbox_waiting_id_idx" ON "outbox"("id") WHERE "published_at" IS NULL AND "quarantined_at" IS NULL;
