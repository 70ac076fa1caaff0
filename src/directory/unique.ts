/** True when a database error is a UNIQUE constraint failure (drizzle wraps libSQL's error in `cause`). */
export function isUniqueViolation(err: unknown): boolean {
  for (
    let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (String(e.message ?? "").includes("UNIQUE constraint failed")) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Runs a write; a UNIQUE failure (a race the earlier check did not see) becomes the given error. */
export async function onUniqueViolation<T>(write: () => Promise<T>, error: () => Error): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw error();
    throw err;
  }
}
