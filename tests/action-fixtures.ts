import { actionEvidence, correctiveActions, type ActionStatus } from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import type { TestApp } from "./helpers.ts";

/** A corrective action inserted directly (for access checks and figures), open unless told. */
export async function insertAction(
  t: TestApp,
  a: {
    inspectionId: string;
    enterpriseId: string;
    departmentId: string;
    itemId: string;
    itemCode?: string;
    status?: ActionStatus;
    deadline?: string;
    pointKey?: string;
    createdAt?: number;
  },
): Promise<string> {
  const id = newId();
  const now = a.createdAt ?? Date.now();
  await t.db.insert(correctiveActions).values({
    id,
    inspectionId: a.inspectionId,
    foundInInspectionId: a.inspectionId,
    enterpriseId: a.enterpriseId,
    departmentId: a.departmentId,
    itemId: a.itemId,
    itemCode: a.itemCode ?? "ITEM",
    formId: "form",
    formVersion: 1,
    pointKey: a.pointKey ?? `p${id}`,
    pointTitle: "台账是否齐全",
    requirement: "补齐台账",
    deadline: a.deadline ?? "2099-12-31",
    status: a.status ?? "open",
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/** An evidence file (a tiny JPEG) of the action, inserted directly. */
export async function insertEvidence(t: TestApp, actionId: string): Promise<string> {
  const id = newId();
  await t.db.insert(actionEvidence).values({
    id,
    actionId,
    fileName: `${id}.jpg`,
    contentType: "image/jpeg",
    byteSize: 4,
    sha256: "0".repeat(64),
    data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
    createdAt: Date.now(),
  });
  return id;
}
