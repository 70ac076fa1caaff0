-- Issue 16: supervision cases (督办). A case number is a yearly sequence kept in case_counters and
-- taken in the same batch that inserts the case, so two concurrent openings never share a number.
CREATE TABLE `case_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`number` text NOT NULL,
	`department_id` text NOT NULL,
	`title` text NOT NULL,
	`facts` text DEFAULT '' NOT NULL,
	`situations` text NOT NULL,
	`officer_ids` text DEFAULT '[]' NOT NULL,
	`level` text NOT NULL,
	`answer_due` text NOT NULL,
	`status` text DEFAULT 'opened' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`opened_by` text,
	`opened_at` integer NOT NULL,
	`sent_at` integer,
	`answered_at` integer,
	`accepted_at` integer,
	`closed_at` integer,
	`closed_by` text,
	`conclusion` text,
	`conclusion_detail` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`opened_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number_unique` ON `cases` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `cases_department_idx` ON `cases` (`department_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `cases_status_idx` ON `cases` (`status`,`opened_at`);--> statement-breakpoint
-- One source feeds one open case: the partial unique index holds the sources of open cases only.
CREATE TABLE `case_sources` (
	`case_id` text NOT NULL,
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`open` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`case_id`, `kind`, `ref`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_sources_open_unique` ON `case_sources` (`kind`,`ref`) WHERE "case_sources"."open" = 1;--> statement-breakpoint
-- Each step takes the next seq of its case: two racing steps on the same version collide here.
CREATE TABLE `case_events` (
	`case_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`case_id`, `seq`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `case_attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`content_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`sha256` text NOT NULL,
	`data` blob NOT NULL,
	`uploaded_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_attachments_case_idx` ON `case_attachments` (`case_id`);
