import assert from "node:assert/strict";
import { formatChange, formatDay, formatMoney, formatNumber, formatPct, plural } from "./format.ts";

Deno.test("formatters keep the SQL value, only grouped and trimmed; money in whole units", () => {
  assert.equal(formatNumber(12999), "12,999");
  assert.equal(formatNumber(1333.33), "1,333.33");
  assert.equal(formatNumber(1333.3), "1,333.30");
  assert.equal(formatNumber(null), "n/a");
  assert.equal(formatMoney(12999, "USD"), "$12,999");
  assert.equal(formatMoney(36484.9, "USD"), "$36,485");
  assert.equal(formatMoney(1333.33, "INR"), "₹1,333");
  assert.equal(formatMoney(-5.5, "EUR"), "-€6");
  assert.equal(formatMoney(10, "CHF"), "CHF 10");
  assert.equal(formatPct(40), "40%");
  assert.equal(formatPct(66.67), "66.67%");
  assert.equal(formatChange(200), "+200%");
  assert.equal(formatChange(-66.67), "-66.67%");
  assert.equal(formatChange(null), "n/a");
  assert.equal(formatDay("2026-03-04"), "4 Mar");
  assert.equal(formatDay("2025-12-31", true), "31 Dec 2025");
  assert.equal(plural(1, "deal"), "1 deal");
  assert.equal(plural(2000, "deal"), "2,000 deals");
});
