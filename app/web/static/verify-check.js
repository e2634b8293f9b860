// The checks a visit and a saved receipt share. Each returns what it established and the
// problems it found, in words a holder can act on.

import {
  equal, fromBase64, leafHash, parseVkey, rootFromInclusionProof, signedBy, toBase64, verifyConsistency,
} from "./verify-crypto.js";
import { balanceProblems, balancesFromLeaves, completenessProblems } from "./verify-register.js";
import { rememberedCheckpoint } from "./verify-trust.js";

const decoder = new TextDecoder();

// The checkpoint must be signed by the pinned key; `offered` keys (which came with the data)
// only name who did sign it when the pinned one did not.
export async function checkSignature(checkpoint, pinnedText, offeredTexts) {
  const pinned = await parseVkey(pinnedText);
  const verifier = await signedBy(checkpoint, [pinned]);
  if (verifier) return { verifier, problem: null };
  let other = null;
  for (const text of offeredTexts) {
    try {
      other = await signedBy(checkpoint, [await parseVkey(text)]);
    } catch {
      other = null; // a forged signature by a key you never trusted tells nothing more
    }
    if (other) break;
  }
  const by = other ? `: it is signed by key ${other.idHex} (fingerprint ${other.fingerprint})` : "";
  return { pinned, other, problem: `the checkpoint is not signed by the key you pinned (${pinned.idHex})${by}` };
}

// Each entry's inclusion proof against the signed root; the proven leaves, parsed, by index.
export async function proveEntries(entries, checkpoint) {
  const leaves = new Map();
  const raw = new Map();
  const problems = [];
  for (const entry of entries) {
    try {
      const bytes = fromBase64(entry.leaf);
      const root = await rootFromInclusionProof(
        entry.index, checkpoint.size, await leafHash(bytes), entry.proof.map(fromBase64));
      if (!equal(root, checkpoint.root)) throw new Error("root differs");
      const leaf = JSON.parse(decoder.decode(bytes));
      if (leaf.index !== entry.index) throw new Error("index differs");
      leaves.set(entry.index, leaf);
      raw.set(entry.index, entry);
    } catch {
      problems.push(`entry ${entry.index} is not in the signed tree`);
    }
  }
  return { leaves, raw, problems };
}

// Does the tree `larger` ({size, root}) extend the tree `smaller` (RFC 9162 2.1.4.2)?
// `fetchProof(first, second)` asks the server for the consistency proof.
async function extendsTree(smaller, larger, fetchProof) {
  const proof = await fetchProof(smaller.size, larger.size);
  return verifyConsistency(smaller.size, larger.size, smaller.root, larger.root, proof);
}

function remembered(origin) {
  const known = rememberedCheckpoint(origin);
  return known && { size: known.size, root: fromBase64(known.root) };
}

const sameSize = (known, checkpoint) => equal(known.root, checkpoint.root)
  ? { note: `It is the same checkpoint of ${known.size} entries as you verified before.` }
  : { problem: `the log forked: its tree of ${known.size} entries differs from the one you verified before` };

// Is the log's signed checkpoint still the log this browser verified before?
export async function currentExtendsRemembered(checkpoint, fetchProof) {
  const known = remembered(checkpoint.origin);
  if (!known) return {};
  if (known.size > checkpoint.size) {
    return {
      problem: "the log is shorter than a checkpoint you verified before: it was rolled back " +
        `(you verified ${known.size} entries, it now has ${checkpoint.size})`,
    };
  }
  if (known.size === checkpoint.size) return sameSize(known, checkpoint);
  if (await extendsTree(known, checkpoint, fetchProof)) {
    return { note: `The log of ${checkpoint.size} entries extends the checkpoint of ${known.size} entries you verified before.` };
  }
  return {
    problem: `the log of ${checkpoint.size} entries is not consistent with the checkpoint of ${known.size} ` +
      "entries you verified before: it forked",
  };
}

// Is a receipt's checkpoint part of the log this browser verified, older or newer? Without
// the server (`fetchProof` failing) only a fork at the same size can be seen.
export async function receiptFitsRemembered(checkpoint, fetchProof) {
  const known = remembered(checkpoint.origin);
  if (!known) return {};
  if (known.size === checkpoint.size) return sameSize(known, checkpoint);
  const [smaller, larger] = known.size < checkpoint.size ? [known, checkpoint] : [checkpoint, known];
  const which = larger === known ? "the checkpoint you verified since" : "this receipt's checkpoint";
  let holds;
  try {
    holds = await extendsTree(smaller, larger, fetchProof);
  } catch {
    return { note: `Whether ${which} (${larger.size} entries) extends the other needs the server, which did not answer.` };
  }
  if (holds) return { note: `${which[0].toUpperCase()}${which.slice(1)} (${larger.size} entries) extends the other (${smaller.size}).` };
  return { problem: `${which} (${larger.size} entries) does not extend the other (${smaller.size}): the log forked` };
}

// Completeness of the listed entries and the held shares they add up to, against `expected`
// (class -> BigInt) as shown by `what` ("the page shows", "the receipt says").
export function checkHolder(listed, leaves, holderId, expected, what) {
  const problems = completenessProblems(listed, leaves, holderId);
  const { held, unknown } = balancesFromLeaves(leaves, holderId);
  problems.push(...unknown, ...balanceProblems(expected, held, what));
  return { held, problems };
}

export const checkpointRecord = (checkpoint, note) => ({ size: checkpoint.size, root: toBase64(checkpoint.root), note });
