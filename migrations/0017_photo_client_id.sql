-- Offline photos (issue 17): a photo taken offline is uploaded when the network returns, perhaps more than
-- once (a lost response, two tabs). The page names each photo with a client id; the unique index makes
-- the second upload of the same id the first photo, even when both arrive at the same moment. Photos
-- uploaded without one (older pages) keep NULL, which the index does not compare.
ALTER TABLE `photos` ADD `client_id` text;
--> statement-breakpoint
CREATE UNIQUE INDEX `photos_inspection_client_idx` ON `photos` (`inspection_id`,`client_id`);
