/**
 * Form authors' regular expressions (regex validators) run on the server in linear time (issue 14,
 * item 3). JavaScript's backtracking engine takes exponential time on patterns like `^(a+)+$` (one
 * anonymous 31-character answer blocked the server for 10 s) and polynomial time on many ordinary
 * ones over a long answer. RE2 (the pure-JS port re2js) matches in time linear in the input, for
 * the patterns it supports: everything but backreferences and lookaround.
 *
 * A pattern is written for the browser's engine (the runner checks it there too, flags "" or "i"),
 * so it is translated first where the two read the same text differently: `\uXXXX` escapes, `\s`
 * (JavaScript includes Unicode spaces such as U+3000), `.` (JavaScript excludes \r, U+2028 and
 * U+2029 too) and `[` inside a class (a POSIX class in RE2). What cannot be translated exactly is
 * refused: at save and publish with the reason (findSchemaProblems), and in a version stored before
 * this check by failing the validator, never by running the pattern on the backtracking engine.
 */
import { RE2JS } from "re2js";
import { RegexValidator } from "survey-core";

/** JavaScript's `\s`, as RE2 class members. */
const JS_SPACE =
  "\\x{9}-\\x{d}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
/** JavaScript's `.` without the s flag. */
const JS_DOT = "[^\\x{a}\\x{d}\\x{2028}\\x{2029}]";

/** The RE2 spelling of a JavaScript pattern, or why there is none. */
export type Translation = { ok: true; source: string } | { ok: false; reason: string };

const fail = (reason: string): Translation => ({ ok: false, reason });
const hex = (digits: string) => `\\x{${digits.toLowerCase()}}`;

/** `\` followed by `c` at `pattern[i]`: the RE2 text of the escape and how many characters it used, or a refusal. */
function escapeAt(pattern: string, i: number, inClass: boolean): { text: string; used: number } | string {
  const c = pattern[i];
  if (c === undefined) return "表达式以 \\ 结尾";
  if (c === "u") {
    const digits = /^[0-9a-fA-F]{4}/.exec(pattern.slice(i + 1))?.[0];
    return digits ? { text: hex(digits), used: 5 } : "\\u 后须为四位十六进制数";
  }
  if (c === "x") {
    const digits = /^[0-9a-fA-F]{2}/.exec(pattern.slice(i + 1))?.[0];
    return digits ? { text: hex(digits), used: 3 } : "\\x 后须为两位十六进制数";
  }
  if (c === "s") return { text: inClass ? JS_SPACE : `[${JS_SPACE}]`, used: 1 };
  if (c === "S") return inClass ? "字符集中不支持 \\S" : { text: `[^${JS_SPACE}]`, used: 1 };
  if (c === "b" && inClass) return { text: "\\x{8}", used: 1 };
  if ("dDwWtnrfv".includes(c) || (!inClass && "bB".includes(c))) return { text: `\\${c}`, used: 1 };
  if (c === "0" && !/[0-9]/.test(pattern[i + 1] ?? "")) return { text: "\\x{0}", used: 1 };
  if (/[1-9]/.test(c) || c === "k") return "不支持反向引用（\\1、\\k<名称>）";
  if (/[A-Za-z0-9]/.test(c)) return `不支持转义 \\${c}`;
  // Escaped punctuation means the character itself in both engines; RE2 refuses other escapes.
  return { text: /[!-/:-@[-`{-~]/.test(c) ? `\\${c}` : c, used: 1 };
}

/** Translates a pattern written for JavaScript's RegExp (without the u flag) into RE2 syntax. */
export function translatePattern(pattern: string): Translation {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "\\") {
      const escape = escapeAt(pattern, i + 1, inClass);
      if (typeof escape === "string") return fail(escape);
      out += escape.text;
      i += 1 + escape.used;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      i++;
      continue;
    }
    if (c === "[") {
      const negated = pattern[i + 1] === "^";
      // JavaScript's [] matches nothing and [^] anything; RE2 reads the ] as a member.
      if (pattern[i + (negated ? 2 : 1)] === "]") return fail("不支持空字符集 [] 或 [^]");
      inClass = true;
      out += negated ? "[^" : "[";
      i += negated ? 2 : 1;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const head = pattern.slice(i, i + 4);
      if (/^\(\?(=|!|<=|<!)/.test(head)) return fail("不支持前瞻或后顾断言（(?=、(?!、(?<=、(?<!）");
      if (!/^\(\?(:|<[A-Za-z_])/.test(head)) return fail("不支持的分组写法");
    }
    out += c === "." ? JS_DOT : c;
    i++;
  }
  if (inClass) return fail("字符集缺少 ]");
  return { ok: true, source: out };
}

/** A compiled pattern with the one method survey-core's RegexValidator calls. */
interface Tester {
  test(value: unknown): boolean;
}

/** Why `pattern` (with survey-core's flags) cannot run on the linear engine, or null when it can. */
export function linearRegexProblem(pattern: string, flags = ""): string | null {
  const compiled = compile(pattern, flags);
  return "problem" in compiled ? compiled.problem : null;
}

const cache = new Map<string, Tester | { problem: string }>();
const CACHE_MAX = 1000;

function compile(pattern: string, flags: string): Tester | { problem: string } {
  const key = `${flags}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let entry: Tester | { problem: string };
  const translated = translatePattern(pattern);
  if (/[^i]/.test(flags)) entry = { problem: `不支持的标志 ${flags}` };
  else if (!translated.ok) entry = { problem: translated.reason };
  else {
    try {
      const re = RE2JS.compile(translated.source, flags === "i" ? RE2JS.CASE_INSENSITIVE : 0);
      // RegExp.prototype.test reads its argument as a string; so does the translation.
      entry = { test: (value: unknown) => re.test(String(value)) };
    } catch (error) {
      entry = { problem: `无法解析：${(error as Error).message}` };
    }
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, entry);
  return entry;
}

/** A pattern that could not be translated fails every non-empty answer instead of running on the backtracking engine. */
const NEVER: Tester = { test: () => false };

let installed = false;

/**
 * Makes every survey-core RegexValidator in this process (the reference's models and the compiled
 * validator's, which call the same objects) match on the linear engine. Idempotent.
 */
export function installLinearRegex(): void {
  if (installed) return;
  installed = true;
  const proto = RegexValidator.prototype as unknown as {
    createRegExp(this: RegexValidator): Tester;
  };
  proto.createRegExp = function createLinearRegExp(this: RegexValidator) {
    const compiled = compile(String(this.regex), this.caseInsensitive ? "i" : "");
    return "problem" in compiled ? NEVER : compiled;
  };
}
