import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { groupTasks, matchesAnchor, visitsSaved, type MatchTask } from "../src/planning/matching.ts";
import { suggestedWindow } from "../src/planning/merge.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2027-03-01T00:00:00Z");

/** A task from day `start` to day `end` (days after T0). */
function task(
  id: string,
  enterpriseId: string,
  departmentId: string,
  start: number,
  end = start + 1,
): MatchTask {
  return { id, enterpriseId, departmentId, plannedStart: T0 + start * DAY, plannedEnd: T0 + end * DAY };
}

// Hand-computed fixture, duplicate window 30 days:
//   E1: t1 A d0, t2 B d10, t3 C d29 → one visit (within 30 days of t1's start);
//       t4 A d30 (30 is not < 30, after t1's end) anchors a new visit with t5 B d45 (15 days later);
//       t6 C d70 alone.
//   E2: u1 A d5–d40, u2 B d38 (33 days later, but inside u1's window) → one visit; u3 B d41 alone.
//   E3: v1 alone.
//   E4: w1 d0, w2 d25, w3 d50: w3 is 25 days after w2 but 50 after the anchor w1 → not chained.
// 13 tasks, 8 visits, 5 saved (2 + 1 + 0 + 1 + 0 + 0 + 1 + 0).
const FIXTURE = [
  task("t1", "E1", "A", 0),
  task("t2", "E1", "B", 10),
  task("t3", "E1", "C", 29),
  task("t4", "E1", "A", 30),
  task("t5", "E1", "B", 45),
  task("t6", "E1", "C", 70),
  task("u1", "E2", "A", 5, 40),
  task("u2", "E2", "B", 38),
  task("u3", "E2", "B", 41),
  task("v1", "E3", "A", 3),
  task("w1", "E4", "A", 0),
  task("w2", "E4", "A", 25),
  task("w3", "E4", "B", 50),
];

const ids = (groups: { tasks: MatchTask[] }[]) => groups.map((g) => g.tasks.map((t) => t.id).join(","));

describe("groupTasks", () => {
  it("groups the hand-computed fixture into its visits", () => {
    const groups = groupTasks([...FIXTURE].reverse(), 30);
    expect(ids(groups).sort()).toEqual(
      ["t1,t2,t3", "t4,t5", "t6", "u1,u2", "u3", "v1", "w1,w2", "w3"].sort(),
    );
    const e1 = groups.find((g) => g.anchor.id === "t1")!;
    expect(e1.departmentIds).toEqual(["A", "B", "C"]);
    expect(e1.saved).toBe(2);
    expect(groups.find((g) => g.anchor.id === "w1")!.departmentIds).toEqual(["A"]);
    expect(groups.map((g) => g.saved).sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 2]);
  });

  it("counts the visits saved: tasks − visits", () => {
    expect(visitsSaved(groupTasks(FIXTURE, 30))).toEqual({ tasks: 13, visits: 8, saved: 5 });
    expect(visitsSaved([])).toEqual({ tasks: 0, visits: 0, saved: 0 });
  });

  it("follows the configured window", () => {
    // With 7 days: t1 (d0–d1) and t2 (d10) part; t3 (d29) and t4 (d30) now meet; u1–u2 still overlap.
    // 11 visits: E1 t1 | t2 | t3,t4 | t5 | t6, E2 u1,u2 | u3, E3 v1, E4 w1 | w2 | w3.
    const groups = groupTasks(FIXTURE, 7);
    expect(ids(groups).sort()).toEqual(
      ["t1", "t2", "t3,t4", "t5", "t6", "u1,u2", "u3", "v1", "w1", "w2", "w3"].sort(),
    );
    expect(visitsSaved(groups)).toEqual({ tasks: 13, visits: 11, saved: 2 });
  });

  it("orders groups by anchor start, then enterprise", () => {
    const groups = groupTasks(FIXTURE, 30);
    const starts = groups.map((g) => g.anchor.plannedStart);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(groups[0]!.enterpriseId).toBe("E1");
    expect(groups[1]!.enterpriseId).toBe("E4");
  });

  it("matches a task within the window or overlapping the anchor, not one just past both", () => {
    const anchor = task("a", "E", "A", 0, 2);
    expect(matchesAnchor(anchor, task("b", "E", "B", 29.99), 30)).toBe(true);
    expect(matchesAnchor(anchor, task("b", "E", "B", 30), 30)).toBe(false);
    expect(matchesAnchor(anchor, task("b", "E", "B", 2), 1)).toBe(true);
    expect(matchesAnchor(anchor, task("b", "E", "B", 2.01), 1)).toBe(false);
  });

  it("keeps every task in exactly one group, each within one window of its anchor (property)", () => {
    const arbTask = fc.record({
      e: fc.constantFrom("E1", "E2", "E3"),
      d: fc.constantFrom("A", "B", "C"),
      start: fc.integer({ min: 0, max: 200 }),
      len: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(fc.array(arbTask, { maxLength: 40 }), fc.integer({ min: 1, max: 60 }), (raw, w) => {
        const tasks = raw.map((r, i) => task(`x${i}`, r.e, r.d, r.start, r.start + r.len));
        const groups = groupTasks(tasks, w);
        const seen = groups.flatMap((g) => g.tasks.map((t) => t.id)).sort();
        expect(seen).toEqual(tasks.map((t) => t.id).sort());
        for (const g of groups) {
          for (const t of g.tasks) {
            expect(t.enterpriseId).toBe(g.enterpriseId);
            expect(t.plannedStart).toBeGreaterThanOrEqual(g.anchor.plannedStart);
            expect(matchesAnchor(g.anchor, t, w) || t === g.anchor).toBe(true);
          }
        }
        expect(visitsSaved(groups).saved).toBe(tasks.length - groups.length);
      }),
    );
  });
});

describe("suggestedWindow", () => {
  it("takes the common window of the tasks when they share one", () => {
    const [from, to] = suggestedWindow([task("a", "E", "A", 0, 10), task("b", "E", "B", 4, 20)]);
    expect([from, to]).toEqual([T0 + 4 * DAY, T0 + 10 * DAY]);
  });

  it("falls back to the first task's window, cut to 31 days", () => {
    const [from, to] = suggestedWindow([task("a", "E", "A", 0, 60), task("b", "E", "B", 70, 71)]);
    expect([from, to]).toEqual([T0, T0 + 31 * DAY]);
  });
});
