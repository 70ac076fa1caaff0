import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, or } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { catalogItems, departments, forms } from "../db/schema.ts";
import { canSeeDepartment, readsAllDepartments, writableDepartment } from "../directory/access.ts";
import { IdParam } from "../directory/schemas.ts";
import { contains } from "../directory/search.ts";
import { onUniqueViolation } from "../directory/unique.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { CatalogItemSchema, CatalogStatusSchema } from "./schemas.ts";

const ItemBody = z.object({
  code: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      "事项编码只能包含字母、数字、点、下划线和连字符（如 JN-SCJG-001）",
    ),
  departmentId: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(200),
  legalBasis: z.string().trim().min(1).max(4000),
  method: z.string().trim().min(1).max(50).optional(),
  yearlyCap: z.number().int().min(1).max(366).nullable().optional(),
  /** 书面核查: a corrective action may be accepted on written evidence, without a 复查 (issue 15). */
  writtenVerification: z.boolean().optional(),
  checklistFormId: z.string().min(1).max(64).nullable().optional(),
  status: CatalogStatusSchema.optional(),
});

const list = createRoute({
  method: "get",
  path: "/items",
  summary: "检查事项清单（本部门；管理员和监督人员：全部）",
  tags: ["catalog"],
  middleware: [requireUser()] as const,
  request: {
    query: z.object({
      department: z.string().max(64).optional(),
      status: CatalogStatusSchema.optional(),
      q: z.string().trim().max(100).optional(),
    }),
  },
  responses: {
    200: jsonResponse("检查事项", z.object({ items: z.array(CatalogItemSchema) })),
    ...errors(400, 401),
  },
});

const one = createRoute({
  method: "get",
  path: "/items/{id}",
  summary: "一个检查事项",
  description: "部门用户读取其他部门的事项 → 404。",
  tags: ["catalog"],
  middleware: [requireUser()] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse("检查事项", CatalogItemSchema), ...errors(401, 404) },
});

