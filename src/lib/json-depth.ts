/**
 * The nesting depth of a JSON text, scanned without parsing, so a 10,000-deep body is refused before
 * JSON.parse or a validator recurses into it. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  // The depth is at most the number of opening brackets in the whole text: when there are few (a
  // form's answers), that count, found with indexOf, settles it without the scan below.
  if (!hasMoreThan(text, "{", "[", maxDepth)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

/** Whether `text` holds more than `max` occurrences of `a` and `b` together. */
function hasMoreThan(text: string, a: string, b: string, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) if (++count > max) return true;
  for (let i = text.indexOf(b); i >= 0; i = text.indexOf(b, i + 1)) if (++count > max) return true;
  return false;
}
