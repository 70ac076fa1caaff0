import { surveyLocalization } from "survey-core";

/**
 * lianma's corrections to SurveyJS's machine-translated zh-cn strings, in one place (issue 18 #4).
 * Each line names the string SurveyJS ships and why it reads wrong; update here after upgrades.
 */
const SURVEY_STRINGS: Record<string, string> = {
  ratingOptionsCaption: "请选择…", // shipped "选择。。。" (full stops as an ellipsis), beside 请选择
  buttongroupOptionsCaption: "请选择…",
  invalidEmail: "请输入有效的电子邮箱地址", // shipped "请输入有效的 Email 地址"
  // The Creator's toolbox search button asks survey-core for this key, which no locale has: "Search".
  "ed.toolboxSearch": "搜索",
};

type Strings = Record<string, unknown>;

/** The Creator's strings, by section (qt: question types, pe: property names, pv: property values). */
const CREATOR_STRINGS: Record<string, Record<string, string>> = {
  qt: { slider: "滑块", boolean: "是/否" }, // shipped "滑 块" and "逻辑项"
  ed: {
    choices_Item: "选项", // new choices read 选项4, not 项目4 / Item 4
    toolboxSearch: "搜索",
  },
  pe: {
    cookieName: "Cookie 名称（防止同一浏览器重复填写）", // shipped "Cookie名，避免多次运行)"
    pageTitlePlaceholder: "第 {num} 页", // shipped "页数 1" (number of pages)
    showPageNumbers: "显示页码",
  },
  pv: { text: "文本", number: "数字" }, // input types: shipped "发短信" (to text someone) and "数"
};

/** Fixes the survey-core zh-cn strings (runner, preview and Creator). Safe to call twice. */
export function fixSurveyStrings(): void {
  const zh = surveyLocalization.locales["zh-cn"] as Strings | undefined;
  if (zh) Object.assign(zh, SURVEY_STRINGS);
}

/** Fixes the Creator's zh-cn strings; `choices_Item` also in English, since form texts are Chinese. */
export function fixCreatorStrings(localization: { getLocale(name: string): Strings | undefined }): void {
  const zh = localization.getLocale("zh-cn");
  if (zh) {
    for (const [section, strings] of Object.entries(CREATOR_STRINGS)) {
      const target = (zh[section] ??= {}) as Strings;
      Object.assign(target, strings);
      if (section === "pv") {
        const inputType = (target.inputType ??= {}) as Strings;
        Object.assign(inputType, strings);
      }
    }
  }
  const en = localization.getLocale("en");
  if (en) ((en.ed ??= {}) as Strings).choices_Item = "选项";
}
