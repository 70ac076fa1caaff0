CREATE TABLE `dashboard_facts` (
	`inspection_id` text NOT NULL,
	`department_id` text NOT NULL,
	`is_lead` integer NOT NULL,
	`enterprise_id` text NOT NULL,
	`district` text NOT NULL,
	`planned_start` integer NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`late_filing` integer NOT NULL,
	`joint` integer DEFAULT 0 NOT NULL,
	`off_site` integer DEFAULT 1 NOT NULL,
	`evaluated_at` integer,
	`score` integer,
	`negative` integer,
	PRIMARY KEY(`inspection_id`, `department_id`)
);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_period_idx` ON `dashboard_facts` (`planned_start`,`department_id`,`district`,`type`,`status`,`joint`,`off_site`,`late_filing`,`is_lead`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_department_idx` ON `dashboard_facts` (`department_id`,`planned_start`,`district`,`type`,`status`,`joint`,`off_site`,`late_filing`,`is_lead`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_district_idx` ON `dashboard_facts` (`district`,`planned_start`,`is_lead`,`department_id`,`type`,`status`,`joint`,`off_site`,`late_filing`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_repeat_idx` ON `dashboard_facts` (`department_id`,`enterprise_id`,`planned_start`,`status`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_enterprise_idx` ON `dashboard_facts` (`enterprise_id`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_lookup_idx` ON `dashboard_facts` (`inspection_id`,`department_id`,`district`);
--> statement-breakpoint
CREATE INDEX `dashboard_facts_negative_idx` ON `dashboard_facts` (`evaluated_at`,`department_id`,`district`,`is_lead`,`inspection_id`) WHERE "dashboard_facts"."negative" = 1;
--> statement-breakpoint
CREATE INDEX `dashboard_facts_evaluated_idx` ON `dashboard_facts` (`evaluated_at`,`department_id`,`district`,`is_lead`,`score`,`negative`);
--> statement-breakpoint
CREATE TABLE `dashboard_item_facts` (
	`inspection_id` text NOT NULL,
	`item_id` text NOT NULL,
	`department_id` text NOT NULL,
	`district` text NOT NULL,
	`planned_start` integer NOT NULL,
	`failed` integer NOT NULL,
	PRIMARY KEY(`inspection_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `dashboard_item_facts_period_idx` ON `dashboard_item_facts` (`planned_start`,`item_id`,`department_id`,`district`,`failed`);
--> statement-breakpoint
CREATE INDEX `dashboard_item_facts_item_idx` ON `dashboard_item_facts` (`item_id`,`failed`,`planned_start`,`department_id`,`district`);
--> statement-breakpoint
CREATE TABLE `dashboard_frequency` (
	`department_id` text NOT NULL,
	`enterprise_id` text NOT NULL,
	`year` integer NOT NULL,
	`district` text NOT NULL,
	`filings` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `enterprise_id`, `year`)
);
--> statement-breakpoint
CREATE INDEX `dashboard_frequency_year_idx` ON `dashboard_frequency` (`year`,`filings`,`department_id`,`district`,`visits`,`enterprise_id`);
--> statement-breakpoint
CREATE TRIGGER `dashboard_frequency_on_insert` AFTER INSERT ON `dashboard_facts` BEGIN
  INSERT INTO dashboard_frequency (department_id, enterprise_id, year, district, filings, visits)
  VALUES (NEW.department_id, NEW.enterprise_id,
    CAST(strftime('%Y', NEW.planned_start / 1000, 'unixepoch', '+8 hours') AS INTEGER), NEW.district,
    NEW.status IN ('filed','approved','in_progress','registered','evaluated','closed'),
    NEW.status IN ('in_progress','registered','evaluated','closed'))
  ON CONFLICT (department_id, enterprise_id, year) DO UPDATE
    SET filings = filings + excluded.filings, visits = visits + excluded.visits, district = excluded.district;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_frequency_on_update` AFTER UPDATE OF `status`, `planned_start`, `enterprise_id`, `district`, `department_id` ON `dashboard_facts` BEGIN
  UPDATE dashboard_frequency
    SET filings = filings - (OLD.status IN ('filed','approved','in_progress','registered','evaluated','closed')),
      visits = visits - (OLD.status IN ('in_progress','registered','evaluated','closed'))
    WHERE department_id = OLD.department_id AND enterprise_id = OLD.enterprise_id
      AND year = CAST(strftime('%Y', OLD.planned_start / 1000, 'unixepoch', '+8 hours') AS INTEGER);
  INSERT INTO dashboard_frequency (department_id, enterprise_id, year, district, filings, visits)
  VALUES (NEW.department_id, NEW.enterprise_id,
    CAST(strftime('%Y', NEW.planned_start / 1000, 'unixepoch', '+8 hours') AS INTEGER), NEW.district,
    NEW.status IN ('filed','approved','in_progress','registered','evaluated','closed'),
    NEW.status IN ('in_progress','registered','evaluated','closed'))
  ON CONFLICT (department_id, enterprise_id, year) DO UPDATE
    SET filings = filings + excluded.filings, visits = visits + excluded.visits, district = excluded.district;
END;
--> statement-breakpoint
CREATE INDEX `dashboard_alerts_created_idx` ON `alerts` (`created_at`,`department_id`,`status`,`first_handled_at`,`closed_at`,`inspection_id`);
--> statement-breakpoint
CREATE TABLE `dashboard_negative_answers` (
	`inspection_id` text NOT NULL,
	`name` text NOT NULL,
	`title` text NOT NULL,
	PRIMARY KEY(`inspection_id`, `name`)
);
--> statement-breakpoint
CREATE INDEX `dashboard_negative_answers_title_idx` ON `dashboard_negative_answers` (`inspection_id`,`name`,`title`);
--> statement-breakpoint
CREATE TRIGGER `dashboard_negative_on_evaluation` AFTER INSERT ON `evaluations` BEGIN
  INSERT INTO dashboard_negative_answers (inspection_id, name, title)
  SELECT NEW.inspection_id, json_extract(j.value, '$.name'), coalesce(json_extract(j.value, '$.title'), '')
  FROM json_each(NEW.negative_answers) j WHERE json_extract(j.value, '$.name') IS NOT NULL
  ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TABLE `dashboard_weekly` (
	`kind` text NOT NULL,
	`week` integer NOT NULL,
	`department_id` text NOT NULL,
	`district` text NOT NULL,
	`is_lead` integer NOT NULL,
	`filings` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`joint` integer DEFAULT 0 NOT NULL,
	`off_site` integer DEFAULT 0 NOT NULL,
	`cases` integer DEFAULT 0 NOT NULL,
	`late` integer DEFAULT 0 NOT NULL,
	`refused` integer DEFAULT 0 NOT NULL,
	`evaluations` integer DEFAULT 0 NOT NULL,
	`scored` integer DEFAULT 0 NOT NULL,
	`score_sum` integer DEFAULT 0 NOT NULL,
	`negative` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`kind`, `week`, `department_id`, `district`, `is_lead`)
);
--> statement-breakpoint
CREATE TRIGGER `dashboard_weekly_on_insert` AFTER INSERT ON `dashboard_facts` BEGIN
  INSERT INTO dashboard_weekly (kind, week, department_id, district, is_lead, filings, visits, joint, off_site, cases, late, refused)
  SELECT 'visit', NEW.planned_start / 604800000, NEW.department_id, NEW.district, NEW.is_lead, 1, NEW.status IN ('in_progress','registered','evaluated','closed'),
    NEW.joint, NEW.off_site, NEW.type = 'case', NEW.late_filing, NEW.status = 'refused'
  WHERE NEW.status <> 'draft'
  ON CONFLICT (kind, week, department_id, district, is_lead) DO UPDATE SET filings = filings + excluded.filings, visits = visits + excluded.visits,
    joint = joint + excluded.joint, off_site = off_site + excluded.off_site, cases = cases + excluded.cases,
    late = late + excluded.late, refused = refused + excluded.refused;
  INSERT INTO dashboard_weekly (kind, week, department_id, district, is_lead, evaluations, scored, score_sum, negative)
  SELECT 'evaluation', NEW.evaluated_at / 604800000, NEW.department_id, NEW.district, NEW.is_lead, 1, NEW.score IS NOT NULL,
    coalesce(NEW.score, 0), coalesce(NEW.negative, 0)
  WHERE NEW.evaluated_at IS NOT NULL
  ON CONFLICT (kind, week, department_id, district, is_lead) DO UPDATE SET evaluations = evaluations + excluded.evaluations, scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum, negative = negative + excluded.negative;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_weekly_on_update` AFTER UPDATE ON `dashboard_facts` BEGIN
  UPDATE dashboard_weekly SET filings = filings - 1, visits = visits - (OLD.status IN ('in_progress','registered','evaluated','closed')), joint = joint - OLD.joint,
      off_site = off_site - OLD.off_site, cases = cases - (OLD.type = 'case'), late = late - OLD.late_filing,
      refused = refused - (OLD.status = 'refused')
    WHERE OLD.status <> 'draft' AND kind = 'visit' AND week = OLD.planned_start / 604800000
      AND department_id = OLD.department_id AND district = OLD.district AND is_lead = OLD.is_lead;
  UPDATE dashboard_weekly SET evaluations = evaluations - 1, scored = scored - (OLD.score IS NOT NULL),
      score_sum = score_sum - coalesce(OLD.score, 0), negative = negative - coalesce(OLD.negative, 0)
    WHERE OLD.evaluated_at IS NOT NULL AND kind = 'evaluation' AND week = OLD.evaluated_at / 604800000
      AND department_id = OLD.department_id AND district = OLD.district AND is_lead = OLD.is_lead;
  INSERT INTO dashboard_weekly (kind, week, department_id, district, is_lead, filings, visits, joint, off_site, cases, late, refused)
  SELECT 'visit', NEW.planned_start / 604800000, NEW.department_id, NEW.district, NEW.is_lead, 1, NEW.status IN ('in_progress','registered','evaluated','closed'),
    NEW.joint, NEW.off_site, NEW.type = 'case', NEW.late_filing, NEW.status = 'refused'
  WHERE NEW.status <> 'draft'
  ON CONFLICT (kind, week, department_id, district, is_lead) DO UPDATE SET filings = filings + excluded.filings, visits = visits + excluded.visits,
    joint = joint + excluded.joint, off_site = off_site + excluded.off_site, cases = cases + excluded.cases,
    late = late + excluded.late, refused = refused + excluded.refused;
  INSERT INTO dashboard_weekly (kind, week, department_id, district, is_lead, evaluations, scored, score_sum, negative)
  SELECT 'evaluation', NEW.evaluated_at / 604800000, NEW.department_id, NEW.district, NEW.is_lead, 1, NEW.score IS NOT NULL,
    coalesce(NEW.score, 0), coalesce(NEW.negative, 0)
  WHERE NEW.evaluated_at IS NOT NULL
  ON CONFLICT (kind, week, department_id, district, is_lead) DO UPDATE SET evaluations = evaluations + excluded.evaluations, scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum, negative = negative + excluded.negative;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_facts_on_department` AFTER INSERT ON `inspection_departments` BEGIN
  INSERT INTO dashboard_facts (inspection_id, department_id, is_lead, enterprise_id, district, planned_start, type,
    status, late_filing, joint, off_site, evaluated_at, score, negative)
  SELECT i.id, NEW.department_id, i.lead_department_id = NEW.department_id, i.enterprise_id, e.district,
    i.planned_start, i.type, i.status, i.late_filing, 0,
    NOT EXISTS (SELECT 1 FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
      WHERE ii.inspection_id = i.id AND c.method = '现场检查'),
    v.submitted_at, v.score, v.negative
  FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id
    LEFT JOIN evaluations v ON v.inspection_id = i.id
  WHERE i.id = NEW.inspection_id
  ON CONFLICT DO NOTHING;
  UPDATE dashboard_facts
    SET joint = (SELECT count(*) > 1 FROM inspection_departments WHERE inspection_id = NEW.inspection_id)
    WHERE inspection_id = NEW.inspection_id;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_facts_on_item` AFTER INSERT ON `inspection_items` BEGIN
  UPDATE dashboard_facts
    SET off_site = NOT EXISTS (SELECT 1 FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
      WHERE ii.inspection_id = NEW.inspection_id AND c.method = '现场检查')
    WHERE inspection_id = NEW.inspection_id;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_facts_on_inspection` AFTER UPDATE OF `status`, `planned_start`, `type`, `late_filing`, `lead_department_id`, `enterprise_id` ON `inspections` BEGIN
  UPDATE dashboard_facts
    SET status = NEW.status, planned_start = NEW.planned_start, type = NEW.type, late_filing = NEW.late_filing,
      is_lead = department_id = NEW.lead_department_id, enterprise_id = NEW.enterprise_id,
      district = (SELECT district FROM enterprises WHERE id = NEW.enterprise_id)
    WHERE inspection_id = NEW.id;
  UPDATE dashboard_item_facts
    SET planned_start = NEW.planned_start, district = (SELECT district FROM enterprises WHERE id = NEW.enterprise_id)
    WHERE inspection_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_facts_on_district` AFTER UPDATE OF `district` ON `enterprises` BEGIN
  UPDATE dashboard_facts SET district = NEW.district WHERE enterprise_id = NEW.id;
  UPDATE dashboard_item_facts SET district = NEW.district
    WHERE inspection_id IN (SELECT inspection_id FROM dashboard_facts WHERE enterprise_id = NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_facts_on_evaluation` AFTER INSERT ON `evaluations` BEGIN
  UPDATE dashboard_facts SET evaluated_at = NEW.submitted_at, score = NEW.score, negative = NEW.negative
    WHERE inspection_id = NEW.inspection_id;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_items_on_checklist_insert` AFTER INSERT ON `checklists` WHEN NEW.status = 'submitted' BEGIN
  INSERT INTO dashboard_item_facts (inspection_id, item_id, department_id, district, planned_start, failed)
  SELECT ii.inspection_id, ii.item_id, ii.department_id, e.district, i.planned_start,
    c.code IN (SELECT value FROM json_each(NEW.failed_items))
  FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
    JOIN inspections i ON i.id = ii.inspection_id JOIN enterprises e ON e.id = i.enterprise_id
  WHERE ii.inspection_id = NEW.inspection_id
  ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_items_on_checklist_update` AFTER UPDATE OF `status`, `failed_items` ON `checklists` WHEN NEW.status = 'submitted' BEGIN
  DELETE FROM dashboard_item_facts WHERE inspection_id = NEW.inspection_id;
  INSERT INTO dashboard_item_facts (inspection_id, item_id, department_id, district, planned_start, failed)
  SELECT ii.inspection_id, ii.item_id, ii.department_id, e.district, i.planned_start,
    c.code IN (SELECT value FROM json_each(NEW.failed_items))
  FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
    JOIN inspections i ON i.id = ii.inspection_id JOIN enterprises e ON e.id = i.enterprise_id
  WHERE ii.inspection_id = NEW.inspection_id
  ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
INSERT INTO dashboard_facts (inspection_id, department_id, is_lead, enterprise_id, district, planned_start, type,
  status, late_filing, joint, off_site, evaluated_at, score, negative)
SELECT i.id, d.department_id, i.lead_department_id = d.department_id, i.enterprise_id, e.district, i.planned_start,
  i.type, i.status, i.late_filing,
  (SELECT count(*) > 1 FROM inspection_departments x WHERE x.inspection_id = i.id),
  NOT EXISTS (SELECT 1 FROM inspection_items ii JOIN catalog_items c ON c.id = ii.item_id
    WHERE ii.inspection_id = i.id AND c.method = '现场检查'),
  v.submitted_at, v.score, v.negative
FROM inspection_departments d JOIN inspections i ON i.id = d.inspection_id
  JOIN enterprises e ON e.id = i.enterprise_id LEFT JOIN evaluations v ON v.inspection_id = i.id;
--> statement-breakpoint
INSERT INTO dashboard_item_facts (inspection_id, item_id, department_id, district, planned_start, failed)
SELECT ii.inspection_id, ii.item_id, ii.department_id, e.district, i.planned_start,
  c.code IN (SELECT value FROM json_each(k.failed_items))
FROM checklists k JOIN inspection_items ii ON ii.inspection_id = k.inspection_id
  JOIN catalog_items c ON c.id = ii.item_id JOIN inspections i ON i.id = ii.inspection_id
  JOIN enterprises e ON e.id = i.enterprise_id
WHERE k.status = 'submitted';
--> statement-breakpoint
INSERT INTO dashboard_negative_answers (inspection_id, name, title)
SELECT v.inspection_id, json_extract(j.value, '$.name'), coalesce(json_extract(j.value, '$.title'), '')
FROM evaluations v, json_each(v.negative_answers) j WHERE json_extract(j.value, '$.name') IS NOT NULL
ON CONFLICT DO NOTHING;
