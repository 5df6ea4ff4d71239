/** Static catalogues of AHA Smart Homes: people, places, products, sources. */

export const COMPANY_NAME = "AHA Smart Homes";

/** Sales team; index 0 is the CRM admin. */
export const USERS = [
  { first: "Asha", last: "Hegde", role: "CEO", email: "asha@ahasmarthomes.example" },
  { first: "Marcus", last: "Reyes", role: "Sales Manager", email: "marcus@ahasmarthomes.example" },
  { first: "Priya", last: "Nair", role: "Sales Rep", email: "priya@ahasmarthomes.example" },
  { first: "Tom", last: "Becker", role: "Sales Rep", email: "tom@ahasmarthomes.example" },
  { first: "Lena", last: "Kowalski", role: "Sales Rep", email: "lena@ahasmarthomes.example" },
  { first: "Diego", last: "Santos", role: "Sales Rep", email: "diego@ahasmarthomes.example" },
  { first: "Grace", last: "Okafor", role: "Inside Sales", email: "grace@ahasmarthomes.example" },
  { first: "Hiro", last: "Tanaka", role: "Installer Lead", email: "hiro@ahasmarthomes.example" },
] as const;

export const FIRST_NAMES = [
  "James",
  "Mary",
  "Robert",
  "Patricia",
  "John",
  "Jennifer",
  "Michael",
  "Linda",
  "David",
  "Elizabeth",
  "William",
  "Barbara",
  "Richard",
  "Susan",
  "Joseph",
  "Jessica",
  "Thomas",
  "Sarah",
  "Carlos",
  "Karen",
  "Aarav",
  "Nancy",
  "Wei",
  "Lisa",
  "Omar",
  "Betty",
  "Kenji",
  "Sandra",
  "Ravi",
  "Ashley",
  "Luca",
  "Emily",
  "Noah",
  "Olivia",
  "Mateo",
  "Sofia",
  "Ethan",
  "Amara",
  "Liam",
  "Zara",
];

export const LAST_NAMES = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Garcia",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martinez",
  "Hernandez",
  "Lopez",
  "Gonzalez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Perez",
  "Thompson",
  "White",
  "Harris",
  "Sanchez",
  "Clark",
  "Patel",
  "Lewis",
  "Robinson",
  "Walker",
  "Young",
  "Allen",
  "King",
  "Wright",
  "Scott",
  "Chen",
  "Nguyen",
  "Kim",
  "Singh",
  "O'Brien",
  "Müller",
];

export const CITIES = [
  ["Austin", "TX", "787"],
  ["Dallas", "TX", "752"],
  ["Houston", "TX", "770"],
  ["Phoenix", "AZ", "850"],
  ["Denver", "CO", "802"],
  ["San Diego", "CA", "921"],
  ["Sacramento", "CA", "958"],
  ["Seattle", "WA", "981"],
  ["Portland", "OR", "972"],
  ["Atlanta", "GA", "303"],
  ["Charlotte", "NC", "282"],
  ["Tampa", "FL", "336"],
] as const;

export const STREETS = [
  "Maple Ave",
  "Oak St",
  "Cedar Ln",
  "Pine Ridge Rd",
  "Lakeview Dr",
  "Sunset Blvd",
  "Willow Way",
  "Highland Ave",
  "Park Pl",
  "River Rd",
  "Hillcrest Dr",
  "Elm St",
];

export const LEAD_SOURCES = [
  "Facebook",
  "Google Ads",
  "Website",
  "Referral",
  "Trade Show",
  "Partner",
] as const;

/** Lead source mix for leads that never convert vs those that do (referrals convert best). */
export const SOURCE_WEIGHTS_OPEN = [
  ["Facebook", 34],
  ["Google Ads", 26],
  ["Website", 20],
  ["Referral", 6],
  ["Trade Show", 8],
  ["Partner", 6],
] as const;
export const SOURCE_WEIGHTS_CONVERTED = [
  ["Facebook", 18],
  ["Google Ads", 22],
  ["Website", 18],
  ["Referral", 22],
  ["Trade Show", 10],
  ["Partner", 10],
] as const;

