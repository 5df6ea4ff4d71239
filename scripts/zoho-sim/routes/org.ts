/** /crm/v7/users and /crm/v7/org: small, static. */
import { Hono } from "hono";
import { COMPANY_NAME, USERS } from "../dataset/catalog.ts";
import { userRef } from "../dataset/context.ts";
import { ORG_PREFIX } from "../dataset/ids.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";
import { requireScope } from "./guards.ts";

export function orgRoutes(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.get("/users", (c) => {
    requireScope(state, c, ["ZohoCRM.users.READ"]);
    const users = USERS.map((u, n) => ({
      ...userRef(n),
      first_name: u.first,
      last_name: u.last,
      full_name: `${u.first} ${u.last}`,
      role: { name: u.role, id: `${ORG_PREFIX}8800000000${n}` },
      status: "active",
    }));
    return jsonResponse({
      users,
      info: { per_page: 200, count: users.length, page: 1, more_records: false },
    });
  });
  app.get("/org", (c) => {
    requireScope(state, c, ["ZohoCRM.org.READ"]);
    return jsonResponse({
      org: [{
        id: `${ORG_PREFIX}000000000`,
        company_name: COMPANY_NAME,
        time_zone: state.options.orgTimezoneOffset,
        currency: "US Dollar - USD",
        country_code: "US",
        domain_name: `org${ORG_PREFIX}`,
        license_details: {
          paid: state.options.edition !== "free",
          paid_type: state.options.edition,
        },
      }],
    });
  });
  return app;
}
