/** Leads of AHA Smart Homes: seasonal arrival, source mix, conversions, deletions, approvals. */
import {
  CITIES,
  ECOSYSTEMS,
  FIRST_NAMES,
  HOME_TYPES,
  LAST_NAMES,
  LEAD_STATUSES,
  SOURCE_WEIGHTS_CONVERTED,
  SOURCE_WEIGHTS_OPEN,
  STREETS,
} from "./catalog.ts";
import {
  date,
  dollarKeys,
  dt,
  type GenContext,
  idOf,
  lookup,
  ownerOf,
  systemValues,
  userRef,
} from "./context.ts";
import {
  accountOfConversion,
  ANCHOR,
  conversionOfLead,
  convertedLeadIndex,
  firstConversionOfAccount,
  monthOf,
  timelineAt,
} from "./plan.ts";
import { hash, Rng, unit } from "./rng.ts";
import type { BaseDeletion, RecordTimes, ZohoRecord } from "./types.ts";

const DAY = 86400;

/** Creation time of lead i: a monotone seasonal timeline, with occasional same-second imports. */
export function leadCreated(ctx: GenContext, i: number): number {
  const n = ctx.plan.leads;
  const block = Math.floor(i / 25);
  const j = hash(ctx.plan.seed, 11, block) % 20 === 0 ? block * 25 : i;
  return timelineAt((j + 0.5) / n);
}

/** Conversion time of lead i (only meaningful for converted leads). */
export function leadConvertedAt(ctx: GenContext, i: number): number {
  const created = leadCreated(ctx, i);
  const delay = 3600 + (hash(ctx.plan.seed, 16, i) % (30 * DAY));
  return Math.max(created, Math.min(ANCHOR - 60, created + delay));
}

/** Created/modified times of lead i without building the record. */
export function leadTimes(ctx: GenContext, i: number): RecordTimes {
  const created = leadCreated(ctx, i);
  if (conversionOfLead(ctx.plan, i) >= 0) return { created, modified: leadConvertedAt(ctx, i) };
  const seed = ctx.plan.seed;
  let modified = created;
  if (unit(seed, 12, i) >= 0.4) {
    modified = Math.min(ANCHOR, created + Math.floor(-Math.log(1 - unit(seed, 17, i)) * 20 * DAY));
  }
  const block = Math.floor(i / 50);
  if (hash(seed, 18, block) % 10 === 0) {
    // A mass update touched this whole block in the same second.
    const mass = Math.min(ANCHOR, timelineAt((block * 50 + 49.5) / ctx.plan.leads) + 3 * DAY);
    if (mass >= created) modified = mass;
  }
  return { created, modified };
}

/** Base deletion of lead i (1% of unconverted leads), or null. */
export function leadDeletion(ctx: GenContext, i: number): BaseDeletion | null {
  const seed = ctx.plan.seed;
  if (hash(seed, 13, i) % 100 !== 0 || conversionOfLead(ctx.plan, i) >= 0) return null;
  const { modified } = leadTimes(ctx, i);
  const deletedAt = Math.min(ANCHOR - 3600, modified + DAY * (1 + (hash(seed, 19, i) % 200)));
  return deletedAt <= modified ? null : { deletedAt, byUser: 1 };
}

/** Whether lead i waits in an approval process (hidden by approved=true). */
export function leadPendingApproval(ctx: GenContext, i: number): boolean {
  return conversionOfLead(ctx.plan, i) < 0 && hash(ctx.plan.seed, 14, i) % 250 === 1;
}

/** Source of lead i; converted leads lean to referrals and search. */
export function leadSource(ctx: GenContext, i: number): string {
  const weights = conversionOfLead(ctx.plan, i) >= 0
    ? SOURCE_WEIGHTS_CONVERTED
    : SOURCE_WEIGHTS_OPEN;
  return new Rng(hash(ctx.plan.seed, 15, i)).weighted(weights);
}

