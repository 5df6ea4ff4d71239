/**
 * How answers write numbers: every figure is the SQL value itself, only grouped and trimmed
 * (no rounding beyond the SQL's own: 1333.33 stays 1,333.33, 40.00 % reads 40%), except money,
 * which reads in whole units as on the dashboard and in the brief ("$36,485").
 */

// Made once: toLocaleString with options builds a new formatter on every call.
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const CENTS = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** Groups thousands and drops a zero fraction: 12999 → "12,999", 1333.3 → "1,333.30". */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  return (Number.isInteger(value) ? WHOLE : CENTS).format(value);
}

const SYMBOLS: Record<string, string> = { USD: "$", EUR: "€", GBP: "£", INR: "₹", JPY: "¥" };

/** An amount in the company currency in whole units, as the dashboard and brief round it:
 * 36484.9 → "$36,485", "₹1,333", "CHF 10" (halves away from zero: -5.5 → "-€6"). */
export function formatMoney(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return "n/a";
  const symbol = SYMBOLS[currency];
  const sign = value < 0 ? "-" : "";
  const text = WHOLE.format(Math.round(Math.abs(value)));
  return symbol ? `${sign}${symbol}${text}` : `${sign}${currency} ${text}`;
}

/** A percentage as SQL gave it (2 decimals), trailing zeros trimmed: 66.67 → "66.67%". */
export function formatPct(value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  return `${String(Number(value.toFixed(2)))}%`;
}

/** A signed change in percent: "+200%", "-66.67%", "n/a" without a base. */
export function formatChange(value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  return `${value > 0 ? "+" : ""}${formatPct(value)}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A calendar day "YYYY-MM-DD" as "4 Mar" (or "4 Mar 2025" when `withYear`). */
export function formatDay(day: string | null | undefined, withYear = false): string {
  if (!day) return "no date";
  const [y, m, d] = day.slice(0, 10).split("-").map(Number);
  return `${d} ${MONTHS[(m ?? 1) - 1]}${withYear ? ` ${y}` : ""}`;
}

/** A month "YYYY-MM-01" as "Mar 2026". */
export function formatMonth(day: string): string {
  const [y, m] = day.slice(0, 7).split("-").map(Number);
  return `${MONTHS[(m ?? 1) - 1]} ${y}`;
}

/** "1 deal", "2 deals". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatNumber(n)} ${n === 1 ? word : many}`;
}
