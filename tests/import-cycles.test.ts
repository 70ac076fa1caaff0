/**
 * Dependencies in src/ run one way (issue 19, item 5). Two graphs are built from the static imports
 * of src/ (dynamic `import()` is left out: it is resolved when called, so it cannot make two modules
 * wait on each other while they load):
 *  - files: every import counts, `import type` included. A type-only cycle is harmless at run time
 *    but is the same knot for a reader (env.ts ↔ alerts/events.ts was one), and none is needed.
 *  - feature folders (src/<folder>/, or a top-level file like env.ts, as one node): value imports only.
 *    env.ts's AppDeps names the service type of every feature by design (it is the composition root's
 *    type), so counting type-only imports would make env a hub of every feature.
 * Neither graph may hold a cycle (the direction is in docs/ARCHITECTURE.md).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKER_TARGET } from "./worker/target.ts";

const SRC = resolve(import.meta.dirname, "../src");
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:([^;]*?)\s+from\s+)?["']([^"']+)["']/gms;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** `import { type A, type B }` is as type-only as `import type { A, B }`. */
function typeOnly(typeKeyword: string | undefined, clause: string | undefined): boolean {
  if (typeKeyword) return true;
  const named = clause?.trim().match(/^\{([^}]*)\}$/s);
  if (!named) return false;
  const names = named[1]
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((s) => s.startsWith("type "));
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, base.replace(/\.js$/, ".ts"), join(base, "index.ts")].find(
    (p) => p.startsWith(SRC + sep) && existsSync(p) && /\.tsx?$/.test(p),
  );
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function importEdges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(IMPORT)].flatMap((m) => {
      if (!m[3].startsWith(".")) return [];
      const to = resolveImport(file, m[3]);
      return to ? [{ from: relative(SRC, file), to: relative(SRC, to), typeOnly: typeOnly(m[1], m[2]) }] : [];
    }),
  );
}

const featureOf = (file: string) => file.split(sep)[0].replace(/\.tsx?$/, "");

/** Strongly connected components with more than one node (Tarjan): each is at least one cycle. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function graphOf(edges: Array<[string, string]>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

/** Each edge inside a component, with the imports that make it, for the failure message. */
function describeCycles(components: string[][], edges: Array<[string, string, string]>): string[] {
  return components.map((c) => {
    const inside = new Set(c);
    const lines = edges
      .filter(([a, b]) => inside.has(a) && inside.has(b))
      .map(([a, b, why]) => `  ${a} -> ${b} (${why})`);
    return `${c.join(", ")}\n${[...new Set(lines)].join("\n")}`;
  });
}

describe.skipIf(WORKER_TARGET)("import cycles in src/", () => {
  const edges = importEdges();

  it("finds the imports it checks", () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: "app.ts", to: join("forms", "routes.ts"), typeOnly: false });
    expect(edges).toContainEqual({ from: "env.ts", to: join("db", "client.ts"), typeOnly: true });
  });

  it("no file imports itself through other files (type-only imports included)", () => {
    const fileEdges = edges.map((e): [string, string, string] => [
      e.from,
      e.to,
      e.typeOnly ? "type" : "value",
    ]);
    const found = cycles(graphOf(fileEdges.map(([a, b]) => [a, b])));
    expect(describeCycles(found, fileEdges)).toEqual([]);
  });

  const featureEdges = edges
    .filter((e) => !e.typeOnly && featureOf(e.from) !== featureOf(e.to))
    .map((e): [string, string, string] => [featureOf(e.from), featureOf(e.to), `${e.from} -> ${e.to}`]);

  it("feature folders depend on each other one way", () => {
    const found = cycles(graphOf(featureEdges.map(([a, b]) => [a, b])));
    expect(describeCycles(found, featureEdges)).toEqual([]);
  });
});
