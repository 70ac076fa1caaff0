import { api, errorMessage, setCsrfToken } from "./api";
import { byId } from "./dom";
import type { User } from "./types";

/**
 * Wires the admin top bar (the static `#who` and `#logout` in the page), checks the session —
 * redirecting to /login when there is none — and returns the signed-in user.
 */
export async function adminPage(): Promise<User> {
  byId("logout").addEventListener("click", async () => {
    try {
      await api("/api/auth/logout", { method: "POST" });
    } catch (error) {
      console.warn("logout failed:", errorMessage(error));
    }
    location.assign("/login");
  });
  const me = await api<{ user: User; csrfToken: string }>("/api/auth/me");
  setCsrfToken(me.csrfToken);
  byId("who").textContent = me.user.displayName || me.user.username;
  document.body.dataset.role = me.user.role;
  return me.user;
}
