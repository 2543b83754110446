/**
 * Ruby's `DateTime.iso8601` (ext/date: date_parse.c's date__iso8601, then dt_new_by_frags), as
 * GitLab's release entry uses it on `released_at`: which texts it takes. No JavaScript date
 * library reads ISO 8601 with Ruby's forms and leniencies (a bare `-`, two-digit years, ordinal
 * and week dates completed from today), so this is a port.
 */
/** The fragments of a date and time Ruby's Date._iso8601 reads (date_parse.c). */
interface DateFragments {
  year?: number;
  mon?: number;
  mday?: number;
  yday?: number;
  cweek?: number;
  cwday?: number;
  hour?: number;
  min?: number;
  sec?: number;
}

/** Ruby's `\s` (ASCII) around the text. */
const RS = '[\\t\\n\\v\\f\\r ]*';
/** date_parse.c's four ISO 8601 patterns (extended and basic date-times, then times), case-insensitive. */
const ISO8601_PATTERNS = [
  `(?:([-+]?\\d{2,}|-)-(\\d{2})?(?:-(\\d{2}))?|([-+]?\\d{2,})?-(\\d{3})|(\\d{4}|\\d{2})?-w(\\d{2})-(\\d)|-w-(\\d))` +
    `(?:t(\\d{2}):(\\d{2})(?::(\\d{2})(?:[,.](\\d+))?)?(z|[-+]\\d{2}(?::?\\d{2})?)?)?`,
  `(?:([-+]?(?:\\d{4}|\\d{2})|--)(\\d{2}|-)(\\d{2})|([-+]?(?:\\d{4}|\\d{2}))(\\d{3})|-(\\d{3})|` +
    `(\\d{4}|\\d{2})w(\\d{2})(\\d)|-w(\\d{2})(\\d)|-w-(\\d))` +
    `(?:t?(\\d{2})(\\d{2})(?:(\\d{2})(?:[,.](\\d+))?)?(z|[-+]\\d{2}(?:\\d{2})?)?)?`,
  `(\\d{2}):(\\d{2})(?::(\\d{2})(?:[,.](\\d+))?(z|[-+]\\d{2}(:?\\d{2})?)?)?`,
  `(\\d{2})(\\d{2})(?:(\\d{2})(?:[,.](\\d+))?(z|[-+]\\d{2}(\\d{2})?)?)?`,
].map((pattern) => new RegExp(`^${RS}${pattern}${RS}$`, 'i'));

/** comp_year69: a year written in fewer than 4 characters is 1969–2068. */
const year69 = (text: string): number => (text.length < 4 ? (Number(text) >= 69 ? 1900 : 2000) + Number(text) : Number(text));

/**
 * What Date._iso8601 reads in a text (date__iso8601): each pattern's callback in turn, into one
 * hash, until one takes it. A callback that refuses its match has set some fragments already, and
 * they stay (`2021-` reads as the year 2021), as in Ruby.
 */
function iso8601Fragments(text: string): DateFragments {
  const hash: DateFragments = {};
  const time = (hour?: string, min?: string, sec?: string) => {
    if (hour === undefined) return;
    hash.hour = Number(hour);
    hash.min = Number(min);
    if (sec !== undefined) hash.sec = Number(sec);
  };
  const [ext, bas, extTime, basTime] = ISO8601_PATTERNS as [RegExp, RegExp, RegExp, RegExp];
  let s = ext.exec(text);
  if (s) {
    let taken = true;
    if (s[1] !== undefined) {
      if (s[3] !== undefined) hash.mday = Number(s[3]);
      if (s[1] !== '-') hash.year = year69(s[1]);
      if (s[2] !== undefined) hash.mon = Number(s[2]);
      else if (s[1] !== '-') taken = false;
    } else if (s[5] !== undefined) {
      hash.yday = Number(s[5]);
      if (s[4] !== undefined) hash.year = year69(s[4]);
    } else if (s[8] !== undefined) {
      // Ruby's cwyear: the year of a week date (the only year such a text holds).
      if (s[6] !== undefined) hash.year = year69(s[6]);
      hash.cweek = Number(s[7]);
      hash.cwday = Number(s[8]);
    } else if (s[9] !== undefined) hash.cwday = Number(s[9]);
    if (taken) {
      time(s[10], s[11], s[12]);
      return hash;
    }
  }
  s = bas.exec(text);
  if (s) {
    let taken = true;
    if (s[3] !== undefined) {
      hash.mday = Number(s[3]);
      if (s[1] !== '--') hash.year = year69(s[1] as string);
      if (s[2]?.startsWith('-')) taken = s[1] === '--';
      else hash.mon = Number(s[2]);
    } else if (s[5] !== undefined) {
      hash.yday = Number(s[5]);
      hash.year = year69(s[4] as string);
    } else if (s[6] !== undefined) hash.yday = Number(s[6]);
    else if (s[9] !== undefined) {
      hash.year = year69(s[7] as string);
      hash.cweek = Number(s[8]);
      hash.cwday = Number(s[9]);
    } else if (s[11] !== undefined) {
      hash.cweek = Number(s[10]);
      hash.cwday = Number(s[11]);
    } else if (s[12] !== undefined) hash.cwday = Number(s[12]);
    if (taken) {
      time(s[13], s[14], s[15]);
      return hash;
    }
  }
  s = extTime.exec(text) ?? basTime.exec(text);
  if (s) time(s[1], s[2], s[3]);
  return hash;
}

