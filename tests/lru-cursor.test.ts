import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../src/lib/cursor.ts";
import { Lru } from "../src/lib/lru.ts";

describe("Lru", () => {
  it("drops the least recently used entry beyond its bound; get marks use, peek does not", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1).set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recently used
    lru.set("c", 3);
    expect([...lru.keys()]).toEqual(["a", "c"]);
    expect(lru.peek("a")).toBe(1); // peek leaves a the least recently used
    lru.set("d", 4);
    expect([...lru.keys()]).toEqual(["c", "d"]);
    lru.set("c", 5); // setting again is a use
    expect([...lru.entries()]).toEqual([
      ["d", 4],
      ["c", 5],
    ]);
    expect(new Lru(0).max).toBe(1);
  });
});

describe("keyset cursor codec", () => {
  it("reads back what it wrote, with the kinds asked for", () => {
    const text = encodeCursor([1712345678901, "abc", "区县"]);
    expect(decodeCursor(text, ["number", "string", "string"] as const)).toEqual([
      1712345678901,
      "abc",
      "区县",
    ]);
  });

  it("answers null for anything else, never throws", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    for (const text of ["", "%%%", b64("{"), b64('{"a":1}'), b64('[1,"x"]'), b64('[1,"x",2]')])
      expect(decodeCursor(text, ["string", "string"] as const), text).toBeNull();
    expect(decodeCursor(encodeCursor([1, "x"]), ["number", "string", "string"] as const)).toBeNull();
  });
});
