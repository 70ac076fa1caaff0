import { RegexValidator } from "survey-core";
import { describe, expect, it } from "vitest";
import { installLinearRegex, linearRegexProblem } from "../src/forms/linear-regex.ts";

installLinearRegex();

const PATTERNS = [
  "^(a+)+$",
  "^[\\u4e00-\\u9fa5]+$",
  "^\\d{11}$",
  "^1[3-9]\\d{9}$",
  "^\\s*$",
  "^[\\s\\d]+$",
  "^[0-9A-HJ-NPQRTUWXY]{18}$",
  "^.+$",
  "a\\.b",
  "^\\+?[0-9 ]{6,15}$",
  "^[a-z0-9检查]+$",
  "[[:alpha:]]",
  "^\\w+@\\w+\\.com$",
  "\\bfoo\\b",
  "^[\\-\\]a]+$",
  "^\\/x$",
  "(?<y>z)",
  "^[^\\s]+$",
  "^\\x41\\u0042$",
];
const INPUTS = [
  "",
  "aaa",
  "aaaa!",
  "中文",
  "13912345678",
  "  ",
  " \u3000\t",
  "a\nb",
  "a\rb",
  "a\u2028",
  "a.b",
  "axb",
  "+86 1234567",
  "abc检查",
  "[",
  ":",
  "foo bar",
  "-]a",
  "/x",
  "AB",
  "ab",
  "z",
  "x@y.com",
  "91370100MA3C4XY71Q",
  12345,
];

describe("form-author regexes on the linear engine (issue 14, item 3)", () => {
  it.each(PATTERNS)("%s decides as JavaScript's RegExp does", (pattern) => {
    expect(linearRegexProblem(pattern)).toBeNull();
    for (const caseInsensitive of [false, true]) {
      const validator = new RegexValidator(pattern);
      validator.caseInsensitive = caseInsensitive;
      const native = new RegExp(pattern, caseInsensitive ? "i" : "");
      for (const input of INPUTS) {
        const refused = !!validator.validate(input as string)?.error;
        // survey-core skips validators on answers that are empty once trimmed.
        const empty = String(input).trim() === "";
        expect({ input, refused }).toEqual({ input, refused: !empty && !native.test(String(input)) });
      }
    }
  });

  it("refuses what the linear engine cannot run exactly, with the reason in Chinese", () => {
    expect(linearRegexProblem("(a)\\1")).toContain("反向引用");
    expect(linearRegexProblem("(?<!a)b")).toContain("后顾");
    expect(linearRegexProblem("^[^]$")).toContain("空字符集");
    expect(linearRegexProblem("\\p{L}")).toContain("\\p");
  });

  it("fails every answer to a stored pattern it cannot run rather than running it on the backtracking engine", () => {
    const validator = new RegexValidator("^(a)\\1$");
    expect(validator.validate("aa")?.error).toBeTruthy();
  });
});