const create = createRoute({
  method: "post",
  path: "/items",
  summary: "新增检查事项",
  description:
    "系统管理员（任何部门）、部门管理员（本部门；其他部门 → 403）。`code`（如 `JN-SCJG-001`）转为大写且唯一（409）。检查表须是 `checklist` 类、已发布、属本部门或共用（无部门）的表单，否则 422 `invalid_checklist_form`（其他部门的表单视同不存在）。审计 `catalog.create`。",
  tags: ["catalog"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: jsonBody(ItemBody),
  responses: { 201: jsonResponse("已创建", CatalogItemSchema), ...errors(400, 401, 403, 409, 422) },
});

const update = createRoute({
  method: "patch",
  path: "/items/{id}",
  summary: "修改检查事项",
  description: "规则同新增；其他部门的事项 → 404。审计 `catalog.update`（含修改前后）。",
  tags: ["catalog"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: { params: IdParam, ...jsonBody(ItemBody.partial()) },
  responses: { 200: jsonResponse("已更新", CatalogItemSchema), ...errors(400, 401, 403, 404, 409, 422) },
});

type ItemRow = typeof catalogItems.$inferSelect;

const selection = {
  item: catalogItems,
  departmentName: departments.name,
  formTitle: forms.title,
  formPublishedVersion: forms.publishedVersion,
};

function baseQuery(c: Context<AppEnv>) {
  return c.var.db
    .select(selection)
    .from(catalogItems)
    .innerJoin(departments, eq(departments.id, catalogItems.departmentId))
    .leftJoin(forms, eq(forms.id, catalogItems.checklistFormId));
}

type Joined = {
  item: ItemRow;
  departmentName: string;
  formTitle: string | null;
  formPublishedVersion: number | null;
};

function toItem({ item, departmentName, formTitle, formPublishedVersion }: Joined) {
  return {
    id: item.id,
    code: item.code,
    departmentId: item.departmentId,
    departmentName,
    name: item.name,
    legalBasis: item.legalBasis,
    method: item.method,
    yearlyCap: item.yearlyCap,
    writtenVerification: item.writtenVerification,
    checklistFormId: item.checklistFormId,
    checklistForm:
      item.checklistFormId && formTitle !== null
        ? { id: item.checklistFormId, title: formTitle, publishedVersion: formPublishedVersion }
        : null,
    status: item.status,
    createdAt: iso(item.createdAt)!,
    updatedAt: iso(item.updatedAt)!,
  };
}

async function loadJoined(c: Context<AppEnv>, id: string): Promise<Joined> {
  const [row] = await baseQuery(c).where(eq(catalogItems.id, id));
  if (!row || !canSeeDepartment(currentUser(c), row.item.departmentId)) throw notFound("检查事项");
  return row;
}

/**
 * The linked form must be a published checklist that the item's department may use: its own, or a
 * shared one (no department). Any other form is reported like a missing one.
 */
async function checkChecklistForm(c: Context<AppEnv>, formId: string | null, departmentId: string) {
  if (formId === null) return;
  const [form] = await c.var.db.select().from(forms).where(eq(forms.id, formId));
  if (!form || (form.departmentId !== null && form.departmentId !== departmentId)) {
    throw new ApiError(422, "invalid_checklist_form", "关联的检查表单不存在");
  }
  if (form.kind !== "checklist") {
    throw new ApiError(
      422,
      "invalid_checklist_form",
      `表单“${form.title}”不是检查表，不能作为检查事项的检查表单`,
    );
  }
  if (form.publishedVersion === null) {
    throw new ApiError(422, "invalid_checklist_form", `检查表“${form.title}”尚未发布，请先发布后再关联`);
  }
}

async function checkDepartment(c: Context<AppEnv>, id: string) {
  const [d] = await c.var.db.select({ id: departments.id }).from(departments).where(eq(departments.id, id));
  if (!d) throw new ApiError(422, "unknown_department", "部门不存在");
}

async function assertCodeFree(c: Context<AppEnv>, code: string, self?: string) {
  const [taken] = await c.var.db
    .select({ id: catalogItems.id, name: catalogItems.name })
    .from(catalogItems)
    .where(eq(catalogItems.code, code));
  if (taken && taken.id !== self) throw codeTaken(code, taken.name);
}

const codeTaken = (code: string, name?: string) =>
  new ApiError(409, "conflict", `事项编码 ${code} 已存在${name ? `（${name}）` : ""}`);
const audited = ({ createdAt: _c, updatedAt: _u, ...rest }: ItemRow) => rest;

/**
 * The catalog of inspection items (涉企检查事项清单, R3). Administrators and supervisors read all of it,
 * other users their department's items; administrators write all, department administrators their own.
 */
export function catalogRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const q = c.req.valid("query");
    const rows = await baseQuery(c)
      .where(
        and(
          readsAllDepartments(user) ? undefined : eq(catalogItems.departmentId, user.departmentId ?? ""),
          q.department ? eq(catalogItems.departmentId, q.department) : undefined,
          q.status ? eq(catalogItems.status, q.status) : undefined,
          q.q
            ? or(
                contains(catalogItems.code, q.q),
                contains(catalogItems.name, q.q),
                contains(catalogItems.legalBasis, q.q),
              )
            : undefined,
        ),
      )
      .orderBy(asc(departments.code), asc(catalogItems.code));
    return c.json({ items: rows.map(toItem) }, 200);
  });

  app.openapi(one, async (c) => c.json(toItem(await loadJoined(c, c.req.valid("param").id)), 200));

  app.openapi(create, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const departmentId = writableDepartment(user, body.departmentId, "检查事项");
    if (!departmentId) throw new ApiError(422, "department_required", "请选择实施部门");
    await checkDepartment(c, departmentId);
    const code = body.code.toUpperCase();
    await assertCodeFree(c, code);
    await checkChecklistForm(c, body.checklistFormId ?? null, departmentId);
    const now = Date.now();
    const row: ItemRow = {
      id: newId(),
      code,
      departmentId,
      name: body.name,
      legalBasis: body.legalBasis,
      method: body.method ?? "现场检查",
      yearlyCap: body.yearlyCap ?? null,
      writtenVerification: body.writtenVerification ?? false,
      checklistFormId: body.checklistFormId ?? null,
      status: body.status ?? "active",
      createdAt: now,
      updatedAt: now,
    };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.insert(catalogItems).values(row),
          auditInsert(c, {
            action: "catalog.create",
            targetType: "catalog_item",
            targetId: row.id,
            detail: { after: audited(row) },
          }),
        ]),
      () => codeTaken(code),
    );
    return c.json(toItem(await loadJoined(c, row.id)), 201);
  });

  app.openapi(update, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { item: before } = await loadJoined(c, id);
    if (user.role !== "admin" && before.departmentId !== user.departmentId) throw notFound("检查事项");
    const departmentId =
      body.departmentId === undefined
        ? before.departmentId
        : writableDepartment(user, body.departmentId, "检查事项")!;
    if (departmentId !== before.departmentId) await checkDepartment(c, departmentId);
    const code = body.code === undefined ? before.code : body.code.toUpperCase();
    if (code !== before.code) await assertCodeFree(c, code, id);
    const checklistFormId =
      body.checklistFormId === undefined ? before.checklistFormId : body.checklistFormId;
    // Re-checked when the form or the department changes; an unchanged link stays as it was.
    if (checklistFormId !== before.checklistFormId || departmentId !== before.departmentId) {
      await checkChecklistForm(c, checklistFormId, departmentId);
    }
    const after: ItemRow = {
      ...before,
      code,
      departmentId,
      name: body.name ?? before.name,
      legalBasis: body.legalBasis ?? before.legalBasis,
      method: body.method ?? before.method,
      yearlyCap: body.yearlyCap === undefined ? before.yearlyCap : body.yearlyCap,
      writtenVerification: body.writtenVerification ?? before.writtenVerification,
      checklistFormId,
      status: body.status ?? before.status,
      updatedAt: Date.now(),
    };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.update(catalogItems).set(after).where(eq(catalogItems.id, id)),
          auditInsert(c, {
            action: "catalog.update",
            targetType: "catalog_item",
            targetId: id,
            detail: { before: audited(before), after: audited(after) },
          }),
        ]),
      () => codeTaken(code),
    );
    return c.json(toItem(await loadJoined(c, id)), 200);
  });

  return app;
}
