-- Issue 17: official documents (PDF). One row per distinct document ever issued; the bytes are not
-- kept (they are rendered again from the record), their SHA-256 is, here and in the audit chain.
CREATE TABLE `issued_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`inspection_id` text NOT NULL,
	`kind` text NOT NULL,
	`version` integer NOT NULL,
	`sha256` text NOT NULL,
	`byte_size` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`issued_by` text,
	`channel` text NOT NULL,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`issued_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issued_documents_hash_idx` ON `issued_documents` (`inspection_id`,`kind`,`sha256`);--> statement-breakpoint
CREATE UNIQUE INDEX `issued_documents_version_idx` ON `issued_documents` (`inspection_id`,`kind`,`version`);--> statement-breakpoint
CREATE INDEX `issued_documents_sha_idx` ON `issued_documents` (`sha256`);
