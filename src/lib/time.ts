/** One formatter per zone: building one costs far more than using it (a dashboard period asks ~250). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (e.g. +8h for Asia/Shanghai). */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a filter bound: a full ISO datetime as given, or a bare date as the start of that day in
 * `timeZone` (`endOfDay` gives the start of the next day, for an exclusive upper bound).
 * Returns null when the text is not a date.
 */
export function parseBound(text: string, timeZone: string, endOfDay = false): number | null {
  if (DATE_ONLY.test(text)) {
    const [y, m, d] = text.split("-").map(Number);
    const localMidnightAsUtc = Date.UTC(y!, m! - 1, d! + (endOfDay ? 1 : 0));
    if (Number.isNaN(localMidnightAsUtc)) return null;
    const offset = zoneOffsetMs(localMidnightAsUtc, timeZone);
    return localMidnightAsUtc - zoneOffsetMs(localMidnightAsUtc - offset, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
