ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `hash` text;--> statement-breakpoint
CREATE INDEX `audit_unsealed_idx` ON `audit_log` (`id`) WHERE "audit_log"."hash" is null;--> statement-breakpoint
-- Append-only hash chain (src/audit/chain.ts, docs/RELIABILITY.md): hash NULL until sealed.
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_seal_only` BEFORE UPDATE ON `audit_log`
WHEN OLD.`hash` IS NOT NULL OR OLD.`prev_hash` IS NOT NULL
	OR NEW.`hash` IS NULL OR NEW.`prev_hash` IS NULL OR length(NEW.`hash`) <> 64
	OR NEW.`id` IS NOT OLD.`id` OR NEW.`at` IS NOT OLD.`at`
	OR NEW.`actor_id` IS NOT OLD.`actor_id` OR NEW.`actor_name` IS NOT OLD.`actor_name`
	OR NEW.`action` IS NOT OLD.`action` OR NEW.`target_type` IS NOT OLD.`target_type`
	OR NEW.`target_id` IS NOT OLD.`target_id` OR NEW.`ip` IS NOT OLD.`ip` OR NEW.`detail` IS NOT OLD.`detail`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: only an unsealed entry may be sealed, once');
END;
--> statement-breakpoint
-- NEW.id is -1 in a BEFORE INSERT trigger when AUTOINCREMENT is to choose it.
CREATE TRIGGER `audit_log_append_at_end` BEFORE INSERT ON `audit_log`
WHEN NEW.`id` <> -1 AND NEW.`id` <= (SELECT max(`id`) FROM `audit_log`)
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: a new entry must come after the last one');
END;
