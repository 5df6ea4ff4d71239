/**
 * Changes made while a sync runs: create, update, delete (recycle or permanent, cascading Notes),
 * restore from the recycle bin, convert a lead, add a custom field.
 */
import { dollarKeys, dt, idOf, userRef } from "../dataset/context.ts";
import { activityParent } from "../dataset/gen_activities.ts";
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";
import { recordId } from "../dataset/ids.ts";
import { STAGE_HISTORY_CODE } from "../dataset/modules.ts";
import { ZohoError } from "../sim/errors.ts";
import { displayName, type RecordStore, RECYCLE_DAYS } from "./record_store.ts";

const DAY = 86400;

function notFound(module: string, id: string): ZohoError {
  return new ZohoError(400, "INVALID_DATA", `the id given seems to be invalid: ${module} ${id}`, {
    id,
  });
}

/** Mutation API over a store; `now` comes from the simulator clock. */
export class Mutations {
  #stageSeq = 0;
  constructor(
    readonly store: RecordStore,
    readonly clock: () => number,
    readonly restoreBumpsModifiedTime: () => boolean,
  ) {}

  #liveIndex(module: string, id: string): number {
    const i = this.store.indexOf(module, id);
    if (i === null || !this.store.isLive(module, i)) throw notFound(module, id);
    return i;
  }

  /** Creates a record and returns it in full. */
  create(module: string, values: Record<string, unknown> = {}, user = 1): ZohoRecord {
    const s = this.store.state(module);
    const index = s.base + s.extra;
    s.extra++;
    const now = this.clock();
    const rec: ZohoRecord = {
      Owner: userRef(user),
      Created_By: userRef(user),
      Modified_By: userRef(user),
      Created_Time: dt(this.store.dataset.ctx, now),
      Modified_Time: dt(this.store.dataset.ctx, now),
      Tag: [],
      Record_Status__s: "Available",
      Locked__s: false,
      ...(module === "Leads"
        ? { Converted__s: false, $converted: false, $converted_detail: {} }
        : {}),
      ...dollarKeys(),
      ...values,
      id: idOf(module, index),
    };
    if (module === "Leads" && rec.Full_Name === undefined) {
      rec.Full_Name = [rec.First_Name, rec.Last_Name].filter((x) => x).join(" ");
    }
    s.overrides.set(index, { rec, created: now, modified: now });
    s.version++;
    return this.store.record(module, index, now);
  }

  /** Updates fields; bumps Modified_Time unless `bump` is false (formula-style silent change). */
  update(
    module: string,
    id: string,
    patch: Record<string, unknown>,
    bump = true,
    user = 1,
  ): ZohoRecord {
    const i = this.#liveIndex(module, id);
    const s = this.store.state(module);
    const now = this.clock();
    const times = this.store.times(module, i);
    const current = this.store.record(module, i, now);
    const rec: ZohoRecord = { ...current, ...patch, id };
    if (module === "Deals" && patch.Stage !== undefined && patch.Stage !== current.Stage) {
      this.#recordStage(i, current, rec, now, user);
    }
    const modified = bump ? now : times.modified;
    if (bump) {
      rec.Modified_Time = dt(this.store.dataset.ctx, now);
      rec.Modified_By = userRef(user);
    }
    s.overrides.set(i, { rec, created: times.created, modified });
    s.version++;
    return this.store.record(module, i, now);
  }

  /** Appends a Stage_History row when a deal moves stage. */
  #recordStage(i: number, before: ZohoRecord, after: ZohoRecord, now: number, user: number): void {
    const s = this.store.state("Deals");
    const rows = (s.stageRows ??= new Map()).get(i) ?? [];
    const ctx = this.store.dataset.ctx;
    rows.push({
      id: recordId(STAGE_HISTORY_CODE, (s.base + 1) * 16 + ++this.#stageSeq),
      Stage: after.Stage,
      Amount: after.Amount ?? null,
      Probability: after.Probability ?? null,
      Expected_Revenue: after.Expected_Revenue ?? null,
      Closing_Date: after.Closing_Date ?? null,
      Duration_Days: 0,
      Moved_To__s: null,
      Modified_Time: dt(ctx, now),
      Modified_By: userRef(user),
      $previous_stage: before.Stage,
    });
    s.stageRows.set(i, rows);
  }

  /** Deletes to the recycle bin (or permanently); the parent's Notes vanish without tombstones. */
  delete(module: string, id: string, permanent = false, user = 1): void {
    const i = this.#liveIndex(module, id);
    const s = this.store.state(module);
    const now = this.clock();
    const rec = this.store.record(module, i, now);
    s.deleted.set(i, {
      index: i,
      deletedAt: now,
      byUser: user,
      displayName: displayName(module, rec),
      createdBy: {
        name: (rec.Created_By as { name: string }).name,
        id: (rec.Created_By as { id: string }).id,
      },
      permanent,
    });
    s.version++;
    if (module !== "Notes") this.#cascadeNotes(module, id);
  }

  #cascadeNotes(module: string, id: string): void {
    const notes = this.store.state("Notes");
    const total = notes.base + notes.extra;
    const parentIndex = this.store.indexOf(module, id);
    for (let j = 0; j < total; j++) {
      const o = notes.overrides.get(j);
      let hit: boolean;
      if (o) hit = (o.rec.Parent_Id as { id?: string } | null)?.id === id;
      else if (j < notes.base && (module === "Leads" || module === "Deals")) {
        const p = activityParent(this.store.dataset.ctx, "Notes", j);
        hit = p.module === module && p.index === parentIndex;
      } else hit = false;
      if (hit) notes.purged.add(j);
    }
    notes.version++;
  }

  /** Restores a record from the recycle bin: the same id comes back. */
  restore(module: string, id: string): ZohoRecord {
    const i = this.store.indexOf(module, id);
    const now = this.clock();
    const t = i === null ? null : this.store.tombstone(module, i);
    if (i === null || !t || t.permanent || now - t.deletedAt >= RECYCLE_DAYS * DAY) {
      throw new ZohoError(400, "INVALID_DATA", "the record is not in the recycle bin", { id });
    }
    const s = this.store.state(module);
    if (!s.deleted.delete(i)) s.restored.add(i);
    s.version++;
    if (this.restoreBumpsModifiedTime()) return this.update(module, id, {});
    return this.store.record(module, i, now);
  }

  /** Converts a lead: creates contact, account and deal and links them in $converted_detail. */
  convert(leadId: string, user = 1): { contact: string; account: string; deal: string } {
    const i = this.#liveIndex("Leads", leadId);
    const now = this.clock();
    if (this.store.converted("Leads", i)) {
      throw new ZohoError(400, "ALREADY_CONVERTED", "the lead has already been converted", {
        id: leadId,
      });
    }
    const lead = this.store.record("Leads", i, now);
    const ctx = this.store.dataset.ctx;
    const company = String(lead.Company ?? `${lead.Last_Name} Household`);
    const account = this.create(
      "Accounts",
      { Account_Name: company, Account_Type: "Homeowner" },
      user,
    );
    const accountRef = { name: company, id: account.id };
    const fullName = String(lead.Full_Name ?? lead.Last_Name);
    const contact = this.create("Contacts", {
      First_Name: lead.First_Name,
      Last_Name: lead.Last_Name,
      Full_Name: fullName,
      Email: lead.Email,
      Phone: lead.Phone,
      Lead_Source: lead.Lead_Source,
      Account_Name: accountRef,
    }, user);
    const dealName = `${lead.Last_Name} - Smart Home Project`;
    const deal = this.create("Deals", {
      Deal_Name: dealName,
      Stage: "Qualification",
      Probability: 10,
      Amount: lead.Estimated_Budget ?? 1000,
      Closing_Date: dt(ctx, now + 30 * DAY).slice(0, 10),
      Lead_Source: lead.Lead_Source,
      Account_Name: accountRef,
      Contact_Name: { name: fullName, id: contact.id },
      Pipeline: "Standard (Standard)",
      Installed_Devices: [],
    }, user);
    const refs = {
      Contact: { name: fullName, id: contact.id },
      Account: accountRef,
      Deal: { name: dealName, id: deal.id },
    };
    this.update(
      "Leads",
      leadId,
      {
        Converted__s: true,
        $converted: true,
        Converted_Date_Time: dt(ctx, now),
        Converted_Account: refs.Account,
        Converted_Contact: refs.Contact,
        Converted_Deal: refs.Deal,
        $converted_detail: { ...refs, converted_time: dt(ctx, now), converted_by: userRef(user) },
      },
      true,
      user,
    );
    return { contact: contact.id, account: account.id, deal: deal.id };
  }

  /** Adds a custom field; existing records read `valueOf(index)` (default null) without a bump. */
  addField(module: string, field: FieldDef, valueOf?: (index: number) => unknown): void {
    const s = this.store.state(module);
    s.fields.push({ custom: true, ...field });
    if (valueOf) s.fieldValues.set(field.api_name, valueOf);
    // The module's modified_time in /settings/modules moves with its layout and fields.
    s.metaModifiedAt = this.clock();
    s.version++;
  }
}
