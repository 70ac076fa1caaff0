CREATE TABLE `sampling_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`lead_department_id` text NOT NULL,
	`item_ids` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`filters` text NOT NULL,
	`ratios_bp` text NOT NULL,
	`triggered_credit_codes` text DEFAULT '[]' NOT NULL,
	`inspectors_per_enterprise` integer DEFAULT 2 NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`snapshot` text,
	`snapshot_hash` text,
	`commitment` text,
	`seed` text,
	`result` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`committed_at` integer,
	`drawn_at` integer,
	`revealed_at` integer,
	`filed_at` integer,
	FOREIGN KEY (`lead_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sampling_tasks_lead_idx` ON `sampling_tasks` (`lead_department_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `sampling_tasks_status_idx` ON `sampling_tasks` (`status`,`committed_at`);--> statement-breakpoint
CREATE TABLE `sampling_task_departments` (
	`task_id` text NOT NULL,
	`department_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`task_id`, `department_id`),
	FOREIGN KEY (`task_id`) REFERENCES `sampling_tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sampling_task_departments_dept_idx` ON `sampling_task_departments` (`department_id`);--> statement-breakpoint
CREATE TABLE `sampling_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`enterprise_id` text NOT NULL,
	`reason` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sampling_conflicts_pair_unique` ON `sampling_conflicts` (`officer_id`,`enterprise_id`);--> statement-breakpoint
CREATE INDEX `sampling_conflicts_enterprise_idx` ON `sampling_conflicts` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `sampling_filings` (
	`task_id` text NOT NULL,
	`enterprise_id` text NOT NULL,
	`outcome` text NOT NULL,
	`inspection_id` text,
	`conflict_inspection_id` text,
	`message` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`task_id`, `enterprise_id`),
	FOREIGN KEY (`task_id`) REFERENCES `sampling_tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conflict_inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action
);
