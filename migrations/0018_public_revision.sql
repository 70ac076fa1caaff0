-- The public inspection view (/i/:code and its data GET) is served from memory while this stamp is
-- unchanged: every write to a table the view reads bumps it, in the writing statement's own transaction,
-- so no code path can forget to invalidate and every isolate of the Worker sees the change on its next
-- read. The first write creates the row (a fresh database stays empty, as db:import wants it; nothing
-- is cached before), at a random value below 2^53 (a JS number), so an emptied table never brings back
-- an old stamp.
CREATE TABLE `public_revision` (
  `id` integer PRIMARY KEY NOT NULL,
  `n` integer NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspections_insert` AFTER INSERT ON `inspections` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspections_update` AFTER UPDATE ON `inspections` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspections_delete` AFTER DELETE ON `inspections` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_departments_insert` AFTER INSERT ON `inspection_departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_departments_update` AFTER UPDATE ON `inspection_departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_departments_delete` AFTER DELETE ON `inspection_departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_officers_insert` AFTER INSERT ON `inspection_officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_officers_update` AFTER UPDATE ON `inspection_officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_officers_delete` AFTER DELETE ON `inspection_officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_items_insert` AFTER INSERT ON `inspection_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_items_update` AFTER UPDATE ON `inspection_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_inspection_items_delete` AFTER DELETE ON `inspection_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_officers_insert` AFTER INSERT ON `officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_officers_update` AFTER UPDATE ON `officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_officers_delete` AFTER DELETE ON `officers` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_departments_insert` AFTER INSERT ON `departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_departments_update` AFTER UPDATE ON `departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_departments_delete` AFTER DELETE ON `departments` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_enterprises_insert` AFTER INSERT ON `enterprises` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_enterprises_update` AFTER UPDATE ON `enterprises` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_enterprises_delete` AFTER DELETE ON `enterprises` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_evaluations_insert` AFTER INSERT ON `evaluations` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_evaluations_update` AFTER UPDATE ON `evaluations` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_evaluations_delete` AFTER DELETE ON `evaluations` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_catalog_items_insert` AFTER INSERT ON `catalog_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_catalog_items_update` AFTER UPDATE ON `catalog_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_catalog_items_delete` AFTER DELETE ON `catalog_items` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_corrective_actions_insert` AFTER INSERT ON `corrective_actions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_corrective_actions_update` AFTER UPDATE ON `corrective_actions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_corrective_actions_delete` AFTER DELETE ON `corrective_actions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_forms_insert` AFTER INSERT ON `forms` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_forms_update` AFTER UPDATE ON `forms` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_forms_delete` AFTER DELETE ON `forms` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_form_versions_insert` AFTER INSERT ON `form_versions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_form_versions_update` AFTER UPDATE ON `form_versions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_form_versions_delete` AFTER DELETE ON `form_versions` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_checklists_insert` AFTER INSERT ON `checklists` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- An answer autosaved into an open checklist is not on the public page (only the submitted result and
-- the items' basis in the checklist's schema are), so it does not empty the cache on every keystroke.
CREATE TRIGGER `public_revision_checklists_update` AFTER UPDATE ON `checklists`
  WHEN OLD.status = 'submitted' OR NEW.status = 'submitted' OR OLD.schema IS NOT NEW.schema
    OR OLD.inspection_id IS NOT NEW.inspection_id BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `public_revision_checklists_delete` AFTER DELETE ON `checklists` BEGIN
  INSERT INTO public_revision (id, n) VALUES (1, abs(random() % 1000000000000)) ON CONFLICT (id) DO UPDATE SET n = n + 1;
END;
