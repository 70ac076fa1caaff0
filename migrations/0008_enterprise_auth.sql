-- Enterprise sign-in (issue 13, R14): sessions, SMS codes and activation letters of enterprises,
-- apart from staff sessions; the directory's mobile number (the arrival confirmation is in 0007).
ALTER TABLE `enterprises` ADD `contact_phone` text;--> statement-breakpoint
CREATE TABLE `enterprise_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`method` text NOT NULL,
	`ip_hash` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `enterprise_sessions_enterprise_idx` ON `enterprise_sessions` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `enterprise_login_codes` (
	`enterprise_id` text PRIMARY KEY NOT NULL,
	`code_hash` text NOT NULL,
	`phone` text NOT NULL,
	`tries` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `enterprise_activation_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`session_id` text,
	`revoked_at` integer,
	`printed_by` text,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`printed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enterprise_activation_token_unique` ON `enterprise_activation_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `enterprise_activation_enterprise_idx` ON `enterprise_activation_tokens` (`enterprise_id`);
