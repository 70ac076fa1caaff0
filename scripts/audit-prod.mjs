#!/usr/bin/env node
/**
 * CI check (issue 7): production dependencies free of high/critical advisories.
 *
 * Runs `npm audit --omit=dev --audit-level=high` and fails on any high or critical finding. Some
 * registries (mirrors, proxies) have no audit endpoint; then the check says so and, unless
 * AUDIT_REQUIRED=1, goes on to what it can verify offline: the minimum versions of the advisories
 * named in ../shared/SECURITY.md for our production dependencies. Exits 1 on any finding.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Advisories of SECURITY.md with the first fixed version, checked against what is installed. */
const FLOORS = [
  { name: "drizzle-orm", min: "0.45.2", advisory: "CVE-2026-39356 (identifier escaping)" },
  {
    name: "hono",
    min: "4.12.14",
    advisory:
      "GHSA-92vj-g62v-jqhh (body limit), GHSA-2234-fmw7-43wr (CSRF), GHSA-92pp-h63x-v22m, GHSA-q5qw-h33p-qvwr",
  },
  {
    name: "@hono/node-server",
    min: "1.19.10",
    advisory: "GHSA-wc8c-qw6v-h7f6 (encoded slash on static paths)",
  },
];

function runAudit() {
  try {
    return execFileSync("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    // npm audit exits 1 both when it finds something and when it cannot ask: the JSON tells which.
    return error.stdout ?? "";
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { summary: text.trim().slice(0, 300) || "no output" } };
  }
}

const newer = (a, b) => {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
};

let failed = false;
const report = parse(runAudit());
const counts = report.metadata?.vulnerabilities;
if (counts) {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  console.log(
    `npm audit (production): ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ` +
      `${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`,
  );
  if (serious > 0) {
    failed = true;
    for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
      if (v.severity === "high" || v.severity === "critical")
        console.log(`  ${v.severity}: ${name} ${v.range ?? ""} (fix: ${JSON.stringify(v.fixAvailable)})`);
    }
  }
} else {
  const why = report.message || report.error?.summary || "unknown error";
  console.log(`npm audit (production): the registry's audit endpoint did not answer: ${why}`);
  if (process.env.AUDIT_REQUIRED === "1") failed = true;
}

for (const floor of FLOORS) {
  const installed = JSON.parse(readFileSync(`node_modules/${floor.name}/package.json`, "utf8")).version;
  const ok = newer(installed, floor.min);
  console.log(
    `${ok ? "ok" : "VULNERABLE"}: ${floor.name} ${installed} (>= ${floor.min} for ${floor.advisory})`,
  );
  if (!ok) failed = true;
}

process.exit(failed ? 1 : 0);
