/** Calls, Tasks, Events (Meetings) and Notes, each attached to an existing lead or deal. */
import {
  date,
  dollarKeys,
  dt,
  type GenContext,
  idOf,
  lookup,
  ownerOf,
  systemValues,
} from "./context.ts";
import { contactName } from "./gen_people.ts";
import { dealName, leadCreated, leadDeletion, leadPerson } from "./gen_leads.ts";
import { dealTimes } from "./gen_deals.ts";
import { moduleByName } from "./modules.ts";
import { ANCHOR, HISTORY_DAYS, timelineAt } from "./plan.ts";
import { hash, Rng } from "./rng.ts";
import type { RecordTimes, ZohoRecord } from "./types.ts";

const DAY = 86400;
const TAGS: Record<string, number> = { Calls: 60, Tasks: 61, Events: 62, Notes: 63 };

function countOf(ctx: GenContext, module: string): number {
  const p = ctx.plan;
  return module === "Calls"
    ? p.calls
    : module === "Tasks"
    ? p.tasks
    : module === "Events"
    ? p.events
    : p.notes;
}

/**
 * Share of each module's activities on leads (the rest on deals): most calls and tasks are a
 * rep's first contact with a new lead, meetings come later in a deal.
 */
const LEAD_SHARE: Record<string, number> = { Calls: 0.8, Tasks: 0.6, Events: 0.4, Notes: 0.5 };

/**
 * The parent of activity j: a deal created well before it, else a live lead created at about
 * the same point of the timeline (so recent leads are contacted too, not only old ones).
 */
export function activityParent(
  ctx: GenContext,
  module: string,
  j: number,
): { module: "Leads" | "Deals"; index: number } {
  const plan = ctx.plan;
  const u = (j + 0.5) / Math.max(1, countOf(ctx, module));
  const h = hash(plan.seed, TAGS[module] ?? 64, j);
  const dealsBefore = Math.floor(Math.max(0, u - 50 / HISTORY_DAYS) * plan.deals);
  const onLead = (h % 1000) / 1000 < (LEAD_SHARE[module] ?? 0.5);
  if (!onLead && dealsBefore >= 1) return { module: "Deals", index: (h >>> 1) % dealsBefore };
  let lead = Math.max(0, Math.min(plan.leads - 1, Math.floor(u * plan.leads) - ((h >>> 10) % 3)));
  while (leadDeletion(ctx, lead) !== null && lead + 1 < plan.leads) lead++;
  return { module: "Leads", index: lead };
}

/**
 * Seconds from a lead's creation to activity j on it: a third within the hour, most within the
 * working day, a tail over days (first-contact studies: HBR's lead response audit).
 */
function firstTouchDelay(ctx: GenContext, module: string, j: number): number {
  const h = hash(ctx.plan.seed, (TAGS[module] ?? 64) + 20, j);
  const r = (h % 1000) / 1000;
  const x = ((h >>> 10) % 1000) / 1000;
  if (r < 0.35) return 300 + Math.floor(x * 3300);
  if (r < 0.7) return 3600 + Math.floor(x * 7 * 3600);
  if (r < 0.9) return 8 * 3600 + Math.floor(x * 40 * 3600);
  return 2 * DAY + Math.floor(x * 5 * DAY);
}

export function activityTimes(ctx: GenContext, module: string, j: number): RecordTimes {
  let created = timelineAt((j + 0.5) / Math.max(1, countOf(ctx, module)));
  const parent = activityParent(ctx, module, j);
  if (parent.module === "Deals") created = Math.max(created, dealTimes(ctx, parent.index).created);
  else {
    // Contact follows the lead's creation; a lead made minutes before "now" is reached sooner.
    const lead = leadCreated(ctx, parent.index);
    const delay = firstTouchDelay(ctx, module, j);
    created = lead + Math.min(delay, Math.floor((ANCHOR - lead) / 2));
  }
  const h = hash(ctx.plan.seed, 65, j);
  const modified = h % 2 === 0 ? created : Math.min(ANCHOR, created + (h % (5 * DAY)));
  return { created, modified: Math.max(created, modified) };
}

