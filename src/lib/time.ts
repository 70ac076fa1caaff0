/**
 * Calendar time in the configured zone, the one place that knows about zones. Times are epoch ms
 * everywhere else; days are YYYY-MM-DD strings. Building an Intl.DateTimeFormat is costly, so
 * one formatter per zone and shape is kept for the life of the process (a handful of zones at most).
 */

const DAY_MS = 86_400_000;

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const partsFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, f);
  }
  return f;
}

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormats.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of partsFormat(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return out as unknown as LocalParts;
}

/** Throws RangeError on an unknown zone (called once at start-up). */
export function assertTimeZone(timeZone: string): void {
  dayFormat(timeZone);
}

/** The calendar date (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  return dayFormat(timeZone).format(ms);
}

/** "YYYY-MM-DD HH:mm" of an instant in `timeZone`, for people to read. */
export function localDateTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (e.g. +8h for Asia/Shanghai). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const p = localParts(utcMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The instant a local wall-clock date starts in `timeZone` (y, m 1-based, d may overflow). */
export function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const asUtc = Date.UTC(y, m - 1, d);
  const offset = zoneOffsetMs(asUtc, timeZone);
  return asUtc - zoneOffsetMs(asUtc - offset, timeZone);
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
    const start = localMidnight(y!, m!, d! + (endOfDay ? 1 : 0), timeZone);
    return Number.isNaN(start) ? null : start;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** Start of the calendar month (in `timeZone`) containing `ms`, or of the one after it. */
export function monthStart(ms: number, timeZone: string, next = false): number {
  const [y, m] = localDate(ms, timeZone).split("-").map(Number) as [number, number];
  return localMidnight(y, m + (next ? 1 : 0), 1, timeZone);
}

/** Start and end (exclusive) of the calendar year containing `ms` in `timeZone`, as epoch ms. */
export function yearBounds(ms: number, timeZone: string): [number, number] {
  const year = Number(localDate(ms, timeZone).slice(0, 4));
  return [localMidnight(year, 1, 1, timeZone), localMidnight(year + 1, 1, 1, timeZone)];
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The day `n` days after `day` (YYYY-MM-DD; n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant of a wall-clock time without offset ("YYYY-MM-DDTHH:mm[:ss]", as a datetime-local input
 * sends it) read in `timeZone`; null when the text is not such a time.
 */
export function parseLocalDateTime(text: string, timeZone: string): number | null {
  const m = LOCAL_DATETIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (Number.isNaN(asUtc)) return null;
  return asUtc - zoneOffsetMs(asUtc - zoneOffsetMs(asUtc, timeZone), timeZone);
}

// "YYYY-MM-DD HH:mm:ss" for exports, where a whole column of times is written at once.

interface ExportParts {
  date: string;
  hour: string;
  minute: string;
  second: string;
}

function exportParts(format: Intl.DateTimeFormat, epochMs: number): ExportParts {
  const parts: ExportParts = { date: "", hour: "", minute: "", second: "" };
  let year = "";
  let month = "";
  let day = "";
  for (const part of format.formatToParts(epochMs)) {
    if (part.type === "year") year = part.value;
    else if (part.type === "month") month = part.value;
    else if (part.type === "day") day = part.value;
    else if (part.type === "hour") parts.hour = part.value;
    else if (part.type === "minute") parts.minute = part.value;
    else if (part.type === "second") parts.second = part.value;
  }
  parts.date = `${year.padStart(4, "0")}-${month}-${day}`;
  return parts;
}

/**
 * Builds a formatter for one export; constructing Intl.DateTimeFormat is the expensive part, so callers make
 * one per export. Throws RangeError for an unknown zone, which lets the route fail before streaming starts.
 */
export function secondsFormatter(timeZone: string): (epochMs: number) => string {
  const format = partsFormat(timeZone);
  // formatToParts costs a large share of a CSV row; rows come sorted by time, so consecutive rows often
  // share a UTC minute. Zone offsets only change on whole minutes, so the minute's prefix can be reused.
  let cachedMinute = Number.NaN;
  let cachedPrefix = "";
  return (epochMs) => {
    // formatToParts throws on dates outside the ECMAScript range; one bad row must not abort the download
    if (!Number.isFinite(epochMs) || Math.abs(epochMs) > 8.64e15) return "";
    const minute = Math.floor(epochMs / 60_000);
    if (minute !== cachedMinute) {
      const start = exportParts(format, minute * 60_000);
      if (start.second !== "00") {
        // Historical offsets with seconds (LMT) do not align local and UTC minutes: format exactly
        const exact = exportParts(format, epochMs);
        return `${exact.date} ${exact.hour}:${exact.minute}:${exact.second}`;
      }
      cachedMinute = minute;
      cachedPrefix = `${start.date} ${start.hour}:${start.minute}:`;
    }
    const second = Math.floor(epochMs / 1000) - minute * 60;
    return cachedPrefix + (second < 10 ? `0${second}` : String(second));
  };
}

const formatterCache = new Map<string, (epochMs: number) => string>();

/**
 * Formats epoch milliseconds as "YYYY-MM-DD HH:mm:ss" (24h) in the given IANA time zone.
 * Throws RangeError for an unknown zone.
 */
export function localDateTimeSeconds(epochMs: number, timeZone: string): string {
  let format = formatterCache.get(timeZone);
  if (!format) {
    format = secondsFormatter(timeZone);
    formatterCache.set(timeZone, format);
  }
  return format(epochMs);
}
