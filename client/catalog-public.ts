import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { addSkipLink } from "./lib/nav";

addSkipLink();

interface PublicItem {
  code: string;
  departmentCode: string;
  departmentName: string;
  name: string;
  legalBasis: string;
  method: string;
}

interface PublicCatalog {
  departments: { code: string; name: string; district: string }[];
  items: PublicItem[];
}

const search = byId<HTMLInputElement>("search");
const department = byId<HTMLSelectElement>("department");
const list = byId("items");
const count = byId("count");

let catalog: PublicCatalog = { departments: [], items: [] };

function card(item: PublicItem): HTMLLIElement {
  return h(
    "li",
    { className: "catalog-item" },
    h(
      "div",
      { className: "catalog-item-head" },
      h("span", { className: "code" }, item.code),
      h("span", { className: "dept" }, item.departmentName),
    ),
    h("h2", {}, item.name),
    h(
      "dl",
      {},
      h("dt", {}, "检查依据"),
      h("dd", {}, item.legalBasis),
      h("dt", {}, "检查方式"),
      h("dd", {}, item.method),
    ),
  );
}

function render() {
  const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = catalog.items.filter((item) => {
    if (department.value && item.departmentCode !== department.value) return false;
    const text =
      `${item.code} ${item.name} ${item.legalBasis} ${item.method} ${item.departmentName}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  count.textContent =
    shown.length === catalog.items.length
      ? `共 ${catalog.items.length} 项检查事项`
      : `找到 ${shown.length} 项（共 ${catalog.items.length} 项）`;
  if (shown.length === 0) {
    replaceChildren(
      list,
      h(
        "li",
        { className: "catalog-empty" },
        catalog.items.length ? "没有符合条件的事项。" : "清单暂未发布事项。",
      ),
    );
    return;
  }
  replaceChildren(list, ...shown.map(card));
}

async function start() {
  catalog = await api<PublicCatalog>("/api/public/catalog", { noLoginRedirect: true });
  const fromUrl = new URLSearchParams(location.search);
  department.append(...catalog.departments.map((d) => h("option", { value: d.code }, d.name)));
  department.value = fromUrl.get("department") ?? "";
  search.value = fromUrl.get("q") ?? "";
  byId("bodies-count").textContent = String(catalog.departments.length);
  replaceChildren(
    byId("bodies-list"),
    ...catalog.departments.map((d) =>
      h("li", {}, d.name, d.district ? h("span", { className: "muted" }, `（${d.district}）`) : null),
    ),
  );
  render();
}

search.addEventListener("input", render);
department.addEventListener("change", render);
byId<HTMLFormElement>("search-form").addEventListener("submit", (event) => event.preventDefault());

start().catch((error) => {
  count.textContent = "";
  showMessage(byId("message"), `清单加载失败：${errorMessage(error)}`);
});
