/**
 * The word lists the matcher's clash rules read (matcher_rules.ts): words that change which
 * concept a question means, lower case and normalised (see text.ts).
 */
import type { Concept } from "./lexicon.ts";

/** Words that make "funnel" a conversion question. */
export const FUNNEL_RATE = new Set([
  "conversion",
  "convert",
  "converts",
  "rate",
  "percent",
  "advance",
  "drop",
  "leak",
  "leaking",
]);

/** Words that make "why" a ranking when they come with "drove" ("which channel drove the most"). */
export const DROVE = new Set(["drove", "driving", "driver", "drivers"]);
/** Words asking for an average. */
export const AVERAGE = new Set(["average", "median", "typical", "mean"]);
/** Words that keep "marketing" about its return. */
export const ROI_WORDS = new Set(["roi", "cost", "costs", "spend", "return"]);

/** Words asking for a rate. */
export const RATE_WORDS = new Set([
  "percent",
  "percentage",
  "%",
  "rate",
  "ratio",
  "often",
  "share",
]);

/** Words that rank ("which channel drove the most"), not ask why. */
export const RANKING = new Set(["which", "most", "top", "best", "biggest", "more", "or"]);

export const SUBJECTS: Concept[] = ["revenue", "leads", "pipeline", "deals"];
/** Words saying a number moved (a "why" about them is about revenue unless another is named). */
export const CHANGE_WORDS = new Set(
  ("down up drop dropped dropping fell fall falling decline declined declining lower higher " +
    "grew grow growing growth shrink shrinking shrank miss missed behind short slow slower " +
    "better worse less fewer thin thinner").split(" "),
);

/** Words before a period that name it as the one measured against ("vs last quarter"). */
export const AGAINST = new Set([
  "vs",
  "versus",
  "against",
  "than",
  "to",
  "with",
  "compared",
  "since",
  "below",
  "above",
]);
