import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { samplingTasks, type SamplingStatus } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { localDateTime } from "../lib/time.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { loadTask, type TaskRow } from "./access.ts";
import { commitmentOf, draw, snapshotHash, type DrawResult, type DrawSnapshot } from "./draw.ts";
import { TaskIdParam, TaskSchema } from "./schemas.ts";
import { buildSnapshot, type SnapshotTask } from "./snapshot.ts";
import { itemsOf, populationCounts, taskView } from "./views.ts";

const managers = requireUser("admin", "dept_admin");

const step = (path: string, summary: string) =>
  createRoute({
    method: "post",
    path: `/tasks/{id}/${path}`,
    tags: ["sampling"],
    summary,
    description:
      "牵头部门的管理员或系统管理员。每一步只能从上一步的状态进行（commit → draw → reveal；否则 409 `invalid_state`）；抽取须在公布承诺值 `SAMPLING_DRAW_DELAY_HOURS` 小时后（409 `draw_too_early`）。算法：docs/SAMPLING.md。",
    middleware: [managers] as const,
    request: { params: TaskIdParam },
    responses: {
      200: jsonResponse(summary, z.object({ task: TaskSchema })),
      ...errors(401, 403, 404, 409),
    },
  });

const commit = step("commit", "冻结抽查范围和执法人员库，生成随机种子并公布其 SHA-256 承诺值");
const drawRoute = step("draw", "用已承诺的种子按公开算法抽取企业和执法人员");
const reveal = step("reveal", "公开随机种子，公示抽查结果");

/** 32 random bytes as 64 lower-case hex characters (WebCrypto: Node and Workers alike). */
function newSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An audit line inserted only while `when` holds. Put before the guarded update in the same batch, it
 * is written exactly when the update applies, so a lost race leaves no line.
 */
export function guardedAudit(
  c: Context<AppEnv>,
  taskId: string,
  action: string,
  detail: Record<string, unknown>,
  when: SQL,
) {
  const user = currentUser(c);
  return c.var.db
    .run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
    SELECT ${Date.now()}, ${user.id}, ${user.username}, ${action}, 'sampling_task', ${taskId}, ${c.var.clientIp},
      ${JSON.stringify(detail)}
    WHERE ${when}`);
}

const STATUS_LABELS: Record<SamplingStatus, string> = {
  draft: "草稿",
  committed: "已承诺待抽取",
  drawn: "已抽取待公示",
  published: "已公示",
};

/** Throws 409 unless the task is in one of the `allowed` states. */
export function requireStatus(row: TaskRow, ...allowed: SamplingStatus[]): void {
  if (!allowed.includes(row.status)) {
    throw new ApiError(
      409,
      "invalid_state",
      `抽查任务当前为「${STATUS_LABELS[row.status]}」，不能执行此步骤`,
    );
  }
}

/**
 * Moves a task from `from` to `to` with `set`, the audit line in the same batch; the update is guarded
 * by the status it read, so of two concurrent steps one applies and the other answers 409.
 */
async function advance(
  c: Context<AppEnv>,
  row: TaskRow,
  from: SamplingStatus,
  to: SamplingStatus,
  set: Partial<TaskRow>,
  detail: Record<string, unknown>,
) {
  requireStatus(row, from);
  const stillFrom = sql`EXISTS (SELECT 1 FROM sampling_tasks WHERE id = ${row.id} AND status = ${from})`;
  const db = c.var.db;
  const results = await db.batch([
    guardedAudit(
      c,
      row.id,
      `sampling.${to}`,
      { before: { status: from }, after: { status: to }, ...detail },
      stillFrom,
    ),
    db
      .update(samplingTasks)
      .set({ ...set, status: to, updatedAt: Date.now() })
      .where(and(eq(samplingTasks.id, row.id), eq(samplingTasks.status, from))),
  ]);
  if ((results[1] as { rowsAffected: number }).rowsAffected !== 1) {
    throw new ApiError(409, "invalid_state", "抽查任务已被他人推进，请刷新");
  }
}

async function respond(c: Context<AppEnv>, id: string) {
  const { row, departments } = await loadTask(c, id, "read");
  return c.json({ task: await taskView(c.var.db, row, departments) }, 200);
}

/**
 * The commitment is public from the commit on (/sampling/public); the draw waits at least
 * SAMPLING_DRAW_DELAY_HOURS after it, so one administrator cannot commit, draw and reveal in the same
 * minute before anyone outside has seen the commitment.
 */
function assertCommitmentAged(c: Context<AppEnv>, row: TaskRow): void {
  const delay = c.var.deps.config.samplingDrawDelayMs;
  const committedAt = Number(row.committedAt ?? 0);
  const earliest = committedAt + delay;
  const now = c.var.deps.now?.() ?? Date.now();
  if (now >= earliest) return;
  const hours = Math.round((delay / 3_600_000) * 10) / 10;
  throw new ApiError(
    409,
    "draw_too_early",
    `承诺值公布满 ${hours} 小时后才能抽取（最早 ${localDateTime(earliest, c.var.deps.config.timeZone)}），以便公众先看到承诺值`,
    { earliest: new Date(earliest).toISOString() },
  );
}

/** The three steps of the verifiable draw: commit (freeze + publish sha256(seed)), draw, reveal. */
export function stepRoutes() {
  const app = newRouter();

  app.openapi(commit, async (c) => {
    const { row, departments } = await loadTask(c, c.req.valid("param").id, "write");
    const task: SnapshotTask = {
      id: row.id,
      name: row.name,
      departments,
      items: await itemsOf(c.var.db, row),
      periodFrom: row.periodFrom,
      periodTo: row.periodTo,
      filters: JSON.parse(row.filters),
      ratiosBp: JSON.parse(row.ratiosBp),
      inspectorsPerEnterprise: row.inspectorsPerEnterprise,
    };
    const snapshot = await buildSnapshot(c.var.db, task, JSON.parse(row.triggeredCreditCodes));
    const seed = newSeed();
    const hash = snapshotHash(snapshot);
    const commitment = commitmentOf(seed);
    const now = Date.now();
    await advance(
      c,
      row,
      "draft",
      "committed",
      { snapshot: JSON.stringify(snapshot), snapshotHash: hash, commitment, seed, committedAt: now },
      {
        commitment,
        snapshotHash: hash,
        population: populationCounts(snapshot),
        officerPool: snapshot.officers.length,
      },
    );
    return respond(c, row.id);
  });

  app.openapi(drawRoute, async (c) => {
    const { row } = await loadTask(c, c.req.valid("param").id, "write");
    requireStatus(row, "committed");
    assertCommitmentAged(c, row);
    const result: DrawResult = draw(JSON.parse(row.snapshot!) as DrawSnapshot, row.seed!);
    await advance(
      c,
      row,
      "committed",
      "drawn",
      { result: JSON.stringify(result), drawnAt: Date.now() },
      {
        grades: result.grades,
        picked: result.picks.length,
        unstaffed: result.picks.filter((p) => !p.staffed).map((p) => p.creditCode),
      },
    );
    return respond(c, row.id);
  });

  app.openapi(reveal, async (c) => {
    const { row } = await loadTask(c, c.req.valid("param").id, "write");
    await advance(
      c,
      row,
      "drawn",
      "published",
      { revealedAt: Date.now() },
      { seed: row.seed, commitment: row.commitment },
    );
    return respond(c, row.id);
  });

  return app;
}
