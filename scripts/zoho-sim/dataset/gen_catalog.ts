/** Campaigns (with Budgeted_Cost/Actual_Cost), Products, Installers and the Installers_X_Deals links. */
import { INSTALLER_REGIONS, PRODUCTS, USERS } from "./catalog.ts";
import { date, dollarKeys, type GenContext, idOf, lookup, systemValues } from "./context.ts";
import { dealName } from "./gen_leads.ts";
import { dealTimes } from "./gen_deals.ts";
import { ANCHOR, HISTORY_START, MONTH_SECONDS } from "./plan.ts";
import { hash, Rng } from "./rng.ts";
import type { RecordTimes, ZohoRecord } from "./types.ts";

const DAY = 86400;
const MONTH_NAMES = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

function campaignWindow(c: number): { start: number; end: number; channel: string } {
  if (c < 72) {
    const start = HISTORY_START + Math.floor(c / 2) * MONTH_SECONDS;
    return {
      start,
      end: start + MONTH_SECONDS - DAY,
      channel: c % 2 === 0 ? "Facebook" : "Google Ads",
    };
  }
  const start = HISTORY_START + (c - 72) * 3 * MONTH_SECONDS + 40 * DAY;
  return { start, end: start + 3 * DAY, channel: "Trade Show" };
}

/** Campaign name, used by lookups from leads and deals. */
export function campaignName(c: number): string {
  const { start, channel } = campaignWindow(c);
  const d = new Date(start * 1000);
  const when = `${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return channel === "Trade Show" ? `Home Tech Expo ${when}` : `${channel} - ${when}`;
}

export function campaignTimes(_ctx: GenContext, c: number): RecordTimes {
  const { start, end } = campaignWindow(c);
  const created = Math.floor(start - 14 * DAY);
  return { created, modified: Math.floor(Math.min(ANCHOR, end + 2 * DAY)) };
}

export function genCampaign(ctx: GenContext, c: number): ZohoRecord {
  const r = new Rng(hash(ctx.plan.seed, 50, c));
  const { start, end, channel } = campaignWindow(c);
  const { created, modified } = campaignTimes(ctx, c);
  const growth = 1 + (start - HISTORY_START) / (3 * 365 * DAY);
  const budget = channel === "Trade Show"
    ? 12000 + r.int(13) * 1000
    : Math.round((2500 + r.int(40) * 100) * growth);
  const done = end < ANCHOR;
  const running = start <= ANCHOR && !done;
  const spent = done
    ? Math.round(budget * (0.85 + r.next() * 0.3))
    : running
    ? Math.round(budget * 0.5)
    : 0;
  return {
    id: idOf("Campaigns", c),
    Campaign_Name: campaignName(c),
    Type: channel === "Trade Show" ? "Trade Show" : "Advertisement",
    Status: done ? "Complete" : running ? "Active" : "Planning",
    Start_Date: date(ctx, start),
    End_Date: date(ctx, end),
    Budgeted_Cost: budget,
    Actual_Cost: spent,
    Expected_Revenue: budget * (channel === "Trade Show" ? 6 : 4),
    Expected_Response: r.range(50, 400),
    Num_sent: channel === "Trade Show" ? 0 : r.range(5000, 60000),
    Description: null,
    ...systemValues(ctx, 1, created, modified),
    Channel: channel,
    ...dollarKeys(),
  };
}

export function productTimes(_ctx: GenContext, p: number): RecordTimes {
  const created = HISTORY_START - 30 * DAY + p * 3600;
  return { created, modified: created + (p % 3) * 200 * DAY };
}

export function genProduct(ctx: GenContext, p: number): ZohoRecord {
  const [name, category, price] = PRODUCTS[p] ?? ["Unknown", "Service", 0];
  const { created, modified } = productTimes(ctx, p);
  return {
    id: idOf("Products", p),
    Product_Name: name,
    Product_Code: `AHA-${String(p + 1).padStart(3, "0")}`,
    Product_Category: category,
    Unit_Price: price,
    Product_Active: true,
    Qty_in_Stock: 20 + (hash(ctx.plan.seed, 51, p) % 200),
    Taxable: true,
    Description: null,
    ...systemValues(ctx, 0, created, modified),
    ...dollarKeys(),
  };
}

export function installerTimes(_ctx: GenContext, n: number): RecordTimes {
  const created = HISTORY_START - 60 * DAY + n * 7 * DAY;
  return { created, modified: created + 86400 };
}

export function genInstaller(ctx: GenContext, n: number): ZohoRecord {
  const { created, modified } = installerTimes(ctx, n);
  const user = USERS[n % USERS.length] as (typeof USERS)[number];
  return {
    id: idOf("Installers", n),
    Name: `Installer ${n + 1} (${user.first})`,
    Email: `installer${n + 1}@ahasmarthomes.example`,
    Region: INSTALLER_REGIONS[n % INSTALLER_REGIONS.length],
    Certification_Level: n % 4 === 0 ? "Master" : n % 2 === 0 ? "Level 2" : "Level 1",
    Active: n !== 11,
    ...systemValues(ctx, 0, created, modified),
    ...dollarKeys(),
  };
}

export function linkTimes(ctx: GenContext, j: number): RecordTimes {
  const created = Math.min(ANCHOR, dealTimes(ctx, j).created + 3600);
  return { created, modified: created };
}

export function genLink(ctx: GenContext, j: number): ZohoRecord {
  const installer = hash(ctx.plan.seed, 52, j) % 12;
  const { created, modified } = linkTimes(ctx, j);
  return {
    id: idOf("Installers_X_Deals", j),
    Installer: lookup("Installers", installer, genInstaller(ctx, installer).Name as string),
    Deal: lookup("Deals", j, dealName(ctx, j)),
    Role: "Surveyor",
    ...systemValues(ctx, 1, created, modified),
    ...dollarKeys(),
  };
}
