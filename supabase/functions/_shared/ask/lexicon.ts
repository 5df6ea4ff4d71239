/**
 * The concepts a question is made of (each a list of phrases) and their weights, as data
 * (whole-message commands are the inbox's: _shared/inbox/commands); the other words the matcher
 * knows (abbreviations, periods, aliases of sources and stages, stopwords) are in phrases.ts.
 * Phrases are lower case, already normalised (see text.ts); the matcher reads them longest first.
 */

/** Phrases separated by "|" (spaces and line breaks around them ignored). */
function phrases(text: string): readonly string[] {
  return text.split("|").map((p) => p.trim().replace(/\s+/g, " ")).filter((p) => p !== "");
}

/** The concepts a question is made of. */
export const CONCEPTS = {
  // Specific asks (weight 3): one of these usually decides the intent.
  closing: phrases(`closing | close | closes | due to close | expected to close | land | landing
    | come in | due`),
  stale: phrases(`at risk | risk | risky | gone quiet | quiet | stale | stuck | idle | inactive
    | neglected | rotting | dormant | no activity | zero activity | stalled | stalling | zombie
    | zombies | forever | going cold | gone cold | cold | nobody has touched
    | no one has touched | not touched | havent moved | hasnt moved | not moved | not moving
    | arent moving | not progressing`),
  slipped: phrases(`slipped | slipping | slip | overdue | past due | late | missed | pushed
    | past their close | past close | past the close | shouldve closed | should have closed
    | closed already | slippage | past closing date | past closing | date passed
    | close date passed | in the past`),
  win: phrases(`win rate | winrate | win ratio | close rate | closing rate | hit rate
    | how often do we win | how often`),
  lost: phrases(`lost | losses | losing | lose | loss | loss reasons | went south | fell through
    | died | dead deals | killed | competitor | competitors | competition | gone to
    | did we drop | dropped deals`),
  forecast: phrases(`tracking | on pace | forecast | projection | projected | coverage | gap
    | on track | will we hit | will we make | make the quarter | make the number
    | hit the number | land the quarter | making the quarter | making the number | make plan
    | making plan | hit plan | probability of | chance of | chances | odds | likelihood
    | best case | worst case | commit | how short | short of | shortfall | chance | hit target
    | hit our target | hit the target | land the number | how far off | far off | off quota
    | going to hit | gonna hit | hit the quarter`),
  response: phrases(`response time | response | respond | speed to lead | first touch | how fast
    | how quickly | follow up | followup | get back to | reaches out | reach out | reached out
    | wait before | pick up | picked up | getting back to | fast enough | quick enough
    | responding | how quick | hours to first | first call | time to first | first activity
    | to first | waiting before | someone calls | calls them`),
  size: phrases(`deal size | average deal | ticket size | typical deal | average size | aov
    | contract value | acv | deal value | how big are our deals | how big are deals | typical
    | ticket | median ticket | median deal | deal worth | average won | on average | how big are
    | smaller | bigger | getting smaller | getting bigger`),
  cycle: phrases(`sales cycle | cycle | days to close | time to close | how long | time from
    | from creation | creation to | time to win | days to win | taking to close | take to close
    | how many days | closing speed | in days | speed in days | days from | created to won`),
  velocity: phrases(`velocity | sales velocity | money moving | moving through | per day
    | run rate | daily run rate | each day | a day | produces`),
  conversion: phrases(`conversion | convert | converts | converted | conversion rate | lead to deal
    | turn into | turned into | become deals | lead to close | cohort | cohorts | end up
    | ended up | leads to won | lead to won | to won | converting | lead to win | leads to win`),
  advance: phrases(`stage conversion | advance | advanced | funnel | moving past | move past
    | get past | make it past | progress past | move from | moved from | progress from
    | advancing | each step | step | leaks | leak | leaking | progression | make it to
    | makes it to`),
  untouched: phrases(`nobody has called | nobody called | waiting for a first call
    | never called | untouched | never contacted | not contacted | uncontacted | not called
    | havent been contacted | not been contacted | havent been called | not yet contacted
    | havent touched | havent called | no call | no call or meeting | no follow up
    | zero follow up | fell through the cracks | through the cracks | havent had any activity
    | any activity | no one touched | nobody touched | not actioned | unactioned | not worked
    | not followed up | havent been touched | not been touched | been touched`),
  quality: phrases(`clean | data quality | data issues | hygiene | missing data | dirty data
    | missing | without an owner | no owner | unassigned | missing amounts | need fixing
    | fixing | cleanup | clean up | messy | incomplete | without a close date
    | without closing date | without close date | without amount | without an amount
    | no close date | no closing date | no amount | data any good | crm data | housekeeping
    | filled in | field | fields | properly`),
  anomaly: phrases(`anomaly | anomalies | spike | spikes | weird | outlier | outliers | odd
    | suddenly | sudden | drop off | dropped off | jumped | tanked | spiked | plunged
    | plummeted | surged | crashed | fell off a cliff | cliff | dips | dip | something off`),
  flags: phrases(`red flags | red flag | flags | flag | unusual | worry | worried | worrying
    | worries | concern | concerns | concerned | problem | problems | issues | going wrong
    | wrong | attention | watch out | alarm | alarming | fires | looks off | warning signs
    | warning | warnings | keeping you up | up at night | keep me up | dodgy | fishy
    | suspicious | biggest risks | risks | anything off | off with`),
  why: phrases(`why | how come | what drove | drove | drivers | driver | driving | explain
    | reason for | what caused | caused | cause | what happened | behind the | reason | reasons
    | behind it | whats behind | whats making | what is making | making the | decompose`),
  compare: phrases(`compare | compared | comparing | comparison | vs | versus | against
    | stack up | side by side | relative to | the week before | the month before
    | the quarter before | the year before | week before | month before | quarter before
    | year before`),
  todo: phrases(`what should i do | should i do | should we do | what do i do | what to do
    | focus on | focus | priority | priorities | prioritize | prioritise | next steps
    | next step | action items | actions | to do | todo | what now | recommend | recommendations
    | advice | where should i | what needs my attention | needs my attention | on my list
    | first thing | things for me | for me today | spend my time | chase first | should i chase
    | on my plate | things to chase | to chase | action list | my actions`),
  roi: phrases(`roi | return on | cost per lead | spend | marketing | campaign | campaigns | cac
    | cost | costs | cost vs revenue | bang for buck | bang for the buck | best return | payback
    | get back | worth the money | worth it | pay off | paying off`),
  movement: phrases(`waterfall | movement | moved | what changed | bridge | pipeline change
    | pipe walk | pipeline walk | changed | net change | slipped out | fell out | move | changes
    | in and out | came in and | add vs lose | added vs lost | added and lost`),
  trend: phrases(`trend | monthly | per month | by month | month over month | month by month
    | over time | history | months | 6 months | six months | 6 month | last 6 | past 6
    | month on month | half year | trending | each month | month wise | monthwise | every month`),
  leaderboard: phrases(`leaderboard | ranking | scoreboard | top performer | top performers
    | leading | each rep | every rep | best rep | top rep | top reps | crushing | crushing it
    | lagging | top closers | closers | best performers | underperforming | carrying
    | carrying the team | which of my reps | which rep`),
  sync: phrases(`how fresh | last sync | synced | last synced | data fresh | last updated
    | last update | data live | is this data | up to date | how current | last pull | pulled
    | last refresh | refreshed | last refreshed | data updated | as of when | updated
    | is this live | live data | yesterdays data | crm sync | sync up to date`),
  fresh: phrases(`new | created | added | opened | fresh | creation`),
  // Main subjects (weight 2).
  revenue: phrases(`revenue | sales | bookings | booked | sold | did we book | sell | made
    | make | earned | income | closed won | closed | won | win | money | turnover | bring in
    | brought in | bringing in | winning | banked | bank | closed business | book | wins`),
  leads: phrases(`leads | lead | signups | inquiries | enquiries | prospects | inbound
    | signed up | sign ups | people | mqls | mql | sqls | sql`),
  pipeline: phrases(`pipeline | open deals | open pipeline | sitting in | in flight
    | deals in flight | open deal | open value | open deal value | sits in`),
  // Modifiers (weight 1).
  target: phrases(`target | quota | goal | attainment | plan`),
  source: phrases(`source | sources | channel | channels | by source | per source | where from
    | coming from | come from | comes from | lead source | lead sources | came from
    | originating | originate | originated`),
  owner: phrases(`rep | reps | owner | owners | salesperson | seller | sellers | who | team`),
  stage: phrases(`stage | stages | by stage | per stage`),
  deals: phrases(`deals | deal | account | project | customer`),
  top: phrases(`top | biggest | largest | best | major | key | big | main | whales | whale
    | big fish | elephants | big ticket | worth the most | most valuable | highest value`),
  status: phrases(`status | update | how is | where is | happening | progress | going | doing
    | stand | standing | what stage is | alive | where are we with | how are we with
    | getting on with`),
};

/** A concept name. */
export type Concept = keyof typeof CONCEPTS;

/** How much a concept says about which intent is meant (see the CONCEPTS groups). */
export function conceptWeight(concept: Concept): number {
  if (["revenue", "leads", "pipeline"].includes(concept)) return 2;
  if (["target", "source", "owner", "stage", "deals", "top", "status"].includes(concept)) return 1;
  return 3;
}
