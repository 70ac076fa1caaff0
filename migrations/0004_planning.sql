CREATE TABLE `planned_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise_id` text NOT NULL,
	`department_id` text NOT NULL,
	`kind` text NOT NULL,
	`planned_start` integer NOT NULL,
	`planned_end` integer NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'planned' NOT NULL,
	`inspection_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `planned_tasks_enterprise_idx` ON `planned_tasks` (`enterprise_id`,`planned_start`);--> statement-breakpoint
CREATE INDEX `planned_tasks_department_idx` ON `planned_tasks` (`department_id`,`planned_start`);--> statement-breakpoint
CREATE INDEX `planned_tasks_inspection_idx` ON `planned_tasks` (`inspection_id`);--> statement-breakpoint
CREATE TABLE `planned_task_items` (
	`task_id` text NOT NULL,
	`item_id` text NOT NULL,
	PRIMARY KEY(`task_id`, `item_id`),
	FOREIGN KEY (`task_id`) REFERENCES `planned_tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `catalog_items`(`id`) ON UPDATE no action ON DELETE no action
);
