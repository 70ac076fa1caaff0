-- Issue 15: a failed check point is followed to the end (R16). Corrective actions are written in the
-- checklist submit's batch; the unique key (found_in_inspection_id, item_id, point_key) makes a retried
-- submit a no-op. Overdue is computed from the deadline when read, never stored.
ALTER TABLE `inspections` ADD `reinspection_of` text REFERENCES inspections(id);--> statement-breakpoint
ALTER TABLE `inspections` ADD `closed_with_open_actions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `inspections` ADD `close_reason` text;--> statement-breakpoint
ALTER TABLE `catalog_items` ADD `written_verification` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE `corrective_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL REFERENCES inspections(id),
	`found_in_inspection_id` text NOT NULL REFERENCES inspections(id),
	`enterprise_id` text NOT NULL REFERENCES enterprises(id),
	`department_id` text NOT NULL REFERENCES departments(id),
	`item_id` text NOT NULL REFERENCES catalog_items(id),
	`item_code` text NOT NULL,
	`form_id` text NOT NULL,
	`form_version` integer NOT NULL,
	`point_key` text NOT NULL,
	`point_title` text NOT NULL,
	`requirement` text NOT NULL,
	`deadline` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL CHECK (`status` IN ('open','evidence_submitted','accepted','returned','reinspection','superseded')),
	`first_violation` text CHECK (`first_violation` IN ('first','repeat')),
	`first_violation_basis` text,
	`previous_action_id` text REFERENCES corrective_actions(id),
	`reinspection_id` text REFERENCES inspections(id),
	`statement` text,
	`credit_commitment` integer DEFAULT 0 NOT NULL,
	`evidence_submitted_at` integer,
	`late` integer DEFAULT 0 NOT NULL,
	`return_reason` text,
	`verification` text CHECK (`verification` IN ('written','reinspection')),
	`accepted_at` integer,
	`accepted_by` text REFERENCES users(id),
	`corrected_on_time` integer,
	`overdue_notified_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `corrective_actions_point_unique` ON `corrective_actions` (`found_in_inspection_id`,`item_id`,`point_key`);--> statement-breakpoint
CREATE INDEX `corrective_actions_inspection_idx` ON `corrective_actions` (`inspection_id`,`status`);--> statement-breakpoint
CREATE INDEX `corrective_actions_department_idx` ON `corrective_actions` (`department_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `corrective_actions_enterprise_idx` ON `corrective_actions` (`enterprise_id`,`item_id`,`point_key`);--> statement-breakpoint
CREATE INDEX `corrective_actions_reinspection_idx` ON `corrective_actions` (`reinspection_id`);--> statement-breakpoint
CREATE INDEX `corrective_actions_due_idx` ON `corrective_actions` (`deadline`) WHERE `status` IN ('open','returned') AND `overdue_notified_at` IS NULL;--> statement-breakpoint
CREATE TABLE `action_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`action_id` text NOT NULL REFERENCES corrective_actions(id),
	`file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`sha256` text NOT NULL,
	`data` blob NOT NULL,
	`created_at` integer NOT NULL
);--> statement-breakpoint
CREATE INDEX `action_evidence_action_idx` ON `action_evidence` (`action_id`);
