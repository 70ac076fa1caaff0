/**
 * Issue 13: the SMS gateway chosen by configuration — none (503) and the local file gateway. Each test
 * builds its own app (on the Worker target a new app empties the shared database, so these live apart
 * from tests/enterprise-auth.test.ts).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromEnv } from "../src/env.ts";
import { setPhone } from "./enterprise-fixtures.ts";
import { makeTestApp } from "./helpers.ts";
import { enterprise } from "./inspection-fixtures.ts";
import { WORKER_TARGET } from "./worker/target.ts";

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("without an SMS gateway", () => {
  it("POST /api/public/enterprise/code answers 503 sms_unavailable", async () => {
    const bare = await makeTestApp();
    const res = await bare.call(null, "POST", "/api/public/enterprise/code", {
      creditCode: "91370100MA9999999X",
    });
    expect(res.status).toBe(503);
    expect(await errorCode(res)).toBe("sms_unavailable");
  });
});

describe.skipIf(WORKER_TARGET)("SMS_GATEWAY=file", () => {
  it("appends one JSON line {to, text, code, at} per message, and the code signs in", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lianma-sms-")), "sms.jsonl");
    const ft = await makeTestApp({ SMS_GATEWAY: "file", SMS_FILE: file });
    const id = await enterprise(ft, "济南文件网关有限公司");
    await setPhone(ft, id, "13700000001");
    const admin2 = await ft.user("ea-file-admin", "admin").then(() => ft.login("ea-file-admin"));
    const { creditCode } = (await (await ft.call(admin2, "GET", `/api/enterprises/${id}`)).json()) as {
      creditCode: string;
    };
    expect((await ft.call(null, "POST", "/api/public/enterprise/code", { creditCode })).status).toBe(202);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(Object.keys(line).sort()).toEqual(["at", "code", "text", "to"]);
    expect(line.to).toBe("13700000001");
    expect(line.text).toContain(line.code);
    const res = await ft.call(null, "POST", "/api/public/enterprise/login", { creditCode, code: line.code });
    expect(res.status).toBe(200);
  });

  it("is unavailable without a file system (Workers): 503", async () => {
    const { smsAvailable, smsGatewayWarnings } = await import("../src/alerts/sms.ts");
    const config = configFromEnv({ SMS_GATEWAY: "file" }, "x".repeat(40));
    expect(smsAvailable({ config } as never)).toBe(false);
    expect(smsGatewayWarnings({ config })[0]).toMatch(/not available on Workers/);
    expect(smsGatewayWarnings({ config, appendFile: async () => {} }, "production")[0]).toMatch(
      /in production/,
    );
  });
});
