import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { checklists, photos } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { FieldError } from "../forms/validation.ts";
import { findSchemaProblems } from "../forms/validation.ts";
import { loadInspection, type InspectionRow } from "../inspections/access.ts";
import { InspectionIdParam } from "../inspections/schemas.ts";
import { transitionStatements } from "../inspections/state.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { mediaProblems, partialProblems, referencedPhotoIds } from "./answers.ts";
import { generateChecklist } from "./generate.ts";
import { photoRoutes } from "./photos.ts";
import {
  abortUnlessOneRowChanged,
  checklistFacts,
  checklistItems,
  readChecklist,
  type ChecklistRow,
} from "./store.ts";
import { failedItemCodes, summarizeChecklist } from "./summary.ts";
import { visitTimeProblems } from "./times.ts";
import { questionTitle } from "../forms/question-title.ts";

const anyone = requireUser();
const Data = z.record(z.string(), z.unknown());
const DataBody = z.object({ data: Data });
const OPEN = new Set<InspectionRow["status"]>(["approved", "in_progress"]);

const ChecklistView = z.object({
  schema: z.record(z.string(), z.unknown()),
  data: Data,
  status: z.enum(["draft", "submitted"]),
  inspectionStatus: z.string(),
  generatedAt: z.string(),
  savedAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  /** Codes of the items with a 不合格 point, once submitted. */
  failedItems: z.array(z.string()),
  items: z.array(z.object({ code: z.string(), name: z.string(), legalBasis: z.string() })),
});

const getChecklist = createRoute({
  method: "get",
  path: "/{id}/checklist",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam },
  responses: {
    200: jsonResponse("现场检查表（首次打开时生成并固定）", ChecklistView),
    ...errors(401, 404, 409),
  },
});

const saveChecklist = createRoute({
  method: "put",
  path: "/{id}/checklist",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam, ...jsonBody(DataBody) },
  responses: {
    200: jsonResponse(
      "已暂存",
      z.object({ status: z.literal("draft"), savedAt: z.string(), inspectionStatus: z.string() }),
    ),
    ...errors(400, 401, 403, 404, 409, 413, 415),
  },
});

const submitChecklist = createRoute({
  method: "post",
  path: "/{id}/checklist/submit",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam, ...jsonBody(DataBody) },
  responses: {
    200: jsonResponse(
      "已登记",
      z.object({
        status: z.literal("submitted"),
        submittedAt: z.string(),
        inspectionStatus: z.string(),
        failedItems: z.array(z.string()),
      }),
    ),
    ...errors(400, 401, 403, 404, 409, 413, 415),
  },
});

function view(row: ChecklistRow, inspection: InspectionRow) {
  const schema = JSON.parse(row.schema) as Record<string, unknown>;
  return {
    schema,
    data: JSON.parse(row.data) as Record<string, unknown>,
    status: row.status,
    inspectionStatus: inspection.status,
    generatedAt: iso(row.generatedAt)!,
    savedAt: iso(row.savedAt),
    submittedAt: iso(row.submittedAt),
    failedItems: JSON.parse(row.failedItems) as string[],
    items: checklistItems(schema),
  };
}

/** Generates and snapshots the checklist; of two concurrent first reads, one writes and both get it. */
async function generate(c: Context<AppEnv>, inspection: InspectionRow): Promise<ChecklistRow> {
  if (!OPEN.has(inspection.status)) {
    throw new ApiError(409, "not_approved", "检查经审批通过后才能生成现场检查表");
  }
  const facts = await checklistFacts(c.var.db, inspection, c.var.deps.config.timeZone);
  const schema = generateChecklist(facts);
  const problems = findSchemaProblems(schema);
  if (problems.length) {
    throw new ApiError(409, "checklist_invalid", `生成的检查表有问题：${problems[0]!.message}`, problems);
  }
  const db = c.var.db;
  try {
    await runBatch(db, [
      db
        .insert(checklists)
        .values({ inspectionId: inspection.id, schema: JSON.stringify(schema), generatedAt: Date.now() })
        .onConflictDoNothing(),
      abortUnlessOneRowChanged(db),
      auditInsert(c, {
        action: "checklist.generate",
        targetType: "inspection",
        targetId: inspection.id,
        detail: {
          items: facts.items.map((i) => ({ code: i.code, formId: i.formId, version: i.formVersion })),
        },
      }),
    ]);
  } catch (error) {
    const existing = await readChecklist(db, inspection.id);
    if (existing) return existing;
    throw error;
  }
  return (await readChecklist(db, inspection.id))!;
}

/** The checklist as it may still be written to: generated, not submitted, inspection under way. */
async function writable(c: Context<AppEnv>, id: string) {
  const inspection = await loadInspection(c, id, "act");
  const row = await readChecklist(c.var.db, id);
  if (!row) throw new ApiError(409, "checklist_missing", "请先打开现场检查表");
  if (row.status === "submitted")
    throw new ApiError(409, "already_submitted", "现场检查表已提交登记，不能再修改");
  if (!OPEN.has(inspection.status)) {
    throw new ApiError(409, "invalid_state", "检查当前状态不能填写现场检查表");
  }
  return { inspection, row, schema: JSON.parse(row.schema) as Record<string, unknown> };
}

