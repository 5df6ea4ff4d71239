/** The `compute-metrics` function's HTTP app. */
import { createFunctionApp } from "../_shared/http.ts";

/** Builds the app; tests call `createApp().request(...)` in process. */
export function createApp() {
  return createFunctionApp("compute-metrics");
}