/** First and last name of the person behind lead i. */
export function leadPerson(ctx: GenContext, i: number): { first: string; last: string } {
  const h = hash(ctx.plan.seed, 20, i);
  return {
    first: FIRST_NAMES[h % FIRST_NAMES.length] as string,
    last: LAST_NAMES[(h >>> 8) % LAST_NAMES.length] as string,
  };
}

/** Name of account a, taken from the lead whose conversion created it. */
export function accountName(ctx: GenContext, a: number): string {
  const lead = convertedLeadIndex(ctx.plan, firstConversionOfAccount(ctx.plan, a));
  const last = leadPerson(ctx, lead).last;
  return hash(ctx.plan.seed, 22, a) % 10 === 0
    ? `${last} Property Management`
    : `${last} Household`;
}

/** Name of deal k. */
export function dealName(ctx: GenContext, k: number): string {
  return `${leadPerson(ctx, convertedLeadIndex(ctx.plan, k)).last} - Smart Home Project`;
}

/** Campaign index a lead of this source and creation time came from, or -1. */
export function campaignOfLead(source: string, created: number): number {
  const month = monthOf(created);
  if (source === "Facebook") return 2 * month;
  if (source === "Google Ads") return 2 * month + 1;
  if (source === "Trade Show") return 72 + Math.floor(month / 3);
  return -1;
}

const SURVEY_TEXT = "Site survey: walked the property with the homeowner, checked Wi-Fi coverage " +
  "in every room, noted existing devices and wiring closets, discussed phased rollout and budget. ";

