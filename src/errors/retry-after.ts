const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d{2}:\\d{2}:\\d{2}";
/** The three HTTP-date forms of RFC 9110 (5.6.7), in any case and with a one-digit day, checked before Date.parse. */
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{1,2} ${MONTH} \\d{4} ${TIME} GMT$`, "i");
const RFC_850_DATE = new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \\d{1,2}-${MONTH}-\\d{2} ${TIME} GMT$`, "i");
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} [ \\d]?\\d ${TIME} \\d{4}$`, "i");

function httpDate(text: string): number {
  let date = Number.NaN;
  if (IMF_FIXDATE.test(text) || RFC_850_DATE.test(text)) date = Date.parse(text);
  // asctime carries no zone; HTTP-dates are always UTC, and Date.parse would read it as local time.
  else if (ASCTIME_DATE.test(text)) date = Date.parse(`${text} GMT`);
  // Date.parse rolls a day that does not exist (30 February) over into the next month, a date that may be long past.
  const day = /\b(\d{1,2})[ -][A-Za-z]{3}\b|[A-Za-z]{3} +(\d{1,2}) /.exec(text);
  return day !== null && new Date(date).getUTCDate() === Number(day[1] ?? day[2]) ? date : Number.NaN;
}

/** The wait a `Retry-After` asks for (ms, never negative): delay-seconds or a real HTTP-date; else undefined, never guessed. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  // RFC 9110 allows whole seconds only; fractions are read too rather than refused.
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = httpDate(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
