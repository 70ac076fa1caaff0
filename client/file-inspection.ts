// 事前备案 on a phone: enterprise, type, window, officers, items, legal basis; kept in localStorage until
// sent. A duplicate in the window is refused with the filing named, and the officer may join it instead.
import { inputToIso, inputValue, localDateTime } from "./lib/local-time";
import { api, ApiError, errorMessage } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { FilingError, postFiling, SECTION_OF, type Section } from "./lib/filing-api";
import { conflictCard } from "./lib/filing-conflict";
import { draftStore } from "./lib/filing-draft";
import { enterprisePicker, type Enterprise } from "./lib/filing-enterprise";
import { basisFromItems, renderItems, type CatalogItem } from "./lib/filing-items";
import { countInspectors, renderCounter, renderOfficers, type Officer } from "./lib/filing-people";
import { type InspectionType } from "./lib/inspection-ui";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

/** What an unfinished filing keeps in localStorage (the server has no drafts). */
interface Draft {
  savedAt: string;
  enterprise: Enterprise | null;
  type: InspectionType;
  caseReason: string;
  start: string;
  end: string;
  lateReason: string;
  officerIds: string[];
  itemIds: string[];
  legalBasis: string;
  legalBasisEdited: boolean;
  notes: string;
}

const form = byId<HTMLFormElement>("filing-form");
const message = byId("message");
const caseReason = byId<HTMLTextAreaElement>("case-reason");
const startInput = byId<HTMLInputElement>("planned-start");
const endInput = byId<HTMLInputElement>("planned-end");
const lateReason = byId<HTMLTextAreaElement>("late-reason");
const officerList = byId("officer-list");
const counter = byId("officer-counter");
const itemList = byId("item-list");
const legalBasis = byId<HTMLTextAreaElement>("legal-basis");
const legalBasisReset = byId<HTMLButtonElement>("legal-basis-reset");
const notes = byId<HTMLTextAreaElement>("notes");
const submit = byId<HTMLButtonElement>("submit-filing");

let me: User | null = null;
let officers: Officer[] = [];
let items: CatalogItem[] = [];
let legalBasisEdited = false;

const conflict = conflictCard({
  ownDepartment: () => officers[0]?.departmentName,
  chosen: () => ({ officerIds: checkedIds(officerList), itemIds: checkedIds(itemList) }),
  onJoined: () => drafts.discard(),
});

const enterprise = enterprisePicker(
  {
    search: byId<HTMLInputElement>("enterprise-search"),
    results: byId("enterprise-results"),
    picker: byId("enterprise-picker"),
    chosen: byId("enterprise-chosen"),
  },
  () => saveDraftSoon(),
);

const selectedType = () =>
  (form.querySelector<HTMLInputElement>('input[name="type"]:checked')?.value ?? "routine") as InspectionType;
