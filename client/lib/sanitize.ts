// Form JSON is written by users, and SurveyJS treats it as trusted HTML in html questions and the
// completed page. CSP already blocks inline script; this removes the markup so nothing even tries.

const droppedElements = new Set([
  "SCRIPT",
  "STYLE",
  "IFRAME",
  "FRAME",
  "FRAMESET",
  "OBJECT",
  "EMBED",
  "APPLET",
  "LINK",
  "META",
  "BASE",
  "FORM",
  "INPUT",
  "BUTTON",
  "SELECT",
  "TEXTAREA",
  "TEMPLATE",
  "NOSCRIPT",
  "SVG",
  "MATH",
]);
const urlAttributes = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "xlink:href",
  "background",
  "poster",
  "srcset",
]);

function safeUrl(value: string, attribute: string): boolean {
  const url = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*:/.test(url)) return attribute !== "srcset" || !url.includes(":");
  if (
    url.startsWith("https:") ||
    url.startsWith("http:") ||
    url.startsWith("mailto:") ||
    url.startsWith("tel:")
  ) {
    return true;
  }
  return attribute === "src" && /^data:image\/(png|jpe?g|gif|webp);/.test(url);
}

/** Returns `html` with scripts, event-handler attributes and script URLs removed. */
export function sanitizeHtml(html: string): string {
  if (!html) return html;
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const walk = (parent: Element) => {
    for (const child of Array.from(parent.children)) {
      if (droppedElements.has(child.tagName.toUpperCase())) {
        child.remove();
        continue;
      }
      for (const attribute of Array.from(child.attributes)) {
        const name = attribute.name.toLowerCase();
        if (
          name.startsWith("on") ||
          name === "srcdoc" ||
          (name === "style" && /expression|url\s*\(/i.test(attribute.value))
        ) {
          child.removeAttribute(attribute.name);
        } else if (urlAttributes.has(name) && !safeUrl(attribute.value, name)) {
          child.removeAttribute(attribute.name);
        }
      }
      if (child.tagName === "A") {
        child.setAttribute("rel", "noopener noreferrer");
        if (child.getAttribute("target")) child.setAttribute("target", "_blank");
      }
      walk(child);
    }
  };
  walk(doc.body);
  return doc.body.innerHTML;
}
