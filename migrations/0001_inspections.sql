CREATE TABLE `alert_events` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_events_alert_idx` ON `alert_events` (`alert_id`,`at`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`evaluation_id` text NOT NULL,
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
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_to`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_evaluation_id_unique` ON `alerts` (`evaluation_id`);--> statement-breakpoint
CREATE INDEX `alerts_status_idx` ON `alerts` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `alerts_department_idx` ON `alerts` (`department_id`);--> statement-breakpoint
CREATE TABLE `catalog_items` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`department_id` text NOT NULL,
	`name` text NOT NULL,
	`legal_basis` text NOT NULL,
	`method` text DEFAULT '现场检查' NOT NULL,
	`yearly_cap` integer,
	`checklist_form_id` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`checklist_form_id`) REFERENCES `forms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalog_items_code_unique` ON `catalog_items` (`code`);--> statement-breakpoint
CREATE INDEX `catalog_department_idx` ON `catalog_items` (`department_id`);--> statement-breakpoint
CREATE TABLE `checklists` (
	`inspection_id` text PRIMARY KEY NOT NULL,
	`schema` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`failed_items` text DEFAULT '[]' NOT NULL,
	`generated_at` integer NOT NULL,
	`saved_at` integer,
	`saved_by` text,
	`submitted_at` integer,
	`submitted_by` text,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`saved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `enterprises` (
	`id` text PRIMARY KEY NOT NULL,
	`credit_code` text NOT NULL,
	`name` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`district` text DEFAULT '' NOT NULL,
	`industry` text DEFAULT '' NOT NULL,
	`legal_representative` text DEFAULT '' NOT NULL,
	`contact` text DEFAULT '' NOT NULL,
	`credit_grade` text DEFAULT 'B' NOT NULL,
	`risk_level` text DEFAULT 'medium' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enterprises_credit_code_unique` ON `enterprises` (`credit_code`);--> statement-breakpoint
CREATE INDEX `enterprises_district_idx` ON `enterprises` (`district`);--> statement-breakpoint
CREATE INDEX `enterprises_name_idx` ON `enterprises` (`name`);--> statement-breakpoint
CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`form_id` text NOT NULL,
	`version` integer NOT NULL,
	`data` text NOT NULL,
	`negative` integer NOT NULL,
	`negative_answers` text DEFAULT '[]' NOT NULL,
	`score` integer,
	`submitted_at` integer NOT NULL,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`form_id`,`version`) REFERENCES `form_versions`(`form_id`,`version`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_inspection_unique` ON `evaluations` (`inspection_id`);--> statement-breakpoint
CREATE TABLE `inspection_departments` (
	`inspection_id` text NOT NULL,
	`department_id` text NOT NULL,
	`joined_at` integer NOT NULL,
	`joined_by` text,
	PRIMARY KEY(`inspection_id`, `department_id`),
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`joined_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `insp_dept_idx` ON `inspection_departments` (`department_id`);--> statement-breakpoint
CREATE TABLE `inspection_items` (
	`inspection_id` text NOT NULL,
	`item_id` text NOT NULL,
	`department_id` text NOT NULL,
	PRIMARY KEY(`inspection_id`, `item_id`),
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `catalog_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `insp_item_idx` ON `inspection_items` (`item_id`);--> statement-breakpoint
CREATE TABLE `inspection_officers` (
	`inspection_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`is_helper` integer NOT NULL,
	PRIMARY KEY(`inspection_id`, `officer_id`),
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `insp_officer_idx` ON `inspection_officers` (`officer_id`);--> statement-breakpoint
CREATE TABLE `inspections` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise_id` text NOT NULL,
	`lead_department_id` text NOT NULL,
	`type` text NOT NULL,
	`case_reason` text,
	`status` text DEFAULT 'filed' NOT NULL,
	`planned_start` integer NOT NULL,
	`planned_end` integer NOT NULL,
	`legal_basis` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`late_filing` integer DEFAULT false NOT NULL,
	`late_reason` text,
	`filed_by` text,
	`filed_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`refusal_reason` text,
	`started_at` integer,
	`registered_at` integer,
	`evaluated_at` integer,
	`closed_at` integer,
	`code_nonce` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`filed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `inspections_enterprise_idx` ON `inspections` (`enterprise_id`,`planned_start`);--> statement-breakpoint
CREATE INDEX `inspections_department_idx` ON `inspections` (`lead_department_id`,`planned_start`);--> statement-breakpoint
CREATE INDEX `inspections_status_idx` ON `inspections` (`status`);--> statement-breakpoint
CREATE TABLE `officers` (
	`id` text PRIMARY KEY NOT NULL,
	`department_id` text NOT NULL,
	`user_id` text,
	`name` text NOT NULL,
	`is_helper` integer DEFAULT false NOT NULL,
	`credential_no` text,
	`credential_issued_on` text,
	`credential_expires_on` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `officers_user_id_unique` ON `officers` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `officers_credential_no_unique` ON `officers` (`credential_no`);--> statement-breakpoint
CREATE INDEX `officers_department_idx` ON `officers` (`department_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`topic` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`delivered_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`delivered_at`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `photos` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`content_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`sha256` text NOT NULL,
	`data` blob NOT NULL,
	`uploaded_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `photos_inspection_idx` ON `photos` (`inspection_id`);--> statement-breakpoint
ALTER TABLE `departments` ADD `listed` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `departments` ADD `district` text DEFAULT '' NOT NULL;