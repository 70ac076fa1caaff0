import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, gte, isNotNull, lte, or } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { departments, officers, users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { canSeeDepartment, readsAllDepartments, writableDepartment } from "./access.ts";
import { localDate } from "../lib/time.ts";
import { credentialSummary } from "./credentials.ts";
import { contains } from "./search.ts";
import { dayField, IdParam, OfficerSchema, OfficerStatusSchema } from "./schemas.ts";
import { onUniqueViolation } from "./unique.ts";

const credentialNoField = z.string().trim().min(1).max(40);

const OfficerBody = z.object({
  name: z.string().trim().min(1).max(64),
  departmentId: z.string().min(1).max(64).optional(),
  isHelper: z.boolean().optional(),
  credentialNo: credentialNoField.nullable().optional(),
  credentialIssuedOn: dayField.nullable().optional(),
  credentialExpiresOn: dayField.nullable().optional(),
  status: OfficerStatusSchema.optional(),
  userId: z.string().min(1).max(64).nullable().optional(),
});

const ListQuery = z.object({
  department: z.string().max(64).optional(),
  status: OfficerStatusSchema.optional(),
  q: z.string().trim().max(64).optional(),
  helper: z.enum(["0", "1"]).optional(),
  /** Only officers whose credential counts on this day (and through `validUntil` when given). */
  validOn: dayField.optional(),
  validUntil: dayField.optional(),
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "执法人员列表",
  description:
    "给出 `validOn` 时，只列执法证在当天（直至 `validUntil`）有效的人员：在岗、非辅助人员、发证不晚于且到期不早于该日。`q` 匹配姓名或执法证号。",
  tags: ["directory"],
  middleware: [requireUser()] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse("执法人员", z.object({ items: z.array(OfficerSchema) })),
    ...errors(400, 401),
  },
});

const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "一名执法人员（含执法证状态）",
  description: "部门用户读取其他部门的人员 → 404。",
  tags: ["directory"],
  middleware: [requireUser()] as const,
  request: { params: IdParam, query: z.object({ validOn: dayField.optional() }) },
  responses: { 200: jsonResponse("执法人员", OfficerSchema), ...errors(401, 404) },
});

const create = createRoute({
  method: "post",
  path: "/",
  summary: "新增执法人员",
  description:
    "执法人员须有执法证号、发证和到期日期（422 `credential_required`），到期不早于发证（422 `invalid_credential_dates`）；辅助人员没有执法证（422 `helper_credential`）。执法证号唯一（409）。`userId` 须是同部门的执法人员账号（422 `invalid_user`），且未关联其他人员（409）。审计 `officer.create`。",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: jsonBody(OfficerBody),
  responses: { 201: jsonResponse("已创建", OfficerSchema), ...errors(400, 401, 403, 409, 422) },
});

const update = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "修改执法人员",
  description: "规则同新增；`isHelper: true` 清除执法证信息。审计 `officer.update`（含修改前后）。",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: { params: IdParam, ...jsonBody(OfficerBody.partial()) },
  responses: { 200: jsonResponse("已更新", OfficerSchema), ...errors(400, 401, 403, 404, 409, 422) },
});

type OfficerRow = typeof officers.$inferSelect;

const today = (c: Context<AppEnv>) => localDate(c.var.deps.now?.() ?? Date.now(), c.var.deps.config.timeZone);

function toOfficer(o: OfficerRow, departmentName: string, day: string) {
  return {
    id: o.id,
    departmentId: o.departmentId,
    departmentName,
    userId: o.userId,
    name: o.name,
    isHelper: o.isHelper,
    credentialNo: o.credentialNo,
    credentialIssuedOn: o.credentialIssuedOn,
    credentialExpiresOn: o.credentialExpiresOn,
    status: o.status,
    credential: credentialSummary(o, day),
    createdAt: iso(o.createdAt)!,
    updatedAt: iso(o.updatedAt)!,
  };
}

/** The record's own rules: helpers carry no credential; officers carry a complete, ordered one. */
function checkCredential(o: OfficerRow): void {
  const { credentialNo, credentialIssuedOn: issued, credentialExpiresOn: expires } = o;
  if (o.isHelper) {
    if (credentialNo || issued || expires) {
      throw new ApiError(422, "helper_credential", "辅助人员没有执法证，不能填写执法证号和有效期");
    }
    return;
  }
  if (!credentialNo || !issued || !expires) {
    throw new ApiError(422, "credential_required", "执法人员必须填写执法证号、发证日期和有效期至");
  }
  if (expires < issued) {
    throw new ApiError(422, "invalid_credential_dates", "执法证有效期至不能早于发证日期");
  }
}

async function departmentName(c: Context<AppEnv>, id: string): Promise<string> {
  const [d] = await c.var.db
    .select({ name: departments.name })
    .from(departments)
    .where(eq(departments.id, id));
  if (!d) throw new ApiError(422, "unknown_department", "部门不存在");
  return d.name;
}

/** A linked login must be an officer account of the officer's own department, linked to no one else. */
async function checkLogin(c: Context<AppEnv>, o: OfficerRow): Promise<void> {
  if (!o.userId) return;
  const [u] = await c.var.db.select().from(users).where(eq(users.id, o.userId));
  if (!u || u.role !== "officer" || u.departmentId !== o.departmentId) {
    throw new ApiError(422, "invalid_user", "关联的登录账号必须是本部门角色为“执法人员”的账号");
  }
  const [linked] = await c.var.db
    .select({ id: officers.id, name: officers.name })
    .from(officers)
    .where(eq(officers.userId, o.userId));
  if (linked && linked.id !== o.id) {
    throw new ApiError(409, "conflict", `该登录账号已关联执法人员“${linked.name}”`);
  }
}

