import { api, errorMessage, setCsrfToken } from "./api";
import { byId } from "./dom";
import { addSkipLink, buildTopbar, showNotForRole, staffPage } from "./nav";
import { clearSessionCaches } from "./session-caches";
import type { User } from "./types";

/**
 * Wires the admin top bar (the static `#who` and `#logout` in the page), checks the session —
 * redirecting to /login when there is none — and returns the signed-in user.
 */
export async function adminPage(): Promise<User> {
  addSkipLink();
  byId("logout").addEventListener("click", async () => {
    try {
      await api("/api/auth/logout", { method: "POST" });
    } catch (error) {
      console.warn("logout failed:", errorMessage(error));
    }
    // After the logout, so no answer still on its way can refill them with this session's data.
    await clearSessionCaches();
    location.assign("/login");
  });
  const me = await api<{ user: User; csrfToken: string }>("/api/auth/me");
  setCsrfToken(me.csrfToken);
  document.body.dataset.role = me.user.role;
  buildTopbar(me.user.role, location.pathname);
  byId("who").textContent = me.user.displayName || me.user.username;
  const page = staffPage(location.pathname);
  if (page && !page.roles.includes(me.user.role)) {
    showNotForRole(me.user.role, page.label);
    // The page's own code waits on this forever: nothing of it runs for a role it is not for.
    return new Promise<User>(() => {});
  }
  return me.user;
}
