-- Issue 13 on the dashboard: complaints, unregistered visits, cancelled and late (补办) filings. Each
-- figure reads a small partial index instead of the period's whole range of facts.
CREATE INDEX `complaints_created_idx` ON `complaints` (`created_at`,`department_id`,`unfiled_visit`,`enterprise_id`);--> statement-breakpoint
CREATE INDEX `dashboard_facts_cancelled_idx` ON `dashboard_facts` (`planned_start`,`department_id`,`district`,`is_lead`) WHERE "dashboard_facts"."status" = 'cancelled';--> statement-breakpoint
CREATE INDEX `dashboard_facts_late_idx` ON `dashboard_facts` (`planned_start`,`department_id`,`district`,`is_lead`,`status`) WHERE "dashboard_facts"."late_filing" = 1;--> statement-breakpoint
CREATE INDEX `alerts_unregistered_created_idx` ON `alerts` (`created_at`,`inspection_id`) WHERE "alerts"."kind" = 'unregistered_visit';