async function checkCredentialNoFree(c: Context<AppEnv>, o: OfficerRow): Promise<void> {
  if (!o.credentialNo) return;
  const [taken] = await c.var.db
    .select({ id: officers.id, name: officers.name })
    .from(officers)
    .where(eq(officers.credentialNo, o.credentialNo));
  if (taken && taken.id !== o.id) {
    throw new ApiError(409, "conflict", `执法证号 ${o.credentialNo} 已登记为“${taken.name}”`);
  }
}

const duplicate = () => new ApiError(409, "conflict", "执法证号或登录账号已被其他执法人员使用");

/** What the audit log keeps of an officer (the stored columns, without timestamps). */
const audited = ({ createdAt: _c, updatedAt: _u, ...rest }: OfficerRow) => rest;

/**
 * Enforcement officers and helpers. Everyone signed in reads (administrators and supervisors all
 * departments, others their own); administrators and department administrators write.
 */
export function officerRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const q = c.req.valid("query");
    if (q.validUntil && !q.validOn)
      throw new ApiError(400, "invalid_request", "validUntil 需要与 validOn 一起使用");
    if (q.validOn && q.validUntil && q.validUntil < q.validOn) {
      throw new ApiError(400, "invalid_request", "validUntil 不能早于 validOn");
    }
    const scope = readsAllDepartments(user) ? undefined : eq(officers.departmentId, user.departmentId ?? "");
    const validOn = q.validOn
      ? and(
          eq(officers.status, "active"),
          eq(officers.isHelper, false),
          isNotNull(officers.credentialNo),
          lte(officers.credentialIssuedOn, q.validOn),
          gte(officers.credentialExpiresOn, q.validUntil ?? q.validOn),
        )
      : undefined;
    const rows = await c.var.db
      .select({ officer: officers, departmentName: departments.name })
      .from(officers)
      .innerJoin(departments, eq(departments.id, officers.departmentId))
      .where(
        and(
          scope,
          q.department ? eq(officers.departmentId, q.department) : undefined,
          q.status ? eq(officers.status, q.status) : undefined,
          q.helper ? eq(officers.isHelper, q.helper === "1") : undefined,
          q.q ? or(contains(officers.name, q.q), contains(officers.credentialNo, q.q)) : undefined,
          validOn,
        ),
      )
      .orderBy(asc(departments.code), asc(officers.name), asc(officers.id));
    const day = q.validOn ?? today(c);
    return c.json({ items: rows.map((r) => toOfficer(r.officer, r.departmentName, day)) }, 200);
  });

  app.openapi(one, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const [row] = await c.var.db
      .select({ officer: officers, departmentName: departments.name })
      .from(officers)
      .innerJoin(departments, eq(departments.id, officers.departmentId))
      .where(eq(officers.id, id));
    if (!row || !canSeeDepartment(user, row.officer.departmentId)) throw notFound("执法人员");
    return c.json(toOfficer(row.officer, row.departmentName, c.req.valid("query").validOn ?? today(c)), 200);
  });

  app.openapi(create, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const departmentId = writableDepartment(user, body.departmentId, "执法人员");
    if (!departmentId) throw new ApiError(422, "department_required", "请选择所属部门");
    const now = Date.now();
    const row: OfficerRow = {
      id: newId(),
      departmentId,
      userId: body.userId ?? null,
      name: body.name,
      isHelper: body.isHelper ?? false,
      credentialNo: body.credentialNo ?? null,
      credentialIssuedOn: body.credentialIssuedOn ?? null,
      credentialExpiresOn: body.credentialExpiresOn ?? null,
      status: body.status ?? "active",
      createdAt: now,
      updatedAt: now,
    };
    checkCredential(row);
    const deptName = await departmentName(c, departmentId);
    await checkLogin(c, row);
    await checkCredentialNoFree(c, row);
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.insert(officers).values(row),
          auditInsert(c, {
            action: "officer.create",
            targetType: "officer",
            targetId: row.id,
            detail: { after: audited(row) },
          }),
        ]),
      duplicate,
    );
    return c.json(toOfficer(row, deptName, today(c)), 201);
  });

  app.openapi(update, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const [before] = await c.var.db.select().from(officers).where(eq(officers.id, id));
    if (!before || (user.role !== "admin" && before.departmentId !== user.departmentId)) {
      throw notFound("执法人员");
    }
    const departmentId =
      body.departmentId === undefined
        ? before.departmentId
        : writableDepartment(user, body.departmentId, "执法人员")!;
    const isHelper = body.isHelper ?? before.isHelper;
    // Becoming a helper drops the credential unless the request (wrongly) sends one.
    const becameHelper = isHelper && !before.isHelper;
    const pick = <K extends "credentialNo" | "credentialIssuedOn" | "credentialExpiresOn">(k: K) =>
      body[k] !== undefined ? body[k] : becameHelper ? null : before[k];
    const after: OfficerRow = {
      ...before,
      name: body.name ?? before.name,
      departmentId,
      userId: body.userId === undefined ? before.userId : body.userId,
      isHelper,
      credentialNo: pick("credentialNo"),
      credentialIssuedOn: pick("credentialIssuedOn"),
      credentialExpiresOn: pick("credentialExpiresOn"),
      status: body.status ?? before.status,
      updatedAt: Date.now(),
    };
    checkCredential(after);
    const deptName = await departmentName(c, departmentId);
    await checkLogin(c, after);
    await checkCredentialNoFree(c, after);
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.update(officers).set(after).where(eq(officers.id, id)),
          auditInsert(c, {
            action: "officer.update",
            targetType: "officer",
            targetId: id,
            detail: { before: audited(before), after: audited(after) },
          }),
        ]),
      duplicate,
    );
    return c.json(toOfficer(after, deptName, today(c)), 200);
  });

  return app;
}
