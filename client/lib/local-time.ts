// The pages' one time module, on the server's (src/lib/time.ts): times show and datetime inputs read
// in the zone the deployment is configured for, which every page receives in
// <meta name="lianma-time-zone"> (the page routes add it). A phone set to another zone still shows
// and files the inspection's local time. Formatters are made on first use: the first one loads the
// locale's data, CPU a slow phone need not spend on a page that shows no time.
import { localDate, localDateTime as zonedDateTime, parseLocalDateTime } from "../../src/lib/time";

const meta = typeof document === "undefined" ? null : document.querySelector('meta[name="lianma-time-zone"]');
export const TIME_ZONE = meta?.getAttribute("content") || "Asia/Shanghai";

/** What to call the zone beside a time: 北京时间 for China's, else its IANA name. */
export const ZONE_LABEL =
  TIME_ZONE === "Asia/Shanghai" || TIME_ZONE === "Asia/Chongqing" ? "北京时间" : TIME_ZONE;

/** "2026-12-06 14:31" of an ISO instant, as the server writes times; — for nothing. */
export function localDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : zonedDateTime(ms, TIME_ZONE);
}

/** "2026-12-06": the day of an instant (ISO text or epoch ms). */
export function localDay(at: string | number): string {
  const ms = typeof at === "number" ? at : Date.parse(at);
  return Number.isNaN(ms) ? String(at) : localDate(ms, TIME_ZONE);
}

/** `YYYY-MM-DDTHH:mm` of an instant: the value of a datetime-local input. */
export function inputValue(ms: number): string {
  return zonedDateTime(ms, TIME_ZONE).replace(" ", "T");
}

/** A datetime-local value read in the deployment's zone, as an ISO instant; null when it is none. */
export function inputToIso(value: string): string | null {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? parseLocalDateTime(value, TIME_ZONE) : null;
  return ms === null ? null : new Date(ms).toISOString();
}
