/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-character
 * alphabet (digits and capitals without I, O, Z, S, V); the last is a check character over the first 17.
 */
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * The check character for the first 17 characters of a code, or null when they are not 17 characters
 * of the code alphabet (lowercase letters are not part of it).
 */
export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** True for an 18-character code whose 3rd–8th characters are digits and whose check character is right. */
export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}

/** Why a code is not valid, in Chinese for people fixing a spreadsheet; null when it is valid. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) return `统一社会信用代码应为 18 位，实为 ${code.length} 位`;
  if (/[a-z]/.test(code)) return "统一社会信用代码的字母应为大写";
  const bad = [...code].find((ch) => !ALPHABET.includes(ch));
  if (bad !== undefined) return `统一社会信用代码含有不允许的字符“${bad}”（不使用 I、O、Z、S、V）`;
  // Characters 3–8 are the registering authority's administrative division code (GB/T 2260).
  if (!/^\d{6}$/.test(code.slice(2, 8))) return "统一社会信用代码第 3–8 位应为行政区划代码（数字）";
  // No "should be X" hint: a typo anywhere in the first 17 also breaks the check, and the hint would
  // invite "fixing" the last character into a well-formed but wrong code.
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return "统一社会信用代码校验位不符，请逐位核对";
  return null;
}

/** Trims and upper-cases what a person typed or pasted; validation stays strict on the result. */
export function normalizeCreditCode(input: string): string {
  return input.trim().toUpperCase();
}
