/** Error thrown by {@link api} for any non-2xx answer, carrying the server's `{error}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
    /** The whole `error` object of the answer, for the fields some errors add (e.g. 409 stale_revision). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Reads one cookie by name (the CSRF cookie is deliberately readable by page scripts). */
export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let csrfToken: string | null = null;

/** Remembers the token returned by login / me, for browsers where the cookie is not yet visible. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Sends the browser to the login page, coming back here afterwards. */
export function redirectToLogin(): void {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

interface ApiOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  /** Public pages must not bounce to the login page on 401. */
  noLoginRedirect?: boolean;
  /** Acts as the signed-in enterprise: its own CSRF header, never the staff one (R14). */
  asEnterprise?: boolean;
}

const statusMessages: Record<number, string> = {
  403: "没有权限执行此操作。",
  404: "请求的内容不存在。",
  409: "数据已被修改，请刷新后重试。",
  413: "提交的内容过大。",
  429: "操作过于频繁，请稍后再试。",
};

/**
 * JSON fetch against our own API: sends the CSRF header and JSON content type on writes, parses
 * `{error:{code,message,details}}` into an {@link ApiError}, and redirects to /login on 401.
 */
export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET" && options.asEnterprise) {
    const token = readCookie("lianma_ent_csrf");
    if (token) headers["X-Enterprise-CSRF-Token"] = token;
  } else if (method !== "GET") {
    const token = readCookie("lianma_csrf") ?? csrfToken;
    if (token) headers["X-CSRF-Token"] = token;
  }
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "网络连接失败，请检查网络后重试。");
  }
  if (response.status === 401 && !options.noLoginRedirect) {
    redirectToLogin();
    throw new ApiError(401, "unauthenticated", "登录已过期，请重新登录。");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown[] } })?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? statusMessages[response.status] ?? `服务器错误（${response.status}），请稍后再试。`,
      Array.isArray(error?.details) ? error.details : [],
      (error ?? {}) as Record<string, unknown>,
    );
  }
  return body as T;
}

/** A human message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
