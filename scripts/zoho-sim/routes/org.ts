/**
 * /crm/v7/users and /crm/v7/org: small, static. `users?type=` filters as Zoho does (CurrentUser is
 * the token's owner: every simulator grant belongs to the org's primary user, who made the self
 * client); /org carries `zgid`, `primary_zuid` and the time zone as a zone name.
 */
import { Hono } from "hono";
import { COMPANY_NAME, USERS } from "../dataset/catalog.ts";
import { userRef } from "../dataset/context.ts";
import { ORG_PREFIX } from "../dataset/ids.ts";
import { ZohoError } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";
import { requireScope } from "./guards.ts";

/** The org's Zoho group id and the primary user (owner of every simulator grant). */
export const ORG_ZGID = "7" + ORG_PREFIX;
export const PRIMARY_USER = 0;
/** Users with the Administrator profile, and the one deactivated user. */
const ADMINS = new Set([0, 1]);
const DISABLED = new Set([7]);

export const zuidOf = (n: number) => `7${ORG_PREFIX}${String(100 + n)}`;

type User = Record<string, unknown> & {
  status: string;
  confirm: boolean;
  profile: { name: string };
};

/** Filters of `type`, as Zoho's Get Users documents them. */
const TYPES: Record<string, (u: User, n: number) => boolean> = {
  AllUsers: () => true,
  ActiveUsers: (u) => u.status === "active",
  DeactiveUsers: (u) => u.status === "disabled",
  ConfirmedUsers: (u) => u.confirm,
  NotConfirmedUsers: (u) => !u.confirm,
  DeletedUsers: (u) => u.status === "deleted",
  ActiveConfirmedUsers: (u) => u.status === "active" && u.confirm,
  AdminUsers: (u) => u.profile.name === "Administrator",
  ActiveConfirmedAdmins: (u) =>
    u.profile.name === "Administrator" && u.status === "active" && u.confirm,
  CurrentUser: (_u, n) => n === PRIMARY_USER,
};

/** A zone name for the org's UTC offset (Zoho's /org gives names such as "Asia/Kolkata"). */
const ZONES: Record<string, string> = {
  "+05:30": "Asia/Kolkata",
  "+00:00": "Europe/London",
  "+01:00": "Europe/Berlin",
  "+04:00": "Asia/Dubai",
  "+08:00": "Asia/Singapore",
  "+09:00": "Asia/Tokyo",
  "+10:00": "Australia/Brisbane",
  "-03:00": "America/Sao_Paulo",
  "-05:00": "America/New_York",
  "-06:00": "America/Chicago",
  "-07:00": "America/Phoenix",
  "-08:00": "America/Los_Angeles",
};

/** The org's zone name: the `orgTimeZone` option, else one matching its offset. */
export function orgZoneName(offset: string, explicit?: string): string {
  if (explicit) return explicit;
  const known = ZONES[offset];
  if (known) return known;
  const [, sign, hh, mm] = /^([+-])(\d{2}):(\d{2})$/.exec(offset) ?? [];
  // Etc/GMT zones carry the inverted sign (POSIX); only whole hours exist.
  if (mm === "00" && hh) return `Etc/GMT${sign === "+" ? "-" : "+"}${Number(hh)}`;
  return "UTC";
}

function users(): User[] {
  return USERS.map((u, n) => ({
    ...userRef(n),
    zuid: zuidOf(n),
    first_name: u.first,
    last_name: u.last,
    full_name: `${u.first} ${u.last}`,
    role: { name: u.role, id: `${ORG_PREFIX}8800000000${n}` },
    profile: {
      name: ADMINS.has(n) ? "Administrator" : "Standard",
      id: `${ORG_PREFIX}8900000000${ADMINS.has(n) ? 0 : 1}`,
    },
    status: DISABLED.has(n) ? "disabled" : "active",
    confirm: true,
  }));
}

export function orgRoutes(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.get("/users", (c) => {
    requireScope(state, c, ["ZohoCRM.users.READ", "ZohoCRM.users.ALL"]);
    const type = c.req.query("type") ?? "AllUsers";
    const keep = TYPES[type];
    if (!keep) {
      throw new ZohoError(400, "INVALID_DATA", "invalid data", { param_name: "type" });
    }
    const list = users().filter(keep);
    if (list.length === 0) return new Response(null, { status: 204 });
    return jsonResponse({
      users: list,
      info: { per_page: 200, count: list.length, page: 1, more_records: false },
    });
  });
  app.get("/org", (c) => {
    requireScope(state, c, ["ZohoCRM.org.READ", "ZohoCRM.org.ALL"]);
    const primary = userRef(PRIMARY_USER);
    return jsonResponse({
      org: [{
        id: `${ORG_PREFIX}000000000`,
        zgid: ORG_ZGID,
        primary_zuid: zuidOf(PRIMARY_USER),
        primary_email: primary.email,
        company_name: COMPANY_NAME,
        time_zone: orgZoneName(state.options.orgTimezoneOffset, state.options.orgTimeZone),
        currency: "US Dollar - USD",
        iso_code: "USD",
        currency_symbol: "$",
        currency_locale: "en_US",
        country_code: "US",
        domain_name: `org${ORG_PREFIX}`,
        mc_status: false,
        license_details: {
          paid: state.options.edition !== "free",
          paid_type: state.options.edition,
        },
      }],
    });
  });
  return app;
}
