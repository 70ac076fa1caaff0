// The enterprise portal (/e): sign in by SMS code or activation letter, then the enterprise's own
// inspections, arrival confirmation and evaluation. Its session is the enterprise's, never staff's.
import { surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "./lib/zh-cn-overrides";
import { ApiError, errorMessage, readCookie } from "./lib/api";
import { showMessage } from "./lib/dom";
import { registerLianmaProperties } from "./lib/lianma-properties";
import { addSkipLink } from "./lib/nav";
import { renderComplaints } from "./enterprise/complaints";
import { renderDetail } from "./enterprise/detail";
import { renderHome } from "./enterprise/home";
import { activate } from "./enterprise/signin";
import { entApi, loading, message, show, state } from "./enterprise/state";
import type { Me } from "./enterprise/types";

addSkipLink();

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();
registerLianmaProperties();

async function route() {
  const path = location.pathname.replace(/\/+$/, "");
  if (path === "/e/activate") {
    // The token came in the fragment, which no server saw; it leaves the address bar at once.
    const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
    history.replaceState(null, "", "/e/activate");
    if (token) return activate(token);
  }
  // Both cookies are set and cleared together: without the readable one there is no session to ask about.
  if (!readCookie("lianma_ent_csrf")) {
    if (path !== "/e" && path !== "/e/activate") history.replaceState(null, "", "/e");
    show("signin");
    return;
  }
  loading();
  let me: Me;
  try {
    me = await entApi<Me>("/api/enterprise/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (path !== "/e" && path !== "/e/activate") history.replaceState(null, "", "/e");
      show("signin");
      return;
    }
    showMessage(message, errorMessage(error));
    return;
  }
  state.csrfToken = me.csrfToken;
  if (state.returnTo) return location.assign(state.returnTo);
  const detail = /^\/e\/inspections\/([^/]+)$/.exec(path);
  try {
    if (detail) await renderDetail(decodeURIComponent(detail[1]!));
    else if (path === "/e/complaints") await renderComplaints();
    else await renderHome(me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      history.replaceState(null, "", "/e");
      await renderHome(me);
      showMessage(message, "未找到该检查。");
      return;
    }
    showMessage(message, errorMessage(error));
  }
}

state.route = route;
window.addEventListener("popstate", () => void route());
void route();