/** Date's calendar (ITALY): Julian before 1582-10-15 (every fourth year a leap year), Gregorian
 *  from then; 1582 itself is no leap year in either. */
const isLeap = (year: number): boolean => year % 4 === 0 && (year < 1582 || year % 100 !== 0 || year % 400 === 0);

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The days of a month (1–12; 0 for any other) in a leap year or not. */
const daysOfMonth = (mon: number, leap: boolean): number => (MONTH_DAYS[mon - 1] ?? 0) + (mon === 2 && leap ? 1 : 0);

/** A calendar date of Date's calendar (ITALY), where the ten days before 1582-10-15 are none. */
function validCivil(year: number, mon: number, mday: number): boolean {
  if (year === 1582 && mon === 10 && mday >= 5 && mday <= 14) return false;
  return mday >= 1 && mday <= daysOfMonth(mon, isLeap(year));
}

/** c_valid_time_p: 24:00:00 is the next day's midnight. */
const validTime = (hour: number, min: number, sec: number): boolean =>
  hour <= 24 && min <= 59 && sec <= 59 && (hour < 24 || (min === 0 && sec === 0));

/**
 * Whether Ruby's `DateTime.iso8601` takes a text (dt_new_by_frags on what Date._iso8601 reads): a
 * calendar date must exist and a time be one (a leap second, `:60`, is read as `:59`). A form
 * without a whole calendar date (a month and day alone, a week or ordinal date, a time alone) is
 * completed from the day it is read: refused here only when no year would take it (February 29
 * is taken; a year written is the one it must exist in).
 */
export function rubyIso8601DateTime(text: string): boolean {
  const { year, mon, mday, yday, cweek, cwday, hour, min, sec } = iso8601Fragments(text);
  const within = (value: number | undefined, low: number, high: number) => value === undefined || (value >= low && value <= high);
  if ([year, mon, mday, yday, cweek, cwday, hour].every((value) => value === undefined)) return false;
  // A calendar date reads a second of 60 as 59; any other form (rt_complete_frags) any over 59.
  const civil = yday === undefined && year !== undefined && mon !== undefined && mday !== undefined;
  const second = sec === undefined ? 0 : sec === 60 || (!civil && sec > 59) ? 59 : sec;
  const timeTaken = hour === undefined || validTime(hour, min ?? 0, second);
  if (civil) return validCivil(year, mon, mday) && timeTaken;
  // A year written bounds an ordinal or a week date; without one, the largest any year allows.
  const days = year === undefined ? 366 : daysIn(year);
  const weeks = year === undefined || year < GREGORIAN_FROM ? 53 : isoWeeksIn(year);
  // A month written without its year may have the days it has in a leap year.
  const monthDays = mon === undefined ? 31 : daysOfMonth(mon, true);
  return (
    within(mon, 1, 12) && within(mday, 1, monthDays) && within(yday, 1, days) && within(cweek, 1, weeks) && within(cwday, 1, 7) && timeTaken
  );
}

/** The first whole Gregorian year of Ruby's default calendar (Date::ITALY, 1582-10-15). */
const GREGORIAN_FROM = 1583;

/** The days of a year in Ruby's default calendar: Julian before the reform, 1582 short by ten. */
function daysIn(year: number): number {
  if (year === 1582) return 355;
  return isLeap(year) ? 366 : 365;
}

/** ISO 8601 weeks of a Gregorian year: 53 when it starts on a Thursday, or is a leap year that
 *  starts on a Wednesday. */
function isoWeeksIn(year: number): number {
  const weekday = (y: number) => (((y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) % 7) + 7) % 7;
  return weekday(year) === 4 || weekday(year - 1) === 3 ? 53 : 52;
}
