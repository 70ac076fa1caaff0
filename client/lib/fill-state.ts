/** One fill of a public form in this browser tab: its submission id and the answers so far. */
export interface FillState {
  id: string;
  version: number;
  data: Record<string, unknown>;
  /** SurveyJS has held this fill: `data` is every answer, its defaults included (lib/survey-fill.ts). */
  whole?: boolean;
}

/** RFC 4122 v4 UUID. `crypto.randomUUID` exists only in secure contexts (https, localhost). */
export function newSubmissionId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const key = (formId: string) => `lianma:fill:${formId}`;

export function loadFill(formId: string): FillState | null {
  try {
    const raw = sessionStorage.getItem(key(formId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as FillState;
    if (typeof parsed?.id !== "string" || typeof parsed.version !== "number") return null;
    return { id: parsed.id, version: parsed.version, data: parsed.data ?? {}, whole: parsed.whole === true };
  } catch {
    return null;
  }
}

export function saveFill(formId: string, state: FillState): void {
  try {
    sessionStorage.setItem(key(formId), JSON.stringify(state));
  } catch {
    // Storage full or disabled: the id then lives only as long as the page does.
  }
}

export function clearFill(formId: string): void {
  try {
    sessionStorage.removeItem(key(formId));
  } catch {
    // Nothing stored.
  }
}
