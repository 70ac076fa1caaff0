/**
 * The keyset cursor of every paged list: the sort key of the last row sent, as an opaque base64url
 * string of a JSON array. A cursor only says where to continue; the list's filters and access scope
 * are applied again on every page, so a cursor made up by a client can skip rows but never reveal any.
 */
type Kind = "string" | "number";
type Value<K extends Kind> = K extends "number" ? number : string;
type Values<K extends readonly Kind[]> = { [I in keyof K]: Value<K[I]> };

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/**
 * The values of a cursor made by `encodeCursor`, when it has exactly `kinds` (finite numbers only);
 * null for anything else, which the caller answers with its own 400.
 */
export function decodeCursor<const K extends readonly Kind[]>(text: string, kinds: K): Values<K> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== kinds.length) return null;
  for (let i = 0; i < kinds.length; i++) {
    const v: unknown = parsed[i];
    if (kinds[i] === "number" ? typeof v !== "number" || !Number.isFinite(v) : typeof v !== "string")
      return null;
  }
  return parsed as Values<K>;
}