/** The full lead record as a single-record GET returns it (formula fields excluded). */
export function genLead(
  ctx: GenContext,
  i: number,
  campaignName: (c: number) => string,
): ZohoRecord {
  const seed = ctx.plan.seed;
  const r = new Rng(hash(seed, 10, i));
  const { created, modified } = leadTimes(ctx, i);
  const person = leadPerson(ctx, i);
  const source = leadSource(ctx, i);
  const k = conversionOfLead(ctx.plan, i);
  const owner = ownerOf(hash(seed, 21, i));
  const city = r.pick(CITIES);
  const email = `${person.first}.${person.last}${i}@example.com`.toLowerCase().replace(
    /[^a-z0-9.@]/g,
    "",
  );
  const campaign = campaignOfLead(source, created);
  const homeType = r.pick(HOME_TYPES);
  const longNotes = r.chance(0.1);
  const converted = k >= 0;
  const full = `${person.first} ${person.last}`;
  const company = `${person.last} Household`;
  const account = converted ? accountOfConversion(ctx.plan, k) : -1;
  const status = converted
    ? r.pick(["Contacted", "Pre-Qualified"])
    : r.weighted(LEAD_STATUSES.map((s, n) => [s, n < 4 ? 4 : 1] as const));
  const convertedAt = converted ? leadConvertedAt(ctx, i) : 0;
  const rec: ZohoRecord = {
    id: idOf("Leads", i),
    Lead_Number: `LD-${String(i + 1).padStart(7, "0")}`,
    Salutation: r.pick(["Mr.", "Mrs.", "Ms.", "Dr.", null]),
    First_Name: person.first,
    Last_Name: person.last,
    Full_Name: full,
    Company: company,
    Designation: r.chance(0.2) ? "Homeowner" : null,
    Email: email,
    Secondary_Email: null,
    Phone: `+1 ${city[2]}-${String(r.range(200, 999))}-${String(r.range(1000, 9999))}`,
    Mobile: r.chance(0.7) ? `+1 ${city[2]}-555-${String(r.range(1000, 9999))}` : null,
    Fax: null,
    Website: null,
    Twitter: null,
    Skype_ID: null,
    Lead_Source: source,
    Lead_Status: status,
    Industry: r.chance(0.9) ? "Residential" : "Property Management",
    No_of_Employees: null,
    Annual_Revenue: null,
    Rating: r.pick(["Hot", "Warm", "Cold", null]),
    Email_Opt_Out: r.chance(0.05),
    Street: `${r.range(10, 9999)} ${r.pick(STREETS)}`,
    City: city[0],
    State: city[1],
    Zip_Code: `${city[2]}${String(r.range(10, 99))}`,
    Country: "United States",
    Description: longNotes
      ? SURVEY_TEXT.repeat(2 + r.int(6))
      : (r.chance(0.3) ? "<p>Asked about smart locks.</p>" : null),
    Last_Activity_Time: dt(ctx, modified),
    Converted__s: converted,
    Converted_Date_Time: converted ? dt(ctx, convertedAt) : null,
    Converted_Account: converted ? lookup("Accounts", account, accountName(ctx, account)) : null,
    Converted_Contact: converted ? lookup("Contacts", k, full) : null,
    Converted_Deal: converted ? lookup("Deals", k, dealName(ctx, k)) : null,
    Lead_Conversion_Time: converted ? Math.max(0, Math.floor((convertedAt - created) / DAY)) : null,
    Unsubscribed_Mode: null,
    Unsubscribed_Time: null,
    ...systemValues(ctx, owner, created, modified),
    Home_Type: homeType,
    Property_Size_Sqft: homeType === "Apartment" ? r.range(550, 1400) : r.range(1100, 5200),
    Bedrooms: r.range(1, 6),
    Interested_Products: [r.pick(["Locks", "Doorbells", "Thermostats", "Lighting", "Security"])],
    Budget_Range: r.pick([
      "< $500",
      "$500-$2,000",
      "$2,000-$10,000",
      "$10,000-$30,000",
      "> $30,000",
    ]),
    Install_Timeline: r.pick(["ASAP", "1-3 months", "3-6 months", "Just researching"]),
    Preferred_Contact_Time: r.pick(["Morning", "Afternoon", "Evening"]),
    Has_Existing_Smart_Devices: r.chance(0.45),
    Existing_Ecosystem: r.pick(ECOSYSTEMS),
    Wifi_Quality: r.pick(["Poor", "OK", "Good", "Excellent"]),
    Referral_Code: source === "Referral" ? `REF-${r.range(1000, 9999)}` : null,
    Referred_By: source === "Referral" ? `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}` : null,
    Source_Campaign: campaign >= 0 ? lookup("Campaigns", campaign, campaignName(campaign)) : null,
    UTM_Source: source === "Facebook" ? "facebook" : source === "Google Ads" ? "google" : null,
    UTM_Medium: source === "Facebook" || source === "Google Ads" ? "cpc" : null,
    UTM_Campaign: campaign >= 0 && campaign < 72 ? `aha-${monthOf(created)}` : null,
    Landing_Page: source === "Website" ? "https://ahasmarthomes.example/quote" : null,
    Form_Submitted_At: source === "Website" || source === "Facebook" ? dt(ctx, created) : null,
    Survey_Requested: r.chance(0.3),
    Survey_Date: r.chance(0.2) ? date(ctx, created + r.range(2, 14) * DAY) : null,
    Lead_Score: r.range(0, 100),
    Marketing_Consent: r.chance(0.6),
    Homeowner: homeType !== "Apartment",
    Move_In_Date: r.chance(0.1) ? date(ctx, created + r.range(10, 90) * DAY) : null,
    Solar_Interest: r.chance(0.15),
    Pets_At_Home: r.chance(0.4),
    Security_Concern_Level: r.pick(["Low", "Medium", "High"]),
    Call_Notes: r.chance(0.2) ? "Prefers text messages." : null,
    // bigint beyond 2^53: rendered as a raw JSON number, as Zoho does for bigint fields.
    External_Ref_Number: 9007199254740993n + BigInt(i),
    Estimated_Budget: Math.round(r.range(300, 60000) / 10) * 10,
    Discount_Percent: r.chance(0.2) ? r.pick([5, 10, 15]) : 0,
    ...dollarKeys(!leadPendingApproval(ctx, i)),
    $converted: converted,
    $converted_detail: converted
      ? {
        Contact: lookup("Contacts", k, full),
        Account: lookup("Accounts", account, accountName(ctx, account)),
        Deal: lookup("Deals", k, dealName(ctx, k)),
        converted_time: dt(ctx, convertedAt),
        converted_by: userRef(owner),
      }
      : {},
  };
  return rec;
}
