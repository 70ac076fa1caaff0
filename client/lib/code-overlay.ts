// "出示检查码": the inspection code full screen on the officer's phone, kept awake while shown.
import { byId } from "./dom";

type WakeLock = { release(): Promise<void> };

/** Wires the static `#code-overlay` (with `#overlay-close`); returns the function that shows it. */
export function codeOverlay(): () => Promise<void> {
  const overlay = byId("code-overlay");
  let wakeLock: WakeLock | null = null;

  async function show() {
    overlay.hidden = false;
    document.body.classList.add("overlay-open");
    try {
      await overlay.requestFullscreen?.();
    } catch {
      // Not allowed here (e.g. iOS Safari): the overlay already fills the screen.
    }
    try {
      const nav = navigator as Navigator & { wakeLock?: { request(type: "screen"): Promise<WakeLock> } };
      wakeLock = (await nav.wakeLock?.request("screen")) ?? null;
    } catch {
      wakeLock = null;
    }
    byId("overlay-close").focus();
  }

  async function hide() {
    if (overlay.hidden) return;
    overlay.hidden = true;
    document.body.classList.remove("overlay-open");
    if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
    await wakeLock?.release().catch(() => undefined);
    wakeLock = null;
  }

  byId("overlay-close").addEventListener("click", () => void hide());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") void hide();
  });
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement) void hide();
  });
  return show;
}
