// Times as the server writes them (src/lib/time.ts localDateTime): "2026-12-06 14:31" in the zone the
// deployment is configured for, which every page receives in <meta name="lianma-time-zone"> (the
// page routes add it). A phone set to another zone still shows the inspection's local time.

const meta = typeof document === "undefined" ? null : document.querySelector('meta[name="lianma-time-zone"]');
export const TIME_ZONE = meta?.getAttribute("content") || "Asia/Shanghai";

/** What to call the zone beside a time: 北京时间 for China's, else its IANA name. */
export const ZONE_LABEL =
  TIME_ZONE === "Asia/Shanghai" || TIME_ZONE === "Asia/Chongqing" ? "北京时间" : TIME_ZONE;

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "2026-12-06 14:31" of an ISO instant, in the configured zone. */
export function localDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = Object.fromEntries(parts.formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
