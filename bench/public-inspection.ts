/**
 * An approved, registered inspection with its evaluation open, written straight into the product
 * server's database file (seeding, not measuring), and its signed code: what the public inspection
 * data scenario of `npm run bench` reads. The server must run with APP_SECRET = `secret`.
 */
import { openDatabase } from "../src/db/client.ts";
import {
  catalogItems,
  departments,
  enterprises,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  officers,
} from "../src/db/schema.ts";
import { signInspectionCode } from "../src/inspections/code.ts";
import { newId, randomToken } from "../src/lib/ids.ts";

export async function seedPublicInspection(dbFile: string, secret: string): Promise<string> {
  const { db, client } = await openDatabase({ url: `file:${dbFile}` });
  const now = Date.now();
  const dept = newId();
  await db
    .insert(departments)
    .values({ id: dept, code: "BENCH", name: "济南市市场监督管理局", createdAt: now });
  const enterprise = newId();
  await db.insert(enterprises).values({
    id: enterprise,
    creditCode: "91370100MA3C0000X1",
    name: "济南示例食品有限公司",
    createdAt: now,
    updatedAt: now,
  });
  const people = [];
  for (const [i, name] of ["张明", "李华", "王强"].entries()) {
    const id = newId();
    await db.insert(officers).values({
      id,
      departmentId: dept,
      name,
      credentialNo: `3701000${i}`,
      credentialIssuedOn: "2020-01-01",
      credentialExpiresOn: "2099-01-01",
      createdAt: now,
      updatedAt: now,
    });
    people.push(id);
  }
  const items = [];
  for (let i = 1; i <= 3; i++) {
    const id = newId();
    await db.insert(catalogItems).values({
      id,
      code: `SC-00${i}`,
      departmentId: dept,
      name: `食品经营检查事项 ${i}`,
      legalBasis: "《中华人民共和国食品安全法》第一百一十条",
      createdAt: now,
      updatedAt: now,
    });
    items.push(id);
  }
  const id = newId();
  const nonce = randomToken(16);
  const start = now - 2 * 3_600_000;
  await db.insert(inspections).values({
    id,
    enterpriseId: enterprise,
    leadDepartmentId: dept,
    type: "routine",
    status: "registered",
    plannedStart: start,
    plannedEnd: start + 4 * 3_600_000,
    legalBasis: "《中华人民共和国食品安全法》",
    filedAt: now,
    codeNonce: nonce,
    createdAt: now,
    updatedAt: now,
  });
  await db.insert(inspectionDepartments).values({ inspectionId: id, departmentId: dept, joinedAt: now });
  for (const officerId of people)
    await db.insert(inspectionOfficers).values({ inspectionId: id, officerId, isHelper: false });
  for (const itemId of items)
    await db.insert(inspectionItems).values({ inspectionId: id, itemId, departmentId: dept });
  client.close();
  return signInspectionCode(secret, id, now + 7 * 86_400_000, nonce);
}
