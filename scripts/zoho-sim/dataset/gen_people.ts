/** Contacts and Accounts created by lead conversions, plus contacts added directly to accounts. */
import { CITIES, FIRST_NAMES, LAST_NAMES, STREETS } from "./catalog.ts";
import { dollarKeys, dt, type GenContext, idOf, lookup, ownerOf, systemValues } from "./context.ts";
import { accountName, leadConvertedAt, leadPerson } from "./gen_leads.ts";
import {
  accountOfConversion,
  ANCHOR,
  convertedLeadIndex,
  firstConversionOfAccount,
} from "./plan.ts";
import { hash, Rng } from "./rng.ts";
import type { RecordTimes, ZohoRecord } from "./types.ts";

const DAY = 86400;

function editedLater(seed: number, tag: number, i: number, created: number): number {
  const h = hash(seed, tag, i);
  return h % 3 === 0 ? created : Math.min(ANCHOR, created + (h % (90 * DAY)));
}

export function accountTimes(ctx: GenContext, a: number): RecordTimes {
  const lead = convertedLeadIndex(ctx.plan, firstConversionOfAccount(ctx.plan, a));
  const created = leadConvertedAt(ctx, lead);
  return { created, modified: editedLater(ctx.plan.seed, 40, a, created) };
}

/** Account of contact k: its conversion's account, or a hashed one for direct contacts. */
export function accountOfContact(ctx: GenContext, k: number): number {
  const plan = ctx.plan;
  return k < plan.conversions
    ? accountOfConversion(plan, k)
    : hash(plan.seed, 41, k) % plan.accounts;
}

export function contactTimes(ctx: GenContext, k: number): RecordTimes {
  const plan = ctx.plan;
  let created: number;
  if (k < plan.conversions) created = leadConvertedAt(ctx, convertedLeadIndex(plan, k));
  else {
    const base = accountTimes(ctx, accountOfContact(ctx, k)).created;
    created = Math.min(ANCHOR, base + DAY * (1 + (hash(plan.seed, 42, k) % 200)));
  }
  return { created, modified: editedLater(plan.seed, 43, k, created) };
}

/** Person name of contact k. */
export function contactName(ctx: GenContext, k: number): { first: string; last: string } {
  if (k < ctx.plan.conversions) return leadPerson(ctx, convertedLeadIndex(ctx.plan, k));
  const h = hash(ctx.plan.seed, 44, k);
  return {
    first: FIRST_NAMES[h % FIRST_NAMES.length] as string,
    last: LAST_NAMES[(h >>> 8) % LAST_NAMES.length] as string,
  };
}

export function genContact(ctx: GenContext, k: number): ZohoRecord {
  const r = new Rng(hash(ctx.plan.seed, 45, k));
  const { created, modified } = contactTimes(ctx, k);
  const p = contactName(ctx, k);
  const a = accountOfContact(ctx, k);
  const city = r.pick(CITIES);
  return {
    id: idOf("Contacts", k),
    First_Name: p.first,
    Last_Name: p.last,
    Full_Name: `${p.first} ${p.last}`,
    Account_Name: lookup("Accounts", a, accountName(ctx, a)),
    Email: `${p.first}.${p.last}.c${k}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ""),
    Phone: `+1 ${city[2]}-${r.range(200, 999)}-${r.range(1000, 9999)}`,
    Mobile: r.chance(0.8) ? `+1 ${city[2]}-555-${r.range(1000, 9999)}` : null,
    Lead_Source: r.pick(["Facebook", "Google Ads", "Website", "Referral", "Trade Show", "Partner"]),
    Mailing_Street: `${r.range(10, 9999)} ${r.pick(STREETS)}`,
    Mailing_City: city[0],
    Mailing_State: city[1],
    Mailing_Zip: `${city[2]}${r.range(10, 99)}`,
    Email_Opt_Out: r.chance(0.04),
    Date_of_Birth: null,
    Description: null,
    Last_Activity_Time: dt(ctx, modified),
    ...systemValues(ctx, ownerOf(hash(ctx.plan.seed, 46, k)), created, modified),
    Preferred_Channel: r.pick(["Phone", "Email", "SMS", "WhatsApp"]),
    ...dollarKeys(),
  };
}

export function genAccount(ctx: GenContext, a: number): ZohoRecord {
  const r = new Rng(hash(ctx.plan.seed, 47, a));
  const { created, modified } = accountTimes(ctx, a);
  const name = accountName(ctx, a);
  const city = r.pick(CITIES);
  return {
    id: idOf("Accounts", a),
    Account_Name: name,
    Account_Number: `AC-${String(a + 1).padStart(6, "0")}`,
    Account_Type: name.endsWith("Management") ? "Landlord" : "Homeowner",
    Industry: name.endsWith("Management") ? "Property Management" : "Residential",
    Phone: `+1 ${city[2]}-${r.range(200, 999)}-${r.range(1000, 9999)}`,
    Website: null,
    Billing_Street: `${r.range(10, 9999)} ${r.pick(STREETS)}`,
    Billing_City: city[0],
    Billing_State: city[1],
    Billing_Code: `${city[2]}${r.range(10, 99)}`,
    Annual_Revenue: null,
    Employees: null,
    Rating: "Active",
    Description: null,
    Last_Activity_Time: dt(ctx, modified),
    ...systemValues(ctx, ownerOf(hash(ctx.plan.seed, 48, a)), created, modified),
    Lifetime_Value: null,
    Service_Plan: r.chance(0.3),
    ...dollarKeys(),
  };
}
