/**
 * Formatting in the company's currency and time zone (analytics.settings, as stored on the
 * snapshot). Only presentation: every value was computed in SQL.
 */

/** Formatters for one page. */
export interface Formats {
  money(v: number | null): string;
  moneyShort(v: number | null): string;
  count(v: number | null): string;
  pct(v: number | null): string;
  ratio(v: number | null): string;
  days(v: number | null): string;
  dateTime(iso: string | null): string;
  day(iso: string): string;
  month(iso: string): string;
}

const DASH = "–";

/** Builds the formatters for `currency` (ISO 4217) and `timeZone` (IANA). */
export function formats(currency: string, timeZone: string, locale = "en-US"): Formats {
  const money = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    maximumFractionDigits: 0,
  });
  const moneyShort = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1,
  });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const dec = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  });
  // Dates are already local days of the company time zone: print them as calendar days.
  const day = new Intl.DateTimeFormat(locale, { timeZone: "UTC", day: "numeric", month: "short" });
  const month = new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    month: "short",
    year: "2-digit",
  });
  const n = (f: (v: number) => string) => (v: number | null) => v === null ? DASH : f(v);
  return {
    money: n((v) => money.format(v)),
    moneyShort: n((v) => moneyShort.format(v)),
    count: n((v) => count.format(v)),
    pct: n((v) => `${dec.format(v)}%`),
    ratio: n((v) => `${dec.format(v)}×`),
    days: n((v) => `${dec.format(v)} d`),
    dateTime: (iso) => iso ? dateTime.format(new Date(iso)) : DASH,
    day: (iso) => day.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)),
    month: (iso) => month.format(new Date(`${iso.slice(0, 7)}-01T00:00:00Z`)),
  };
}
