/**
 * Calendar arithmetic for event times (proleptic Gregorian, UTC), without Date objects: audit events are
 * timed and alerts stamped once per event, and Date parsing/formatting costs more than the rest of it.
 */

/** Days from 1970-01-01 to the date (month 1-12); years may be 0-9999. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** Whole seconds since the epoch as `YYYY-MM-DDTHH:MM:SS` (UTC), like Date#toISOString's first 19 chars. */
export function isoSeconds(secs: number): string {
  const { date, hms } = isoSecondsParts(secs);
  return `${date}T${hms}`;
}

/** Whole seconds since the epoch as a UTC date `YYYY-MM-DD` and time of day `HH:MM:SS`. */
export function isoSecondsParts(secs: number): { date: string; hms: string } {
  const days = Math.floor(secs / 86400);
  const inDay = secs - days * 86400;
  // the inverse of daysFromCivil
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(inDay / 3600);
  const mm = Math.floor((inDay - hh * 3600) / 60);
  const ss = inDay - hh * 3600 - mm * 60;
  const yyyy = year >= 0 && year < 10000 ? String(year).padStart(4, "0") : String(year);
  return { date: `${yyyy}-${pad2(month)}-${pad2(day)}`, hms: `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}` };
}
