import { describe, expect, it } from "vitest";
import {
  creditCodeCheckChar,
  creditCodeProblem,
  isValidCreditCode,
  normalizeCreditCode,
} from "../src/directory/uscc.ts";

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Published codes; each check character was verified by hand-computing the GB 32100-2015 sum.
const VALID = [
  "91350100M000100Y43", // the worked example in GB 32100-2015
  "91440300708461136T", // 腾讯科技（深圳）有限公司
  "91110108551385082Q", // 北京小米科技有限责任公司
  "914403001922038216", // 华为技术有限公司
  "91330100799655058B", // 阿里巴巴（中国）有限公司
];

describe("creditCodeCheckChar", () => {
  it("computes the check character of published codes", () => {
    for (const code of VALID) expect(creditCodeCheckChar(code.slice(0, 17)), code).toBe(code[17]);
  });

  it("maps a weighted sum divisible by 31 to 0", () => {
    expect(creditCodeCheckChar("00000000000000000")).toBe("0");
  });

  it("gives null for the wrong length or characters outside the alphabet", () => {
    expect(creditCodeCheckChar("9135010")).toBeNull();
    expect(creditCodeCheckChar("91350100M000100Y43")).toBeNull();
    expect(creditCodeCheckChar("91350100m000100Y4")).toBeNull();
    expect(creditCodeCheckChar("91350100I000100Y4")).toBeNull();
  });
});

describe("isValidCreditCode", () => {
  it("accepts published codes", () => {
    for (const code of VALID) expect(isValidCreditCode(code), code).toBe(true);
  });

  it("refuses 911100001000013446, whose check character would be J", () => {
    expect(creditCodeCheckChar("91110000100001344")).toBe("J");
    expect(isValidCreditCode("911100001000013446")).toBe(false);
  });

  it("detects every single-character substitution within the alphabet", () => {
    for (const code of VALID) {
      for (let i = 0; i < 18; i++) {
        for (const ch of ALPHABET) {
          if (ch === code[i]) continue;
          const corrupted = code.slice(0, i) + ch + code.slice(i + 1);
          expect(isValidCreditCode(corrupted), corrupted).toBe(false);
        }
      }
    }
  });

  it("detects a swap of two neighbouring different characters", () => {
    const code = VALID[0]!;
    for (let i = 0; i < 17; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      expect(isValidCreditCode(swapped), swapped).toBe(false);
    }
  });

  it("refuses lowercase letters, with a message saying so", () => {
    expect(isValidCreditCode("91440300708461136t")).toBe(false);
    expect(creditCodeProblem("91440300708461136t")).toMatch(/大写/);
    expect(isValidCreditCode("91350100m000100Y43")).toBe(false);
  });

  it("refuses the wrong length, naming it", () => {
    expect(isValidCreditCode("")).toBe(false);
    expect(isValidCreditCode("91350100M000100Y4")).toBe(false);
    expect(isValidCreditCode("91350100M000100Y433")).toBe(false);
    expect(creditCodeProblem("91350100M000100Y4")).toMatch(/18 位.*17 位/);
  });

  it("refuses letters the standard leaves out (I, O, Z, S, V) and other characters", () => {
    for (const ch of ["I", "O", "Z", "S", "V", "-", " ", "Ａ", "０"]) {
      const code = `91350100M${ch}00100Y43`;
      expect(isValidCreditCode(code), code).toBe(false);
      expect(creditCodeProblem(code)).toMatch(/不允许的字符/);
    }
  });

  it("refuses a non-digit administrative division code", () => {
    const first17 = "9135A100M000100Y4";
    const code = first17 + creditCodeCheckChar(first17);
    expect(isValidCreditCode(code)).toBe(false);
    expect(creditCodeProblem(code)).toMatch(/行政区划/);
  });

  it("explains a wrong check character without suggesting one", () => {
    const problem = creditCodeProblem("911100001000013446");
    expect(problem).toMatch(/校验位/);
    expect(problem).not.toMatch(/J/);
  });
});

describe("normalizeCreditCode", () => {
  it("trims and upper-cases", () => {
    expect(normalizeCreditCode("  91440300708461136t \n")).toBe("91440300708461136T");
  });
});
