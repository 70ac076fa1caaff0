// Activation letters (企业激活函): issues one-time tokens and lays out one A4 letter per enterprise.
// The tokens exist only in this page's memory: they are printed, never stored or put in a URL.
import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";

interface Letter {
  enterprise: { id: string; name: string; creditCode: string; district: string; address: string };
  token: string;
  url: string;
  qrSvg: string;
  expiresAt: string;
}

const message = byId("message");
const printButton = byId<HTMLButtonElement>("print");
const host = byId("letters");

/** The QR as an SVG element, parsed as SVG (never as HTML), from the server's generator. */
function qrNode(svg: string): Node {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName.toLowerCase() !== "svg") return document.createTextNode("（二维码生成失败）");
  for (const s of Array.from(root.querySelectorAll("script, foreignObject"))) s.remove();
  return document.importNode(root, true);
}

function letter(l: Letter, portalUrl: string): HTMLElement {
  return h(
    "article",
    { className: "letter" },
    h("h1", {}, "企业激活函"),
    h("p", { className: "addressee" }, `${l.enterprise.name}：`),
    h("p", {}, `统一社会信用代码：${l.enterprise.creditCode}`),
    h(
      "p",
      {},
      "济南市涉企行政检查实行“事前备案、事中登记、事后评价”。贵单位可通过“亮码·企业服务”查看本单位的行政检查：检查前的告知（检查部门、检查事项及依据、执法人员及执法证号）、检查结果和整改要求，确认执法人员到达，并对每次检查作出评价。评价直接报送司法局行政执法监督机构，实施检查的部门看不到评价人身份。",
    ),
    h(
      "div",
      { className: "letter-qr" },
      h("div", { className: "qr" }, qrNode(l.qrSvg)),
      h(
        "div",
        {},
        h("p", {}, "用手机扫描左侧二维码即可登录。"),
        h("p", {}, "或打开 ", h("strong", {}, portalUrl), "，选择“使用激活码登录”，输入："),
        h("p", { className: "token" }, l.token),
      ),
    ),
    h(
      "ol",
      {},
      h("li", {}, "激活码只能使用一次，登录后本手机保持登录状态，可随时在页面上退出。"),
      h(
        "li",
        {},
        `激活码有效期至 ${formatTime(l.expiresAt)}；过期或遗失请联系司法局重新打印，原激活码随即作废。`,
      ),
      h("li", {}, "请妥善保管本函，不要转交他人：持有激活码即可以贵单位身份登录和评价。"),
      h("li", {}, "在企业名录中登记手机号后，也可以用短信验证码登录。"),
    ),
    h("p", { className: "sign" }, "济南市司法局"),
  );
}

async function issue(body: Record<string, unknown>) {
  const button = byId<HTMLButtonElement>("issue");
  button.disabled = true;
  showMessage(message, "正在生成…", "info");
  try {
    const res = await api<{ letters: Letter[]; portalUrl: string }>("/api/enterprises/activation-letters", {
      method: "POST",
      body,
    });
    replaceChildren(host, ...res.letters.map((l) => letter(l, res.portalUrl)));
    printButton.disabled = res.letters.length === 0;
    showMessage(message, `已生成 ${res.letters.length} 封激活函，请直接打印。`, "ok");
  } catch (error) {
    showMessage(message, errorMessage(error));
  } finally {
    button.disabled = false;
  }
}

// Opened from the directory for one enterprise: the id (not a secret) names it.
const enterpriseId = new URLSearchParams(location.search).get("enterprise");

byId<HTMLFormElement>("letters-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (enterpriseId) {
    void issue({ enterpriseIds: [enterpriseId] });
    return;
  }
  const district = byId<HTMLInputElement>("district").value.trim();
  if (!district) {
    showMessage(message, "请填写区县。");
    return;
  }
  void issue({ district, withoutPhoneOnly: byId<HTMLInputElement>("without-phone").checked });
});

printButton.addEventListener("click", () => window.print());

async function start() {
  await adminPage();
  if (!enterpriseId) return;
  // Issued on a click, not on load: a reload must not silently revoke a letter already printed.
  const enterprise = await api<{ name: string; creditCode: string }>(
    `/api/enterprises/${encodeURIComponent(enterpriseId)}`,
  );
  byId("district").closest("label")!.hidden = true;
  byId("without-phone").closest("label")!.hidden = true;
  byId("issue").textContent = `为 ${enterprise.name} 生成激活函`;
}

start().catch((error) => showMessage(message, errorMessage(error)));
