import { ApiError, readCookie } from "../lib/api";
import { byId, showMessage } from "../lib/dom";
import { safeNext } from "../lib/next";

/** The portal's one state: the session's CSRF token, the open forms' bookkeeping, the router. */
export const state = {
  csrfToken: null as string | null,
  /** The inspection page that sent the enterprise here to sign in ("以企业身份评价"), if any. */
  returnTo: (() => {
    const next = safeNext(new URLSearchParams(location.search).get("next"), location.origin, "");
    return next.startsWith("/i/") ? next : "";
  })(),
  /** The SMS code's resend countdown. */
  countdown: undefined as ReturnType<typeof setInterval> | undefined,
  /** The inspection whose 回避 form is shown, and how to redraw it after a request. */
  avoidance: { id: null as string | null, reload: async () => {} },
  departmentsLoaded: false,
  /** Set by the entry (enterprise.ts): shows the view the address bar names. */
  route: async (): Promise<void> => {},
};

/** JSON fetch with the enterprise's own CSRF header (never the staff one); 401 means signed out. */
export async function entApi<T>(path: string, method: "GET" | "POST" = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") {
    const token = readCookie("lianma_ent_csrf") ?? state.csrfToken;
    if (token) headers["X-Enterprise-CSRF-Token"] = token;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown[] } })?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "error",
      err?.message ?? `请求失败（${res.status}）`,
      err?.details,
    );
  }
  return data as T;
}

export const message = byId("message");
export const views = {
  signin: byId("signin"),
  home: byId("home"),
  detail: byId("detail"),
  complaints: byId("complaints"),
};
export const logoutButton = byId<HTMLButtonElement>("logout");

export function show(view: keyof typeof views | null) {
  for (const [name, element] of Object.entries(views)) element.hidden = name !== view;
  message.hidden = true;
  logoutButton.hidden = view === "signin" || view === null;
}

export function loading(text = "正在加载…") {
  for (const element of Object.values(views)) element.hidden = true;
  showMessage(message, text, "info");
}
