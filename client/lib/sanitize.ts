// Form JSON is written by users, and SurveyJS treats it as trusted HTML in html questions and the
// completed page; an html question may also show a respondent's answer piped in with {name}, so an
// anonymous person writes HTML that an administrator's browser renders with the administrator's
// cookies. CSP already blocks inline script. DOMPurify with an allowlist keeps only text markup:
// no style that lifts an element out of the page (a full-screen fixed overlay), no request to our
// API or to another site (an <img src="/api/…"> fires a GET with the viewer's cookies), no forms.
import DOMPurify from "dompurify";

const ALLOWED_TAGS = [
  "a",
  "abbr",
  "b",
  "blockquote",
  "br",
  "caption",
  "cite",
  "code",
  "dd",
  "del",
  "div",
  "dl",
  "dt",
  "em",
  "figcaption",
  "figure",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "i",
  "img",
  "ins",
  "kbd",
  "li",
  "mark",
  "ol",
  "p",
  "pre",
  "q",
  "s",
  "small",
  "span",
  "strong",
  "sub",
  "sup",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
];
// No id, and only our own classes below: our pages' and SurveyJS's classes include fixed-position
// popups and overlays.
const ALLOWED_ATTR = [
  "class",
  "href",
  "src",
  "alt",
  "title",
  "target",
  "style",
  "colspan",
  "rowspan",
  "width",
  "height",
  "lang",
  "dir",
];

/** Classes of the checklists the server generates (src/checklists/generate.ts), styled by checklist.html. */
const SAFE_CLASSES = new Set(["checklist-facts", "checklist-officers"]);

/** Inline style properties that only change how text looks, never where it is or how much room it takes. */
const SAFE_STYLE = [
  "color",
  "background-color",
  "font-weight",
  "font-style",
  "text-align",
  "text-decoration",
  "vertical-align",
];

/** Images inline in the markup only: any URL would be a request from the viewer's browser. */
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]*$/i;

/** A link to one of our own pages (not the API), or mail/phone; external sites are not linked. */
function safeHref(value: string): boolean {
  const trimmed = value.trim();
  if (/^(mailto|tel):/i.test(trimmed)) return true;
  if (trimmed.startsWith("#")) return true;
  let url: URL;
  try {
    url = new URL(trimmed, window.location.href);
  } catch {
    return false;
  }
  if (url.origin !== window.location.origin) return false;
  // The server decodes the path before routing (%61pi is api): compare the decoded form.
  let path: string;
  try {
    path = decodeURIComponent(url.pathname).toLowerCase();
  } catch {
    return false;
  }
  return !/^[/\\]+api([/\\]|$)/.test(path);
}

function safeStyle(element: HTMLElement): string {
  const kept: string[] = [];
  for (const property of SAFE_STYLE) {
    const value = element.style.getPropertyValue(property);
    if (value && !/url\(|expression|image-set|var\(|attr\(|\\/i.test(value))
      kept.push(`${property}: ${value}`);
  }
  return kept.join("; ");
}

const purify = DOMPurify(window);
purify.addHook("afterSanitizeAttributes", (node) => {
  if (!(node instanceof HTMLElement)) return;
  if (node.hasAttribute("class")) {
    const kept = [...node.classList].filter((name) => SAFE_CLASSES.has(name));
    if (kept.length) node.setAttribute("class", kept.join(" "));
    else node.removeAttribute("class");
  }
  if (node.hasAttribute("style")) {
    const style = safeStyle(node);
    if (style) node.setAttribute("style", style);
    else node.removeAttribute("style");
  }
  const href = node.getAttribute("href");
  if (href !== null && !(node instanceof HTMLAnchorElement && safeHref(href))) node.removeAttribute("href");
  const src = node.getAttribute("src");
  if (src !== null && !(node instanceof HTMLImageElement && DATA_IMAGE.test(src.trim())))
    node.removeAttribute("src");
  if (node instanceof HTMLAnchorElement) {
    node.setAttribute("rel", "noopener noreferrer");
    if (node.hasAttribute("target")) node.setAttribute("target", "_blank");
  }
});

/** Returns `html` reduced to the allowlisted text markup (see above). */
export function sanitizeHtml(html: string): string {
  if (!html) return html;
  return purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}
