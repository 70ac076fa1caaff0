-- Issue 13: the enterprise's own voice. Complaints and 回避 requests; alerts of three kinds (a
-- negative evaluation, a complaint, a visit whose checklist was never registered), so an alert no
-- longer needs an evaluation or even an inspection; arrival and cancellation on inspections; the
-- client trace of an evaluation.
CREATE TABLE `complaints` (
	`id` text PRIMARY KEY NOT NULL,
	`receipt_no` text NOT NULL,
	`enterprise_id` text NOT NULL,
	`department_id` text NOT NULL,
	`kind` text NOT NULL,
	`visit_date` text NOT NULL,
	`inspection_id` text,
	`text` text NOT NULL,
	`unfiled_visit` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'received' NOT NULL,
	`outcome` text,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_receipt_unique` ON `complaints` (`receipt_no`);--> statement-breakpoint
CREATE INDEX `complaints_enterprise_idx` ON `complaints` (`enterprise_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `complaints_department_idx` ON `complaints` (`department_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `avoidance_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`enterprise_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`answer` text,
	`replacement_officer_id` text,
	`created_at` integer NOT NULL,
	`answered_at` integer,
	`answered_by` text,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`replacement_officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`answered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `avoidance_inspection_idx` ON `avoidance_requests` (`inspection_id`,`status`);--> statement-breakpoint
-- alerts is rebuilt (SQLite cannot drop NOT NULL). Foreign keys stay on inside the migration's
-- transaction, so the child table is rebuilt too and each is renamed only after its old self is gone.
CREATE TABLE `alerts_new` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'negative_evaluation' NOT NULL,
	`inspection_id` text,
	`evaluation_id` text,
	`complaint_id` text,
	`department_id` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`summary` text NOT NULL,
	`assigned_to` text,
	`outcome` text,
	`created_at` integer NOT NULL,
	`first_handled_at` integer,
	`closed_at` integer,
	`closed_by` text,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`evaluation_id`) REFERENCES `evaluations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_to`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `alerts_new` (`id`, `kind`, `inspection_id`, `evaluation_id`, `department_id`, `status`, `summary`,
	`assigned_to`, `outcome`, `created_at`, `first_handled_at`, `closed_at`, `closed_by`)
SELECT `id`, 'negative_evaluation', `inspection_id`, `evaluation_id`, `department_id`, `status`, `summary`,
	`assigned_to`, `outcome`, `created_at`, `first_handled_at`, `closed_at`, `closed_by` FROM `alerts`;
--> statement-breakpoint
CREATE TABLE `alert_events_new` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts_new`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `alert_events_new` (`id`, `alert_id`, `at`, `actor_id`, `kind`, `note`)
SELECT `id`, `alert_id`, `at`, `actor_id`, `kind`, `note` FROM `alert_events`;
--> statement-breakpoint
DROP TABLE `alert_events`;--> statement-breakpoint
DROP TABLE `alerts`;--> statement-breakpoint
ALTER TABLE `alerts_new` RENAME TO `alerts`;--> statement-breakpoint
ALTER TABLE `alert_events_new` RENAME TO `alert_events`;--> statement-breakpoint
CREATE INDEX `alert_events_alert_idx` ON `alert_events` (`alert_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_evaluation_id_unique` ON `alerts` (`evaluation_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_complaint_id_unique` ON `alerts` (`complaint_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_unregistered_unique` ON `alerts` (`inspection_id`,`kind`) WHERE "alerts"."kind" = 'unregistered_visit';--> statement-breakpoint
CREATE INDEX `alerts_status_idx` ON `alerts` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `alerts_department_idx` ON `alerts` (`department_id`);--> statement-breakpoint
CREATE INDEX `dashboard_alerts_created_idx` ON `alerts` (`created_at`,`department_id`,`status`,`first_handled_at`,`closed_at`,`inspection_id`);--> statement-breakpoint
ALTER TABLE `inspections` ADD `arrived_at` integer;--> statement-breakpoint
ALTER TABLE `inspections` ADD `arrived_by` text REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `inspections` ADD `arrival_location` text;--> statement-breakpoint
ALTER TABLE `inspections` ADD `enterprise_arrival_at` integer;--> statement-breakpoint
ALTER TABLE `inspections` ADD `cancelled_at` integer;--> statement-breakpoint
ALTER TABLE `inspections` ADD `cancelled_by` text REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `inspections` ADD `cancel_reason` text;--> statement-breakpoint
-- The sweep looks for approved visits whose planned end has passed without a registration.
CREATE INDEX `inspections_unregistered_idx` ON `inspections` (`planned_end`) WHERE "inspections"."status" IN ('approved', 'in_progress');--> statement-breakpoint
ALTER TABLE `evaluations` ADD `enterprise_id` text REFERENCES enterprises(id);--> statement-breakpoint
ALTER TABLE `evaluations` ADD `client_hash` text;--> statement-breakpoint
ALTER TABLE `evaluations` ADD `user_agent` text;--> statement-breakpoint
ALTER TABLE `evaluations` ADD `staff_address_match` integer DEFAULT false NOT NULL;
