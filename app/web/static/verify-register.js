// What a holder's verified leaves say about the holder: which entries concern them, whether
// the list the server sent is exactly those, and how many shares they hold per class.
// Quantities are decimal strings on the log: BigInt throughout, never floating point.

// True when `value` occurs as a value anywhere in `data` (keys do not count).
export function mentions(data, value) {
  if (Array.isArray(data)) return data.some((item) => mentions(item, value));
  if (data !== null && typeof data === "object") return Object.values(data).some((item) => mentions(item, value));
  return data === value;
}

const SPLITS = new Set(["class.split", "class.consolidated"]);

// The holder's pledges (named in their pledge.registered entries) whose release names only
// the pledge; and a split of old that carries only totals, which concerns every holder.
function concerns(leaf, holderId, pledgeIds) {
  if (mentions(leaf.data, holderId)) return true;
  if (leaf.kind === "pledge.released") return pledgeIds.has(leaf.data.pledge_id);
  return SPLITS.has(leaf.kind) && !("holdings" in leaf.data);
}

// Problems, in words, with the claim "these `listed` indexes are every entry that concerns
// the holder" given the verified `leaves` (index -> parsed leaf).
export function completenessProblems(listed, leaves, holderId) {
  const problems = [];
  const pledgeIds = new Set();
  for (const leaf of leaves.values()) {
    if (leaf.kind === "pledge.registered" && leaf.data.holder_id === holderId) pledgeIds.add(leaf.data.pledge_id);
  }
  const wanted = new Set(listed);
  for (const index of listed) {
    const leaf = leaves.get(index);
    if (!leaf) problems.push(`entry ${index} is listed as mine but no proven copy of it was given`);
    else if (!concerns(leaf, holderId, pledgeIds)) problems.push(`entry ${index} is listed as mine but does not concern me`);
  }
  for (const [index, leaf] of leaves) {
    if (!wanted.has(index) && concerns(leaf, holderId, pledgeIds)) {
      problems.push(`entry ${index} concerns me but is missing from the list of my entries`);
    }
  }
  return problems;
}

function add(held, code, quantity) {
  held.set(code, (held.get(code) || 0n) + quantity);
}

// Kinds that name a holder without changing how many shares they hold.
const HOLDING_NEUTRAL = new Set([
  "holder.registered", "holder.amended", "holder.ceased", "holder.erased",
  "holding.frozen", "holding.unfrozen", "pledge.registered", "pledge.released",
]);

// The holder's held shares per class, replayed from their leaves in log order, and what the
// replay could not account for (in words).
export function balancesFromLeaves(leaves, holderId) {
  const held = new Map();
  const unknown = [];
  for (const [index, leaf] of [...leaves].sort((a, b) => a[0] - b[0])) {
    const d = leaf.data;
    switch (leaf.kind) {
      case "shares.issued":
        if (d.holder_id === holderId) add(held, d.class, BigInt(d.quantity));
        break;
      case "transfer.settled":
      case "transfer.forced":
        if (d.from_holder_id === holderId) add(held, d.class, -BigInt(d.quantity));
        if (d.to_holder_id === holderId) add(held, d.class, BigInt(d.quantity));
        break;
      case "shares.cancelled":
      case "shares.repurchased":
      case "shares.redeemed":
        if (d.holder_id === holderId) add(held, d.class, -BigInt(d.quantity));
        break;
      case "shares.converted":
        if (d.holder_id === holderId) {
          add(held, d.from_class, -BigInt(d.quantity));
          add(held, d.to_class, BigInt(d.allotted));
        }
        break;
      case "class.split":
      case "class.consolidated": {
        // The entry carries every holding's result; the holder's is what they now hold.
        if (!Array.isArray(d.holdings)) {
          unknown.push(`entry ${index} (${leaf.kind}) carries no per-holding results, so the ${d.class} balance cannot be recomputed`);
          break;
        }
        const mine = d.holdings.find((result) => result.holder_id === holderId);
        if (mine) held.set(d.class, BigInt(mine.held));
        break;
      }
      default:
        if (!HOLDING_NEUTRAL.has(leaf.kind)) {
          unknown.push(`entry ${index} is of a kind this page does not know (${leaf.kind}); the balances may not account for it`);
        }
    }
  }
  return { held, unknown };
}

const shares = (quantity) => quantity.toLocaleString("en-GB");

// Problems, in words, between the holdings shown (`what`: "the page shows") and the log's.
export function balanceProblems(shown, fromLog, what = "the page shows") {
  const problems = [];
  const codes = [...new Set([...shown.keys(), ...fromLog.keys()])].sort();
  for (const code of codes) {
    const page = shown.get(code) || 0n;
    const log = fromLog.get(code) || 0n;
    if (page !== log) problems.push(`${what} ${shares(page)} ${code} but the log gives ${shares(log)}`);
  }
  return problems;
}

// The figures the page shows, from their data attributes: class code -> BigInt held.
export function shownHoldings(root) {
  const shown = new Map();
  for (const cell of root.querySelectorAll("[data-held-class]")) {
    shown.set(cell.dataset.heldClass, BigInt(cell.dataset.held));
  }
  return shown;
}

// The holder's latest commitment on the log (registration or amendment), if any.
export function latestCommitment(leaves) {
  let latest = null;
  for (const [index, leaf] of [...leaves].sort((a, b) => a[0] - b[0])) {
    if (typeof leaf.data.commitment === "string") latest = { index, value: leaf.data.commitment };
  }
  return latest;
}

export function canonical(value) {
  // RFC 8785 for what register details contain: strings, null, arrays and objects.
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}