function parentRefs(ctx: GenContext, module: string, j: number) {
  const parent = activityParent(ctx, module, j);
  if (parent.module === "Deals") {
    const c = contactName(ctx, parent.index);
    return {
      parent,
      name: dealName(ctx, parent.index),
      what: lookup("Deals", parent.index, dealName(ctx, parent.index)),
      who: lookup("Contacts", parent.index, `${c.first} ${c.last}`),
    };
  }
  const p = leadPerson(ctx, parent.index);
  const name = `${p.first} ${p.last}`;
  return { parent, name, what: lookup("Leads", parent.index, name), who: null };
}

/** Full record of a Calls/Tasks/Events/Notes row. */
export function genActivity(ctx: GenContext, module: string, j: number): ZohoRecord {
  const r = new Rng(hash(ctx.plan.seed, (TAGS[module] ?? 64) + 10, j));
  const { created, modified } = activityTimes(ctx, module, j);
  const refs = parentRefs(ctx, module, j);
  const owner = ownerOf(hash(ctx.plan.seed, 66, j));
  const base: ZohoRecord = { id: idOf(module, j), ...systemValues(ctx, owner, created, modified) };
  const links = { What_Id: refs.what, Who_Id: refs.who, $se_module: refs.parent.module };
  if (module === "Calls") {
    const secs = r.range(20, 1800);
    return {
      ...base,
      Subject: `Call with ${refs.name}`,
      Call_Type: r.pick(["Outbound", "Outbound", "Inbound", "Missed"]),
      Call_Start_Time: dt(ctx, created),
      Call_Duration: `${String(Math.floor(secs / 60)).padStart(2, "0")}:${
        String(secs % 60).padStart(2, "0")
      }`,
      Call_Duration_in_seconds: secs,
      Call_Result: r.pick(["Interested", "Not interested", "No response", "Requested callback"]),
      Description: null,
      ...links,
      ...dollarKeys(),
    };
  }
  if (module === "Tasks") {
    const due = created + r.range(1, 7) * DAY;
    const done = due < ANCHOR && r.chance(0.85);
    return {
      ...base,
      Subject: r.pick(["Send quote", "Schedule site survey", "Follow up", "Confirm install date"]),
      Due_Date: date(ctx, due),
      Status: done ? "Completed" : r.pick(["Not Started", "In Progress", "Deferred"]),
      Priority: r.pick(["High", "Normal", "Normal", "Low"]),
      Closed_Time: done ? dt(ctx, modified) : null,
      Description: null,
      ...links,
      ...dollarKeys(),
    };
  }
  if (module === "Events") {
    const start = created + r.range(1, 10) * DAY + 3600 * r.range(0, 6);
    return {
      ...base,
      Event_Title: r.pick(["Site survey", "Design consultation", "Install day", "Showroom visit"]),
      Start_DateTime: dt(ctx, start),
      End_DateTime: dt(ctx, start + 3600 * r.range(1, 4)),
      Venue: r.chance(0.2) ? "AHA Showroom" : "Customer site",
      All_day: false,
      Description: null,
      ...links,
      ...dollarKeys(),
    };
  }
  const moduleId = `${moduleByName(refs.parent.module)?.code ?? 0}`;
  return {
    id: base.id,
    Note_Title: r.pick(["Call summary", "Survey notes", "Pricing discussion", null]),
    Note_Content: r.chance(0.05)
      ? "<div>Detailed survey: " + "rooms, sensors, wiring, hubs and network layout. ".repeat(15) +
        "</div>"
      : r.pick([
        "Customer asked for financing options.",
        "Prefers Apple Home.",
        "Has two dogs; motion sensors need pet mode.",
      ]),
    Parent_Id: {
      module: { api_name: refs.parent.module, id: moduleId },
      name: refs.name,
      id: refs.what.id,
    },
    $se_module: refs.parent.module,
    Owner: base.Owner,
    Created_By: base.Created_By,
    Modified_By: base.Modified_By,
    Created_Time: base.Created_Time,
    Modified_Time: base.Modified_Time,
    ...dollarKeys(),
  };
}
