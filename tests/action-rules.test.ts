import { describe, expect, it } from "vitest";
import { firstViolation, firstViolationLabel, lookBackStart } from "../src/actions/first-violation.ts";
import { isOverdue } from "../src/actions/overdue.ts";
import { evidenceMatches } from "../src/actions/evidence.ts";

const SHANGHAI = "Asia/Shanghai";

describe("isOverdue", () => {
  const action = { status: "open" as const, deadline: "2026-03-10" };
  it("turns at local midnight in the configured zone, not at UTC midnight", () => {
    // 23:59:59 on the deadline day in Shanghai is 15:59:59 UTC.
    expect(isOverdue(action, Date.parse("2026-03-10T15:59:59Z"), SHANGHAI)).toBe(false);
    expect(isOverdue(action, Date.parse("2026-03-10T16:00:00Z"), SHANGHAI)).toBe(true);
    // The same instant is still the deadline day in UTC.
    expect(isOverdue(action, Date.parse("2026-03-10T16:00:00Z"), "UTC")).toBe(false);
  });
  it("only while the enterprise owes the correction", () => {
    const late = Date.parse("2026-04-01T00:00:00Z");
    expect(isOverdue({ ...action, status: "returned" }, late, SHANGHAI)).toBe(true);
    for (const status of ["evidence_submitted", "accepted", "reinspection", "superseded"] as const) {
      expect(isOverdue({ ...action, status }, late, SHANGHAI)).toBe(false);
    }
  });
});

describe("firstViolation", () => {
  const now = Date.parse("2026-06-15T04:00:00Z");
  const base = { eligible: true, itemCode: "SC-1", pointKey: "records", now, years: 2, timeZone: SHANGHAI };

  it("is 首违 with no failure of the point in the period, and names what it looked at", () => {
    const result = firstViolation({
      ...base,
      earlier: [
        {
          inspectionId: "old",
          registeredAt: Date.parse("2024-06-14T15:00:00Z"),
          failedPointKeys: ["records"],
        },
        {
          inspectionId: "in",
          registeredAt: Date.parse("2025-01-01T02:00:00Z"),
          failedPointKeys: ["license"],
        },
      ],
    });
    // 2024-06-14T15:00Z is 2024-06-14 23:00 in Shanghai: the day before the period starts.
    expect(result).toEqual({
      kind: "first",
      since: "2024-06-15",
      years: 2,
      lookedAt: [{ inspectionId: "in", date: "2025-01-01", failed: false }],
    });
  });

  it("is 再次违反 when the same point failed inside the period (its first local day counts)", () => {
    const result = firstViolation({
      ...base,
      earlier: [
        {
          inspectionId: "edge",
          registeredAt: Date.parse("2024-06-14T16:00:00Z"),
          failedPointKeys: ["records"],
        },
      ],
    });
    expect(result.kind).toBe("repeat");
    expect(result.lookedAt).toEqual([{ inspectionId: "edge", date: "2024-06-15", failed: true }]);
  });

  it("takes the configured years and says nothing for a point not marked eligible", () => {
    const earlier = [
      { inspectionId: "x", registeredAt: Date.parse("2025-06-01T00:00:00Z"), failedPointKeys: ["records"] },
    ];
    // 2025-06-01 lies inside two years back but not inside one.
    expect(firstViolation({ ...base, years: 2, earlier }).kind).toBe("repeat");
    expect(firstViolation({ ...base, years: 1, earlier }).kind).toBe("first");
    expect(firstViolation({ ...base, years: 1, earlier: [] }).since).toBe("2025-06-15");
    expect(firstViolation({ ...base, eligible: false, earlier }).kind).toBeNull();
    expect(lookBackStart(Date.parse("2028-02-29T04:00:00Z"), 1, SHANGHAI)).toBe("2027-03-01");
  });

  it("labels a 首违 corrected in time, and a repeat", () => {
    expect(firstViolationLabel("first", "accepted", true)).toBe("首违不罚：已按期整改");
    expect(firstViolationLabel("first", "accepted", false)).toBe("首违");
    expect(firstViolationLabel("repeat", "accepted", true)).toBe("再次违反");
    expect(firstViolationLabel(null, "open", null)).toBeNull();
  });
});

describe("evidenceMatches", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("knows PDF, Office Open XML and legacy Office files by their bytes", () => {
    expect(evidenceMatches("application/pdf", enc("%PDF-1.7"))).toBe(true);
    expect(evidenceMatches("application/pdf", enc("<html>"))).toBe(false);
    const docx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...enc("....[Content_Types].xml")]);
    const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    expect(evidenceMatches(xlsxType, docx)).toBe(true);
    expect(evidenceMatches(xlsxType, new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toBe(false);
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]);
    expect(evidenceMatches("application/msword", ole)).toBe(true);
    expect(evidenceMatches("image/svg+xml", enc("<svg/>"))).toBe(false);
  });
});
