import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { checklists, photos } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { FieldError } from "../forms/validation-types.ts";
import { findSchemaProblems } from "../forms/schema-problems.ts";
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
import { submitActionStatements } from "./findings.ts";
import { deviceTimeEntry, skewed, type DeviceClock, type DeviceTime } from "./device-times.ts";
import { questionTitle } from "../forms/question-title.ts";

const anyone = requireUser();
const Data = z.record(z.string(), z.unknown());
const Location = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  accuracy: z.number().min(0).max(100_000).optional(),
});
/** What an offline-capable page adds (issue 17); every field optional, so older pages keep working. */
const Sync = {
  /** The revision the page last had from the server; a save based on an older one is refused (409). */
  baseRevision: z.number().int().min(0).optional(),
  /** The device's clock when it sent the request, and when the event happened there if queued offline. */
  deviceTime: z.string().datetime({ offset: true }).optional(),
  happenedAt: z.string().datetime({ offset: true }).optional(),
  location: Location.optional(),
};
const DataBody = z.object({ data: Data, ...Sync });
const SubmitBody = z.object({
  data: Data,
  ...Sync,
  /** Chosen by the page once per submission: the same id again is the same submission, answered as before. */
  clientId: z.string().uuid("clientId 必须是 UUID").optional(),
});
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
  revision: z.number().int(),
  /** The device clocks recorded (start, photos, submit) and whether one was off by more than the limit. */
  deviceTimes: z.array(z.record(z.string(), z.unknown())),
  clockSkewFlagged: z.boolean(),
});

const getChecklist = createRoute({
  method: "get",
  path: "/{id}/checklist",
  summary: "现场检查单（首次读取时按备案事项生成并固定）",
  description:
    '能读取该检查的人可读（其他部门 → 404）。已批准或进行中的检查首次读取时，按备案事项（各事项检查表的最新发布版本）生成检查单并存为快照：此后事项清单或表单的修改不再影响它（审计 `checklist.generate`）。未批准 → 409 `not_approved`；事项的检查表没有发布版本 → 409 `checklist_form_unpublished`（列出事项）。结构：`header` 页（问 `inspection_place`、`start_time`、`end_time`），每个事项一页（答案前缀 `i<n>__`；检查点 `lianmaRole: "checkpoint"`，取值 `pass`/`fail`/`na`，`fail` 时必填 `<point>__requirement`、`<point>__deadline`），`closing` 页含 `photos`、`rights_notified`（须为 true）、`officer_signature_<n>`、`enterprise_representative`、`enterprise_signature`（PNG data URL）。返回 `revision` 和 `deviceTimes` 供离线同步。',
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
  summary: "保存检查单草稿（不校验完整性）",
  description:
    "检查该检查的执法人员和参与部门的管理员（其他人 403）。不检查是否填完，但未知的键或题目不允许的值 → 400 `invalid_response`（`[{name, message}]`），不写入。首次保存使检查由已批准转为进行中。首次读取前 → 409 `checklist_missing`；提交后 → 409 `already_submitted`。离线同步：`baseRevision` 旧于已存的 → 409 `stale_revision`（附 `server` 和 `yours`），不写入；记录 `deviceTime`/`happenedAt`/`location`，设备时钟偏差超过 `CLOCK_SKEW_LIMIT_MINUTES` 时标记 `clockSkewFlagged`（照收不拒）。照片答案须是已上传到本检查的照片地址，签名须是 `data:image/png;base64,…`（否则 400）。审计 `checklist.save`（只记大小）。",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam, ...jsonBody(DataBody) },
  responses: {
    200: jsonResponse(
      "已暂存",
      z.object({
        status: z.literal("draft"),
        savedAt: z.string(),
        inspectionStatus: z.string(),
        revision: z.number().int(),
      }),
    ),
    ...errors(400, 401, 403, 404, 409, 413, 415),
  },
});

