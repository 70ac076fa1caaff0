/** Admin calls the benchmark scripts make against a running server (login, publishing the checklist). */
import { checklistSchema } from "./checklist.ts";

export interface Admin {
  cookie: string;
  csrf: string;
}

export async function login(url: string, password: string): Promise<Admin> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
    csrf: csrfToken,
  };
}

async function adminCall(url: string, admin: Admin, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Cookie: admin.cookie, "X-CSRF-Token": admin.csrf, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/**
 * Creates and publishes the checklist's schema through the API as a survey (only surveys take
 * anonymous submissions); returns its id and version.
 */
export async function publishChecklist(url: string, admin: Admin, title: string) {
  const created = await adminCall(url, admin, "POST", "/api/forms", {
    title,
    kind: "survey",
    schema: checklistSchema(title),
  });
  const id = (created.form as { id: string }).id;
  const published = await adminCall(url, admin, "POST", `/api/forms/${id}/publish`);
  return { id, version: published.version as number };
}
