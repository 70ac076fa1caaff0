import { api } from "../lib/api";
import { loadList, upsert } from "./list";
import { live, state } from "./state";
import type { AlertItem } from "./types";

export function setLive(mode: "connecting" | "live" | "down", text: string) {
  live.dataset.state = mode;
  live.textContent = text;
}

/** Live updates: every (re)connection refetches the list, so nothing is missed in between. */
export function connect() {
  const source = new EventSource("/api/alerts/stream");
  source.addEventListener("ready", () => {
    setLive("live", "实时更新中");
    void loadList();
    if (state.selected) void state.select(state.selected);
  });
  source.addEventListener("alert", (event) => {
    const { kind, alert } = JSON.parse((event as MessageEvent<string>).data) as {
      kind: string;
      alert: AlertItem;
    };
    upsert(alert, kind === "created");
    if (alert.id === state.selected && kind !== "created") void state.select(alert.id);
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the stream (often an expired session): /api/auth/me sends to the login page.
      setLive("down", "实时更新已断开，稍后重连");
      void api("/api/auth/me")
        .then(() => setTimeout(connect, 10_000))
        .catch(() => undefined);
    } else {
      setLive("connecting", "连接中断，正在重连…");
    }
  });
}
