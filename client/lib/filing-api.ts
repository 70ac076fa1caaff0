// Sending a filing, and where its refusals belong on the form.
import { ApiError, readCookie } from "./api";

/** The filing that occupies the window, named in a 409 duplicate_window. */
export interface Conflict {
  id: string;
  departments: string[];
  plannedStart: string;
}

export type Section = "enterprise" | "type" | "time" | "officers" | "items";

/** Which section of the form a 422 code of POST /api/inspections belongs to. */
export const SECTION_OF: Record<string, Section> = {
  unknown_enterprise: "enterprise",
  yearly_cap: "enterprise",
  case_reason_required: "type",
  invalid_window: "time",
  late_reason_required: "time",
  unknown_officer: "officers",
  officer_outside_department: "officers",
  credential_invalid: "officers",
  too_few_officers: "officers",
  items_required: "items",
  item_not_in_catalog: "items",
  item_outside_department: "items",
};

/** An {@link ApiError} that also carries the conflicting filing of a 409 duplicate_window. */
export class FilingError extends ApiError {
  conflict: Conflict | null = null;
}

/** POST /api/inspections keeping the whole error body: `error.conflict` is what {@link api} would drop. */
export async function postFiling(body: unknown): Promise<{ id: string }> {
  const token = readCookie("lianma_csrf");
  let response: Response;
  try {
    response = await fetch("/api/inspections", {
      method: "POST",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        ...(token ? { "X-CSRF-Token": token } : {}),
      },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new FilingError(0, "network", "网络连接失败，备案内容已保存在本机，请检查网络后重试。");
  }
  const parsed = (await response.json().catch(() => ({}))) as {
    id?: string;
    error?: { code?: string; message?: string; details?: unknown[]; conflict?: Conflict };
  };
  if (response.ok && parsed.id) return { id: parsed.id };
  if (response.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  const error = new FilingError(
    response.status,
    parsed.error?.code ?? `http_${response.status}`,
    parsed.error?.message ?? `服务器错误（${response.status}），请稍后再试。`,
    Array.isArray(parsed.error?.details) ? parsed.error.details : [],
  );
  error.conflict = parsed.error?.conflict ?? null;
  throw error;
}