const checkedIds = (list: HTMLElement) =>
  [...list.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map((i) => i.value);

function fieldError(section: Section, content: string | Node) {
  const box = byId(`error-${section}`);
  replaceChildren(box, content);
  box.hidden = false;
}

function clearErrors() {
  for (const box of document.querySelectorAll<HTMLElement>(".field-error")) box.hidden = true;
  for (const row of document.querySelectorAll(".row-error")) row.classList.remove("row-error");
  showMessage(message, "");
}

// ---- Window, officers, items ----

const visitDays = () =>
  startInput.value && endInput.value
    ? { startDay: startInput.value.slice(0, 10), endDay: endInput.value.slice(0, 10) }
    : null;

function isLate(): boolean {
  const iso = inputToIso(startInput.value);
  return iso !== null && Date.parse(iso) < Date.now();
}

function showOfficers(selected: Set<string>) {
  renderOfficers(officerList, officers, selected, visitDays(), me?.id);
  renderCounter(counter, officerList);
}

function syncLegalBasis() {
  const computed = basisFromItems(items, checkedIds(itemList));
  if (!legalBasisEdited) legalBasis.value = computed;
  const hidden = !legalBasisEdited || legalBasis.value === computed;
  legalBasisReset.hidden = hidden;
  legalBasisReset.parentElement!.hidden = hidden;
}

function setType(type: InspectionType) {
  const radio = form.querySelector<HTMLInputElement>(`input[name="type"][value="${type}"]`);
  if (radio) radio.checked = true;
  byId("case-reason-field").hidden = type !== "case";
}

// ---- Draft in localStorage ----

const drafts = draftStore<Draft>(() => `lianma:filing-draft:${me?.id ?? "anon"}`);
const saveDraftSoon = () =>
  drafts.saveSoon(() => ({
    savedAt: new Date().toISOString(),
    enterprise: enterprise.get(),
    type: selectedType(),
    caseReason: caseReason.value,
    start: startInput.value,
    end: endInput.value,
    lateReason: lateReason.value,
    officerIds: checkedIds(officerList),
    itemIds: checkedIds(itemList),
    legalBasis: legalBasis.value,
    legalBasisEdited,
    notes: notes.value,
  }));

function applyDraft(d: Draft) {
  enterprise.set(d.enterprise ?? null);
  setType(d.type ?? "routine");
  caseReason.value = d.caseReason ?? "";
  if (d.start) startInput.value = d.start;
  if (d.end) endInput.value = d.end;
  lateReason.value = d.lateReason ?? "";
  notes.value = d.notes ?? "";
  showOfficers(new Set(d.officerIds ?? []));
  renderItems(itemList, items, new Set(d.itemIds ?? []));
  legalBasisEdited = Boolean(d.legalBasisEdited);
  legalBasis.value = d.legalBasis ?? "";
  syncLegalBasis();
}

// ---- Submission ----

/** The server's rules checked here first, so the officer learns before sending. */
function localProblems(): boolean {
  const problems: [Section, string][] = [];
  if (!enterprise.get()) problems.push(["enterprise", "请选择被检查企业。"]);
  if (selectedType() === "case" && !caseReason.value.trim()) {
    problems.push(["type", "个案检查必须说明触发原因（投诉举报、转办交办等）。"]);
  }
  const start = inputToIso(startInput.value);
  const end = inputToIso(endInput.value);
  if (!start || !end) problems.push(["time", "请填写计划开始和结束时间。"]);
  else if (Date.parse(end) <= Date.parse(start)) problems.push(["time", "计划结束时间必须晚于开始时间。"]);
  else if (isLate() && !lateReason.value.trim()) {
    problems.push(["time", "计划时间已过的检查属于事后补办，必须说明紧急原因。"]);
  }
  const { inspectors } = countInspectors(officerList);
  if (inspectors < 2) {
    problems.push([
      "officers",
      `至少需要两名持有效执法证的执法人员，当前 ${inspectors} 名（辅助人员不计入）。`,
    ]);
  }
  if (checkedIds(itemList).length === 0)
    problems.push(["items", "请至少选择一项检查事项（清单之外无检查）。"]);
  for (const [section, text] of problems) fieldError(section, text);
  return problems.length > 0;
}

function scrollToFirstError() {
  const first = [...document.querySelectorAll<HTMLElement>(".field-error, #message")].find(
    (el) => !el.hidden,
  );
  first?.closest("section, .message")?.scrollIntoView({ block: "start", behavior: "smooth" });
}

function markRows(list: HTMLElement, attribute: string, ids: unknown[]) {
  for (const id of ids) {
    if (typeof id === "string")
      list.querySelector(`li[${attribute}="${CSS.escape(id)}"]`)?.classList.add("row-error");
  }
}

function showRefusal(error: unknown) {
  const code = error instanceof ApiError ? error.code : "";
  if (error instanceof FilingError && code === "duplicate_window" && error.conflict) {
    conflict.show(error.conflict, error.message);
    return;
  }
  const section = SECTION_OF[code];
  if (section && error instanceof ApiError) {
    fieldError(section, error.message);
    if (section === "officers") markRows(officerList, "data-officer-id", error.details);
    if (section === "items") markRows(itemList, "data-item-id", error.details);
  } else {
    replaceChildren(message, errorWithDetails(error, "备案未提交："));
    message.className = "message message-error";
    message.setAttribute("role", "alert");
    message.hidden = false;
  }
  scrollToFirstError();
}

async function onSubmit(event: Event) {
  event.preventDefault();
  clearErrors();
  conflict.hide();
  if (localProblems()) return scrollToFirstError();
  const type = selectedType();
  const body = {
    enterpriseId: enterprise.get()!.id,
    type,
    caseReason: type === "case" ? caseReason.value.trim() : undefined,
    plannedStart: inputToIso(startInput.value)!,
    plannedEnd: inputToIso(endInput.value)!,
    officerIds: checkedIds(officerList),
    itemIds: checkedIds(itemList),
    legalBasis: legalBasis.value.trim() || undefined,
    notes: notes.value.trim() || undefined,
    lateReason: isLate() ? lateReason.value.trim() : undefined,
  };
  submit.disabled = true;
  submit.textContent = "正在提交…";
  try {
    const { id } = await postFiling(body);
    drafts.discard();
    location.assign(`/admin/inspections/${encodeURIComponent(id)}?filed=1`);
    return;
  } catch (error) {
    showRefusal(error);
  }
  submit.disabled = false;
  submit.textContent = "提交备案";
}

// ---- Wiring ----

form.addEventListener("change", (event) => {
  const target = event.target as HTMLElement;
  if (target instanceof HTMLInputElement && target.name === "type") setType(selectedType());
  if (officerList.contains(target)) renderCounter(counter, officerList);
  if (itemList.contains(target)) syncLegalBasis();
  saveDraftSoon();
});
form.addEventListener("input", () => saveDraftSoon());
startInput.addEventListener("change", () => {
  const start = inputToIso(startInput.value);
  const end = inputToIso(endInput.value);
  if (start && (!end || Date.parse(end) <= Date.parse(start))) {
    endInput.value = inputValue(Date.parse(start) + 2 * 3_600_000);
  }
  byId("late-reason-field").hidden = !isLate();
  showOfficers(new Set(checkedIds(officerList)));
});
endInput.addEventListener("change", () => showOfficers(new Set(checkedIds(officerList))));
legalBasis.addEventListener("input", () => {
  legalBasisEdited = legalBasis.value.trim() !== "";
  syncLegalBasis();
});
legalBasisReset.addEventListener("click", () => {
  legalBasisEdited = false;
  syncLegalBasis();
  saveDraftSoon();
});
byId("draft-discard").addEventListener("click", () => {
  drafts.discard();
  location.reload();
});
form.addEventListener("submit", onSubmit);

async function init(user: User) {
  me = user;
  if (user.role !== "officer" && user.role !== "dept_admin") {
    showMessage(message, "只有部门的执法人员或部门管理员可以备案检查。");
    form.hidden = true;
    return;
  }
  const department = encodeURIComponent(user.departmentId ?? "");
  const [officerPage, itemPage] = await Promise.all([
    api<{ items: Officer[] }>(`/api/officers?department=${department}`).catch((error) => {
      fieldError("officers", `执法人员名录暂不可用：${errorMessage(error)}`);
      return { items: [] as Officer[] };
    }),
    api<{ items: CatalogItem[] }>(`/api/catalog/items?department=${department}&status=active`).catch(
      (error) => {
        fieldError("items", `检查事项清单暂不可用：${errorMessage(error)}`);
        return { items: [] as CatalogItem[] };
      },
    ),
  ]);
  officers = officerPage.items;
  items = itemPage.items;
  const draft = drafts.read();
  if (draft) {
    applyDraft(draft);
    byId("draft-text").textContent = `已恢复 ${localDateTime(draft.savedAt)} 未提交的备案。`;
    byId("draft-note").hidden = false;
  } else {
    // Tomorrow 09:00–11:00, China time; the officer's own record ticked.
    const tomorrow = inputValue(Date.now() + 86_400_000).slice(0, 10);
    startInput.value = `${tomorrow}T09:00`;
    endInput.value = `${tomorrow}T11:00`;
    const self = officers.find((o) => o.userId === user.id);
    showOfficers(new Set(self ? [self.id] : []));
    renderItems(itemList, items, new Set());
    syncLegalBasis();
  }
  byId("late-reason-field").hidden = !isLate();
}

adminPage()
  .then(init)
  .catch((error) => showMessage(message, errorMessage(error)));