const submitChecklist = createRoute({
  method: "post",
  path: "/{id}/checklist/submit",
  summary: "提交检查单，检查转为已登记",
  description:
    "与公开提交一样完整校验（400 `invalid_response`，不写入）；检查单、不合格事项、不合格检查点的整改和转为 `registered` 在一次原子写入中完成。两个同时的提交只有一个成功，另一个 409 `already_submitted`；丢失应答后以同一 `clientId`（UUID）重发 → 200 返回第一次的结果。`stale_revision` 同保存。审计 `checklist.submit`、`inspection.registered`。",
  tags: ["checklists"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam, ...jsonBody(SubmitBody) },
  responses: {
    200: jsonResponse(
      "已登记（同一 clientId 重试：答复与首次相同）",
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
    revision: row.revision,
    deviceTimes: JSON.parse(row.deviceTimes) as Record<string, unknown>[],
    clockSkewFlagged: row.clockSkewFlagged === 1,
  };
}

/** A save based on an older revision than the stored one: 409 with both versions, for a merge. */
function assertCurrent(row: ChecklistRow, baseRevision: number | undefined, yours: Record<string, unknown>) {
  if (baseRevision === undefined || baseRevision === row.revision) return;
  throw new ApiError(409, "stale_revision", "检查表已在其他设备上修改，请合并后再保存", undefined, {
    server: { revision: row.revision, data: JSON.parse(row.data), savedAt: iso(row.savedAt) },
    yours: { baseRevision, data: yours },
  });
}

/** The device times after recording `event`, and the flag (once set, it stays). */
function withDeviceTime(
  c: Context<AppEnv>,
  row: ChecklistRow,
  event: DeviceTime["event"],
  clock: DeviceClock,
  now: number,
) {
  const times = JSON.parse(row.deviceTimes) as DeviceTime[];
  // The start is the first save that carried a device time; later saves record nothing.
  const due = event !== "start" || !times.some((t) => t.event === "start");
  const entry = due ? deviceTimeEntry(event, clock, now) : null;
  if (!entry) return { deviceTimes: row.deviceTimes, clockSkewFlagged: row.clockSkewFlagged, entry };
  const flagged = skewed(entry, c.var.deps.config.inspections.clockSkewLimitMinutes);
  return {
    deviceTimes: JSON.stringify([...times, entry]),
    clockSkewFlagged: row.clockSkewFlagged === 1 || flagged ? 1 : 0,
    entry: { ...entry, flagged },
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

/**
 * A submit retried after its answer was lost (offline, a dropped connection): the same client id as
 * the stored submission is that submission, answered as the first time, not a 409 and not a second.
 */
async function repeatedSubmit(c: Context<AppEnv>, id: string, clientId: string | undefined) {
  if (!clientId) return null;
  const inspection = await loadInspection(c, id, "act");
  const row = await readChecklist(c.var.db, id);
  if (!row || row.status !== "submitted" || row.submitClientId !== clientId) return null;
  return {
    status: "submitted" as const,
    submittedAt: iso(row.submittedAt)!,
    inspectionStatus: inspection.status,
    failedItems: JSON.parse(row.failedItems) as string[],
  };
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
    const { data, baseRevision, ...clock } = c.req.valid("json");
    const { schema, row, inspection: current } = await writable(c, id);
    assertCurrent(row, baseRevision, data);
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
    let revision = 0;
    const { inspection } = await writeWithRetry(c, id, ({ inspection, row }) => {
      assertCurrent(row, baseRevision, data);
      const start =
        inspection.status === "approved" ? transitionStatements(c, inspection, "in_progress") : null;
      const times = withDeviceTime(c, row, "start", clock, now);
      revision = row.revision + 1;
      return [
        c.var.db
          .update(checklists)
          .set({
            data: text,
            savedAt: now,
            savedBy: user.id,
            revision,
            deviceTimes: times.deviceTimes,
            clockSkewFlagged: times.clockSkewFlagged,
          })
          .where(
            and(
              eq(checklists.inspectionId, id),
              eq(checklists.status, "draft"),
              eq(checklists.revision, row.revision),
            ),
          ),
        abortUnlessOneRowChanged(c.var.db),
        auditInsert(c, {
          action: "checklist.save",
          targetType: "inspection",
          targetId: id,
          detail: {
            bytes: Buffer.byteLength(text),
            answers: Object.keys(data).length,
            revision,
            ...(times.entry ? { deviceTime: times.entry } : {}),
          },
        }),
        ...(start ? [start[0], abortUnlessOneRowChanged(c.var.db), start[1]] : []),
      ];
    });
    const status = inspection.status === "approved" ? "in_progress" : inspection.status;
    return c.json({ status: "draft" as const, savedAt: iso(now)!, inspectionStatus: status, revision }, 200);
  });

  app.openapi(submitChecklist, async (c) => {
    const { id } = c.req.valid("param");
    const { data, baseRevision, clientId, ...clock } = c.req.valid("json");
    const repeat = await repeatedSubmit(c, id, clientId);
    if (repeat) return c.json(repeat, 200);
    const { schema, row: before, inspection: current } = await writable(c, id);
    assertCurrent(before, baseRevision, data);
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
    // Each failed point becomes a corrective action in the same batch (R16, issue 15).
    const actions = await submitActionStatements(c, current, schema, data, c.var.deps.now?.() ?? now);
    await writeWithRetry(c, id, ({ inspection, row }) => {
      const [register, registerAudit] = transitionStatements(c, inspection, "registered");
      const times = withDeviceTime(c, row, "submit", clock, now);
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
            revision: row.revision + 1,
            submitClientId: clientId ?? null,
            deviceTimes: times.deviceTimes,
            clockSkewFlagged: times.clockSkewFlagged,
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
          detail: {
            bytes: Buffer.byteLength(text),
            failedItems,
            ...(clientId ? { clientId } : {}),
            ...(times.entry ? { deviceTime: times.entry } : {}),
          },
        }),
        ...(actions.statements as Parameters<typeof runBatch>[1]),
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
