/**
 * Live records: the generated base dataset plus small overlays of what happened since the
 * simulation started (created, edited, deleted, restored, converted records and added fields).
 * Base records are never held in memory; only overlays are.
 */
import { type Dataset, finish } from "../dataset/dataset.ts";
import { decodeId } from "../dataset/ids.ts";
import { moduleByCode, moduleByName } from "../dataset/modules.ts";
import type { FieldDef, RecordTimes, ZohoRecord } from "../dataset/types.ts";

/** Recycle-bin retention (recycle-bin help page). */
export const RECYCLE_DAYS = 60;

/** A deleted record as /deleted reports it. */
export interface Tombstone {
  index: number;
  deletedAt: number;
  byUser: number;
  displayName: string;
  createdBy: { name: string; id: string };
  /** Deleted straight to permanent (e.g. emptied from the recycle bin). */
  permanent: boolean;
}

export interface Override {
  rec: ZohoRecord;
  created: number;
  modified: number;
}

/** Overlay state of one module. */
export interface ModuleState {
  base: number;
  extra: number;
  overrides: Map<number, Override>;
  deleted: Map<number, Tombstone>;
  restored: Set<number>;
  purged: Set<number>;
  fields: FieldDef[];
  fieldValues: Map<string, (index: number) => unknown>;
  version: number;
  /** When the module's metadata last changed (a field added), epoch seconds. */
  metaModifiedAt?: number;
  baseDeleted?: Int32Array;
  /** Stage_History rows added by stage changes during the simulation, oldest first. */
  stageRows?: Map<number, ZohoRecord[]>;
}

/** Base dataset plus overlays, per module. */
export class RecordStore {
  readonly #states = new Map<string, ModuleState>();

  constructor(readonly dataset: Dataset) {}

  /** Overlay state of a module (created on first use). */
  state(module: string): ModuleState {
    let s = this.#states.get(module);
    if (!s) {
      s = {
        base: this.dataset.count(module),
        extra: 0,
        overrides: new Map(),
        deleted: new Map(),
        restored: new Set(),
        purged: new Set(),
        fields: [],
        fieldValues: new Map(),
        version: 0,
      };
      this.#states.set(module, s);
    }
    return s;
  }

  total(module: string): number {
    const s = this.state(module);
    return s.base + s.extra;
  }

  /** Resolves a record id of `module` to its index, or null. */
  indexOf(module: string, id: string): number | null {
    const decoded = decodeId(id);
    if (!decoded || moduleByCode(decoded.code)?.api_name !== module) return null;
    return decoded.index < this.total(module) ? decoded.index : null;
  }

  times(module: string, i: number): RecordTimes {
    const o = this.state(module).overrides.get(i);
    return o ? { created: o.created, modified: o.modified } : this.dataset.times(module, i);
  }

  /** The tombstone of a deleted record, or null when the record is live or gone without one. */
  tombstone(module: string, i: number): Tombstone | null {
    const s = this.state(module);
    const t = s.deleted.get(i);
    if (t) return t;
    if (i >= s.base || s.restored.has(i)) return null;
    const d = this.dataset.deletion(module, i);
    if (!d) return null;
    const rec = this.dataset.record(module, i);
    return {
      index: i,
      deletedAt: d.deletedAt,
      byUser: d.byUser,
      displayName: displayName(module, rec),
      createdBy: {
        name: (rec.Created_By as { name: string }).name,
        id: (rec.Created_By as { id: string }).id,
      },
      permanent: false,
    };
  }

  /** True when the record exists and is not deleted. */
  isLive(module: string, i: number): boolean {
    const s = this.state(module);
    if (i < 0 || i >= s.base + s.extra || s.purged.has(i) || s.deleted.has(i)) return false;
    if (i >= s.base || s.restored.has(i)) return true;
    return this.dataset.deletion(module, i) === null;
  }

  converted(module: string, i: number): boolean {
    const o = this.state(module).overrides.get(i);
    return o ? o.rec.Converted__s === true : this.dataset.converted(module, i);
  }

  pendingApproval(module: string, i: number): boolean {
    const o = this.state(module).overrides.get(i);
    if (o) return o.rec.$approval_state !== undefined && o.rec.$approval_state !== "approved";
    return this.dataset.pendingApproval(module, i);
  }

  /** The full current record (formulas evaluated at `now`), regardless of deletion. */
  record(module: string, i: number, now: number): ZohoRecord {
    const s = this.state(module);
    const o = s.overrides.get(i);
    const rec = o
      ? finish(module, structuredClone(o.rec), now)
      : this.dataset.record(module, i, now);
    for (const field of s.fields) {
      if (!(field.api_name in rec) || rec[field.api_name] === undefined) {
        rec[field.api_name] = s.fieldValues.get(field.api_name)?.(i) ?? null;
      }
    }
    return rec;
  }

  /** Field definitions: the registry plus fields added during the simulation. */
  fields(module: string): FieldDef[] {
    return [...(moduleByName(module)?.fields ?? []), ...this.state(module).fields];
  }

  /** Indexes of base records deleted before the simulation started (computed once, lazily). */
  baseDeleted(module: string): Int32Array {
    const s = this.state(module);
    if (!s.baseDeleted) {
      const out: number[] = [];
      if (module === "Leads") {
        for (let i = 0; i < s.base; i++) if (this.dataset.deletion(module, i)) out.push(i);
      }
      s.baseDeleted = Int32Array.from(out);
    }
    return s.baseDeleted;
  }

  /** Every tombstone of a module (base and runtime), newest deletion first. */
  tombstones(module: string): Tombstone[] {
    const s = this.state(module);
    const out: Tombstone[] = [];
    for (const i of this.baseDeleted(module)) {
      if (!s.deleted.has(i) && !s.restored.has(i)) {
        const t = this.tombstone(module, i);
        if (t) out.push(t);
      }
    }
    out.push(...s.deleted.values());
    return out.sort((a, b) => b.deletedAt - a.deletedAt || b.index - a.index);
  }
}

/** Name shown for a record in lookups and deleted lists. */
export function displayName(module: string, rec: ZohoRecord): string {
  const field = moduleByName(module)?.displayField ?? "id";
  const value = rec[field];
  return typeof value === "string" ? value : rec.id;
}
