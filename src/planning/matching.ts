/**
 * Matching planned tasks into joint visits (R11, 进一次门、查多项事). Pure functions, so the grouping and
 * the count of visits saved can be checked against hand-computed fixtures.
 */

const DAY_MS = 86_400_000;

/** What matching needs of a planned task. */
export interface MatchTask {
  id: string;
  enterpriseId: string;
  departmentId: string;
  plannedStart: number;
  plannedEnd: number;
}

/** Tasks that one visit can carry out together; `saved` is the visits saved by merging them. */
export interface TaskGroup<T extends MatchTask> {
  enterpriseId: string;
  /** The earliest task: the others start within the duplicate window of it or overlap it. */
  anchor: T;
  tasks: T[];
  /** Distinct departments, in the order their first task appears. */
  departmentIds: string[];
  saved: number;
}

const byStart = (a: MatchTask, b: MatchTask) =>
  a.plannedStart - b.plannedStart || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Whether `task` (starting no earlier than `anchor`) belongs in the anchor's visit: it starts within
 * the duplicate window of the anchor's start — where the filing rule would refuse it as a second visit
 * — or its window overlaps the anchor's.
 */
export function matchesAnchor(anchor: MatchTask, task: MatchTask, windowDays: number): boolean {
  return (
    task.plannedStart - anchor.plannedStart < windowDays * DAY_MS || task.plannedStart <= anchor.plannedEnd
  );
}

/**
 * Groups tasks per enterprise: in order of start, the first ungrouped task anchors a group and takes
 * every later task of the enterprise that matches it. Anchoring (rather than chaining neighbours) keeps
 * every task of a group within one window of the visit. Singletons are groups of one (saved 0). Groups
 * come ordered by anchor start, then enterprise.
 */
export function groupTasks<T extends MatchTask>(tasks: T[], windowDays: number): TaskGroup<T>[] {
  const perEnterprise = new Map<string, T[]>();
  for (const t of [...tasks].sort(byStart)) {
    const list = perEnterprise.get(t.enterpriseId) ?? [];
    list.push(t);
    perEnterprise.set(t.enterpriseId, list);
  }
  const groups: TaskGroup<T>[] = [];
  for (const [enterpriseId, list] of perEnterprise) {
    let rest = list;
    while (rest.length > 0) {
      const anchor = rest[0]!;
      const members = rest.filter((t, i) => i === 0 || matchesAnchor(anchor, t, windowDays));
      rest = rest.filter((t) => !members.includes(t));
      groups.push({
        enterpriseId,
        anchor,
        tasks: members,
        departmentIds: [...new Set(members.map((t) => t.departmentId))],
        saved: members.length - 1,
      });
    }
  }
  return groups.sort((a, b) => byStart(a.anchor, b.anchor) || (a.enterpriseId < b.enterpriseId ? -1 : 1));
}

/** Visits before and after merging: every group becomes one visit, so saved = tasks − visits. */
export function visitsSaved(groups: { tasks: unknown[] }[]): {
  tasks: number;
  visits: number;
  saved: number;
} {
  const tasks = groups.reduce((n, g) => n + g.tasks.length, 0);
  return { tasks, visits: groups.length, saved: tasks - groups.length };
}