export const LEAD_STATUSES = [
  "Not Contacted",
  "Attempted to Contact",
  "Contact in Future",
  "Contacted",
  "Pre-Qualified",
  "Not Qualified",
  "Junk Lead",
  "Lost Lead",
];

/** Standard Zoho deal stages, in pipeline order, with default probabilities. */
export const STAGES = [
  { value: "Qualification", probability: 10, forecast_category: "Pipeline", deal_category: "Open" },
  {
    value: "Needs Analysis",
    probability: 20,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Value Proposition",
    probability: 40,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Id. Decision Makers",
    probability: 60,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Perception Analysis",
    probability: 70,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Proposal/Price Quote",
    probability: 75,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Negotiation/Review",
    probability: 90,
    forecast_category: "Pipeline",
    deal_category: "Open",
  },
  {
    value: "Closed Won",
    probability: 100,
    forecast_category: "Closed",
    deal_category: "Closed Won",
  },
  {
    value: "Closed Lost",
    probability: 0,
    forecast_category: "Omitted",
    deal_category: "Closed Lost",
  },
  {
    value: "Closed Lost to Competition",
    probability: 0,
    forecast_category: "Omitted",
    deal_category: "Closed Lost",
  },
] as const;

/** Number of open stages (the first entries of STAGES). */
export const OPEN_STAGE_COUNT = 7;

/** Product catalogue: [name, category, unit price]. Deal tiers draw from these. */
export const PRODUCTS = [
  ["AHA Smart Lock Pro", "Security", 299],
  ["AHA Video Doorbell", "Security", 249],
  ["AHA Smart Thermostat", "Climate", 449],
  ["AHA Leak Sensor Pack", "Safety", 189],
  ["AHA Smoke & CO Detector", "Safety", 159],
  ["AHA Smart Plug 4-Pack", "Lighting", 99],
  ["AHA Lighting Starter Kit", "Lighting", 1490],
  ["AHA Whole-Floor Lighting", "Lighting", 3900],
  ["AHA Motorized Blinds (per window)", "Comfort", 420],
  ["AHA Security Camera (outdoor)", "Security", 389],
  ["AHA Security System Basic", "Security", 2450],
  ["AHA Security System Plus", "Security", 7800],
  ["AHA Multi-Room Audio", "Entertainment", 5200],
  ["AHA Home Theater Package", "Entertainment", 18500],
  ["AHA Mesh Wi-Fi Pro", "Networking", 690],
  ["AHA Structured Wiring", "Networking", 4200],
  ["AHA Energy Monitor", "Energy", 540],
  ["AHA Solar Integration", "Energy", 9800],
  ["AHA Garage Controller", "Comfort", 229],
  ["AHA Irrigation Controller", "Outdoor", 379],
  ["AHA Whole-Home Essentials", "Whole Home", 24500],
  ["AHA Whole-Home Premium", "Whole Home", 42000],
  ["AHA Whole-Home Signature", "Whole Home", 59500],
  ["AHA Annual Service Plan", "Service", 480],
] as const;

/** Deal tiers: [product indexes, weight, mean cycle days, win rate]. */
export const DEAL_TIERS = [
  { products: [0, 1, 3, 4, 18], weight: 30, cycleDays: 12, winRate: 0.55 },
  { products: [2, 5, 8, 9, 14, 16, 19], weight: 25, cycleDays: 25, winRate: 0.45 },
  { products: [6, 7, 10, 15], weight: 20, cycleDays: 45, winRate: 0.36 },
  { products: [11, 12, 17], weight: 13, cycleDays: 75, winRate: 0.3 },
  { products: [13, 20], weight: 8, cycleDays: 110, winRate: 0.24 },
  { products: [21, 22], weight: 4, cycleDays: 150, winRate: 0.2 },
] as const;

export const HOME_TYPES = ["Single Family", "Townhouse", "Condo", "Apartment", "Villa"];
export const ECOSYSTEMS = ["Amazon Alexa", "Google Home", "Apple Home", "SmartThings", "None"];
export const INSTALLER_REGIONS = ["North", "South", "East", "West"];
export const LOSS_REASONS = [
  "Price",
  "Went with competitor",
  "Timing",
  "No response",
  "Financing declined",
  "Scope changed",
];