async function knownPhotos(c: Context<AppEnv>, inspectionId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await c.var.db
    .select({ id: photos.id })
    .from(photos)
    .where(and(eq(photos.inspectionId, inspectionId), inArray(photos.id, [...new Set(ids)])));
  return new Set(rows.map((r) => r.id));
}

/** The entered start and end against the filing (src/checklists/times.ts). */
function timeProblems(c: Context<AppEnv>, data: Record<string, unknown>, inspection: InspectionRow) {
  const { timeZone, inspections: cfg } = c.var.deps.config;
  const now = c.var.deps.now?.() ?? Date.now();
  return visitTimeProblems(data, inspection, now, cfg.checklistTimeMarginMinutes * 60_000, timeZone);
}

function refuse(errors: FieldError[], schema: unknown): never {
  const first = errors[0]!;
  const title = questionTitle(schema, first.name);
  throw new ApiError(400, "invalid_response", `提交的内容未通过校验：「${title}」${first.message}`, errors);
}

/**
 * Runs a write batch built from a fresh read. A batch aborted by a lost race is retried once on a
 * fresh read (the inspection may have moved approved → in_progress meanwhile); a submitted checklist
 * makes it a 409.
 */
async function writeWithRetry(
  c: Context<AppEnv>,
  id: string,
  build: (state: Awaited<ReturnType<typeof writable>>) => Parameters<typeof runBatch>[1],
) {
  for (let attempt = 1; ; attempt++) {
    const state = await writable(c, id);
    try {
      await runBatch(c.var.db, build(state));
      return state;
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
}

export function checklistRoutes() {
  const app = newRouter();

  app.openapi(getChecklist, async (c) => {
    const { id } = c.req.valid("param");
    const inspection = await loadInspection(c, id, "read");
    const row = (await readChecklist(c.var.db, id)) ?? (await generate(c, inspection));
    return c.json(view(row, inspection), 200);
  });

  app.openapi(saveChecklist, async (c) => {
    const { id } = c.req.valid("param");
    const { data } = c.req.valid("json");
    const { schema, row, inspection: current } = await writable(c, id);
    const known = await knownPhotos(c, id, referencedPhotoIds(schema, data));
    const problems = [
      ...partialProblems(schema, data, `${id}:${row.generatedAt}`),
      ...mediaProblems(schema, data, id, known),
      ...timeProblems(c, data, current),
    ];
    if (problems.length) refuse(problems, schema);
    const text = JSON.stringify(data);
    const now = Date.now();
    const user = currentUser(c);
    const { inspection } = await writeWithRetry(c, id, ({ inspection }) => {
      const start =
        inspection.status === "approved" ? transitionStatements(c, inspection, "in_progress") : null;
      return [
        c.var.db
          .update(checklists)
          .set({ data: text, savedAt: now, savedBy: user.id })
          .where(and(eq(checklists.inspectionId, id), eq(checklists.status, "draft"))),
        abortUnlessOneRowChanged(c.var.db),
        auditInsert(c, {
          action: "checklist.save",
          targetType: "inspection",
          targetId: id,
          detail: { bytes: Buffer.byteLength(text), answers: Object.keys(data).length },
        }),
        ...(start ? [start[0], abortUnlessOneRowChanged(c.var.db), start[1]] : []),
      ];
    });
    const status = inspection.status === "approved" ? "in_progress" : inspection.status;
    return c.json({ status: "draft" as const, savedAt: iso(now)!, inspectionStatus: status }, 200);
  });

  app.openapi(submitChecklist, async (c) => {
    const { id } = c.req.valid("param");
    const { data } = c.req.valid("json");
    const { schema, inspection: current } = await writable(c, id);
    const validate = c.var.deps.validators.get(`checklist:${id}`, () => schema);
    const result = validate(data);
    const known = await knownPhotos(c, id, referencedPhotoIds(schema, data));
    const problems = [
      ...(result.ok ? [] : result.errors),
      ...mediaProblems(schema, data, id, known),
      ...timeProblems(c, data, current),
    ];
    if (problems.length) refuse(problems, schema);
    const failedItems = failedItemCodes(summarizeChecklist(schema, data));
    const text = JSON.stringify(data);
    const now = Date.now();
    const user = currentUser(c);
    await writeWithRetry(c, id, ({ inspection }) => {
      const [register, registerAudit] = transitionStatements(c, inspection, "registered");
      return [
        c.var.db
          .update(checklists)
          .set({
            status: "submitted",
            data: text,
            failedItems: JSON.stringify(failedItems),
            savedAt: now,
            savedBy: user.id,
            submittedAt: now,
            submittedBy: user.id,
          })
          .where(and(eq(checklists.inspectionId, id), eq(checklists.status, "draft"))),
        abortUnlessOneRowChanged(c.var.db),
        register,
        abortUnlessOneRowChanged(c.var.db),
        registerAudit,
        auditInsert(c, {
          action: "checklist.submit",
          targetType: "inspection",
          targetId: id,
          detail: { bytes: Buffer.byteLength(text), failedItems },
        }),
      ];
    });
    return c.json(
      { status: "submitted" as const, submittedAt: iso(now)!, inspectionStatus: "registered", failedItems },
      200,
    );
  });

  app.route("/", photoRoutes());
  return app;
}
