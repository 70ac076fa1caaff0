// The refusal card of a duplicate filing (R5): the conflicting filing named, and joining it instead.
import { localDateTime } from "./local-time";
import { api, ApiError } from "./api";
import { errorWithDetails } from "./details";
import { byId, h, replaceChildren, showMessage } from "./dom";
import type { Conflict } from "./filing-api";

interface ConflictOptions {
  /** The officer's department name: a conflict in the own department cannot be joined, only opened. */
  ownDepartment: () => string | undefined;
  /** The officers and items chosen on the form, taken along into the joint inspection. */
  chosen: () => { officerIds: string[]; itemIds: string[] };
  /** Called once the request to join is sent. */
  onJoined: () => void;
}

/** Wires `#conflict`: returns show(conflict, message) and hide(). */
export function conflictCard(opts: ConflictOptions) {
  const card = byId("conflict");
  const joinButton = byId<HTMLButtonElement>("join-button");
  const joinMessage = byId("join-message");
  const open = byId<HTMLAnchorElement>("conflict-open");
  let current: Conflict | null = null;

  function show(c: Conflict & { joinable?: boolean }, text: string) {
    current = c;
    byId("conflict-text").textContent = text;
    replaceChildren(
      byId("conflict-facts"),
      h("dt", {}, "已备案部门"),
      h("dd", {}, c.departments.join("、") || "—"),
      h("dt", {}, "计划检查时间"),
      h("dd", {}, localDateTime(c.plannedStart)),
    );
    const own = opts.ownDepartment();
    // The server decides whether the filing can be joined (not when the own department takes part).
    const ours = c.joinable === false || Boolean(own && c.departments.includes(own));
    open.href = `/admin/inspections/${encodeURIComponent(c.id)}`;
    open.hidden = !ours;
    joinButton.hidden = ours;
    joinButton.disabled = false;
    byId("join-hint").textContent = ours
      ? "本部门已参与该次检查。如需增加执法人员或检查事项，请联系该次检查的备案人。"
      : "“进一次门、查多项事”：可以带着本次选择的执法人员和检查事项加入该次检查，实行联合检查。";
    showMessage(joinMessage, "");
    card.hidden = false;
    card.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  async function join() {
    if (!current) return;
    joinButton.disabled = true;
    showMessage(joinMessage, "正在申请加入…", "info");
    try {
      await api(`/api/inspections/${encodeURIComponent(current.id)}/join-request`, {
        method: "POST",
        body: opts.chosen(),
      });
      opts.onJoined();
      joinButton.hidden = true;
      // R18: nothing is joined until both departments' administrators consent.
      showMessage(
        joinMessage,
        "已提交加入申请。经牵头部门管理员同意、本部门管理员批准后，本部门的人员和事项才并入该次检查。",
        "ok",
      );
    } catch (error) {
      const already = error instanceof ApiError && error.code === "already_joined";
      open.hidden = !already;
      joinButton.hidden = already;
      joinButton.disabled = false;
      replaceChildren(joinMessage, errorWithDetails(error));
      joinMessage.className = "message message-error";
      joinMessage.hidden = false;
    }
  }

  joinButton.addEventListener("click", () => void join());
  return {
    show,
    hide() {
      current = null;
      card.hidden = true;
    },
  };
}
