/** Mainland China mobile numbers: 11 digits, 1 then 3–9 (the directory's contact_phone). */
const MOBILE = /^1[3-9]\d{9}$/;

/** "+86 138-0013-8000" → "13800138000": spaces, hyphens, brackets and the country code dropped. */
export function normalizePhone(input: string): string {
  const digits = input.trim().replace(/[\s\-()（）]/g, "");
  return digits.replace(/^(\+?86)(?=1\d{10}$)/, "");
}

/** Why a number cannot receive sign-in codes, in Chinese; null when it is a valid mobile number. */
export function phoneProblem(phone: string): string | null {
  if (MOBILE.test(phone)) return null;
  return `手机号“${phone.slice(0, 20)}”无效：应为 11 位大陆手机号（1 开头，第二位 3–9），座机请填在“联系方式”`;
}

/** "13800138000" → "138****8000", for audit lines and answers that must not spell the number. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : "***";
}
