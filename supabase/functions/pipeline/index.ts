// Edge Function entrypoint: serves the Hono app (logic lives in app.ts and _shared/).
import { createApp } from "./app.ts";

Deno.serve(createApp().fetch);
