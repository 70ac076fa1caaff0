import { createHash } from "node:crypto";

/** A small seeded PRNG (mulberry32): the same seed gives the same demo data on every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  /** Picks by weight: `[[value, weight], …]`. */
  const weighted = <T>(table: readonly (readonly [T, number])[]): T => {
    const total = table.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [value, w] of table) {
      r -= w;
      if (r < 0) return value;
    }
    return table[table.length - 1]![0];
  };
  return { next, int, pick, weighted };
}

export type Prng = ReturnType<typeof prng>;

const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A stable, opaque id for a demo record (same alphabet and length as `newId`): derived from what the
 * record is, so a second run finds the first run's rows and inserts nothing twice.
 */
export function demoId(kind: string, key: string): string {
  const digest = createHash("sha256").update(`lianma-demo:${kind}:${key}`).digest();
  let out = "";
  for (let i = 0; i < 16; i++) out += ID_ALPHABET[digest[i]! & 31];
  return out;
}
