-- Offline checklists (issue 17): a revision per save, so a stale save from a second device is refused
-- with both versions; the client id of the submission, so a retried submit is recognised; and the
-- device's and the server's clocks at start, per save and at submit, with the skew the server saw.
ALTER TABLE `checklists` ADD `revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `checklists` ADD `submit_client_id` text;
--> statement-breakpoint
ALTER TABLE `checklists` ADD `device_times` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `checklists` ADD `clock_skew_flagged` integer DEFAULT 0 NOT NULL;
