-- Issue 16: 案卷评查. A task freezes the registered inspections of a period per department (snapshot and
-- its hash) and commits to sha256(seed) before the draw; the seed is published with the sample.
CREATE TABLE `review_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`form_id` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`per_department` integer NOT NULL,
	`threshold` integer NOT NULL,
	`reviewer_ids` text NOT NULL,
	`status` text DEFAULT 'committed' NOT NULL,
	`snapshot` text NOT NULL,
	`snapshot_hash` text NOT NULL,
	`commitment` text NOT NULL,
	`seed` text NOT NULL,
	`revealed_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`form_id`) REFERENCES `forms`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `review_items` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`inspection_id` text NOT NULL,
	`department_id` text NOT NULL,
	`reviewer_id` text,
	`form_version` integer,
	`answers` text,
	`score` integer,
	`max_score` integer,
	`scored_at` integer,
	`case_id` text,
	FOREIGN KEY (`task_id`) REFERENCES `review_tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_items_unique` ON `review_items` (`task_id`,`inspection_id`);--> statement-breakpoint
CREATE INDEX `review_items_department_idx` ON `review_items` (`department_id`,`scored_at`);
