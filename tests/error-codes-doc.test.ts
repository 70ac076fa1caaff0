/**
 * docs/API.md's error-code table is the one list of what `error.code` can say: every code the source
 * throws as `new ApiError(status, "code", …)` must be a row there, with that status.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url);

/** code → statuses, from every `new ApiError(<status>, "<code>"` in src/ (spread over lines too). */
function thrownCodes(): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    const text = readFileSync(new URL(file, SRC), "utf8");
    for (const [, status, code] of text.matchAll(/new ApiError\(\s*(\d{3}),\s*"([a-z0-9_]+)"/g)) {
      codes.set(code!, (codes.get(code!) ?? new Set()).add(status!));
    }
  }
  return codes;
}

/** code → the statuses its row names, from the table under "## Error codes". */
function documentedCodes(): Map<string, string[]> {
  const doc = readFileSync(new URL("../docs/API.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Error codes"));
  const rows = new Map<string, string[]>();
  for (const [, code, statuses] of section.matchAll(/^\|?\s*`([a-z0-9_]+)`\s*\|\s*([\d/]+)\s*\|/gm)) {
    rows.set(code!, statuses!.split("/"));
  }
  return rows;
}

describe("docs/API.md error codes", () => {
  it("has a row, with its status, for every code src/ throws", () => {
    const thrown = thrownCodes();
    expect(thrown.size).toBeGreaterThan(50);
    const documented = documentedCodes();
    const problems: string[] = [];
    for (const [code, statuses] of thrown) {
      const row = documented.get(code);
      if (!row) problems.push(`${code}: no row`);
      else for (const s of statuses) if (!row.includes(s)) problems.push(`${code}: status ${s} missing`);
    }
    expect(problems).toEqual([]);
  });
});
