-- R18: a department acts only in its own name. Joining another department's inspection, and being
-- named in a joint filing, is a request both administrators consent to. Until then the department is
-- not in inspection_departments, so every query and dashboard trigger reading that table stays right.
CREATE TABLE `join_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`department_id` text NOT NULL,
	`origin` text NOT NULL,
	`officer_ids` text NOT NULL,
	`item_ids` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`requested_by` text,
	`requested_at` integer NOT NULL,
	`lead_accepted_by` text,
	`lead_accepted_at` integer,
	`department_approved_by` text,
	`department_approved_at` integer,
	`decided_by` text,
	`decided_at` integer,
	`refusal_reason` text,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_accepted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `join_requests_pending_idx` ON `join_requests` (`inspection_id`,`department_id`) WHERE "join_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `join_requests_department_idx` ON `join_requests` (`department_id`,`status`);--> statement-breakpoint
CREATE INDEX `join_requests_inspection_idx` ON `join_requests` (`inspection_id`,`status`);
