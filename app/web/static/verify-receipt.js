// A holder's receipt: their leaves, inclusion proofs, the signed checkpoint and the key they
// pinned, in one JSON file that this page (or `python -m app.ledger.verify --receipt FILE
// --vkey VKEY`) verifies later without the server. The format is fixed: keep to it.

import { readCheckpoint } from "./verify-crypto.js";
import { checkHolder, checkSignature, proveEntries, receiptFitsRemembered } from "./verify-check.js";
import { pinnedVkey } from "./verify-trust.js";

export const RECEIPT_FORMAT = "shareledger-receipt/1";

// `held` holds every class the holder's entries touch, a class emptied since reading "0".
export function buildReceipt({ origin, issuerId, holderId, note, vkey, indexes, raw, held }) {
  return {
    format: RECEIPT_FORMAT,
    origin,
    issuer_id: issuerId,
    holder_id: holderId,
    checkpoint: note,
    vkey,
    indexes: [...indexes],
    entries: [...raw.values()].map(({ index, leaf, proof }) => ({ index, leaf, proof })),
    balances: Object.fromEntries([...held].sort().map(([code, quantity]) => [code, quantity.toString()])),
  };
}

export function downloadJson(value, filename) {
  const blob = new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" });
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: filename });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

// Verifies a parsed receipt with no server: the key this browser pinned for its log (or, if
// none, the receipt's own key, said so), each proof, the list against its own entries, the
// balances against its leaves, and (when `fetchProof` reaches the server) that it and the
// checkpoint this browser remembers are one log. Returns the problems; `report` receives what held.
export async function verifyReceipt(receipt, report, fetchProof) {
  if (!receipt || receipt.format !== RECEIPT_FORMAT) throw new Error(`this is not a ${RECEIPT_FORMAT} file`);
  const checkpoint = readCheckpoint(receipt.checkpoint);
  if (checkpoint.origin !== receipt.origin) throw new Error("the receipt's checkpoint is of another log than it says");
  const pinned = pinnedVkey(checkpoint.origin);
  if (!pinned) {
    report("This browser has no key pinned for this log, so the receipt was checked against the key it carries; " +
      "compare that key's fingerprint with the one the company publishes.");
  }
  const { verifier, problem } = await checkSignature(checkpoint, pinned || receipt.vkey, []);
  if (problem) return [problem];
  report(`Checkpoint of size ${checkpoint.size} signed by key ${verifier.idHex} (fingerprint ${verifier.fingerprint}): signature valid.`);
  const problems = [];
  const remembered = await receiptFitsRemembered(checkpoint, fetchProof);
  if (remembered.problem) problems.push(remembered.problem);
  else if (remembered.note) report(remembered.note);
  const proven = await proveEntries(receipt.entries || [], checkpoint);
  problems.push(...proven.problems);
  const stated = new Map(Object.entries(receipt.balances || {}).map(([code, text]) => [code, BigInt(text)]));
  const holder = checkHolder(receipt.indexes || [], proven.leaves, receipt.holder_id, stated, "the receipt says");
  problems.push(...holder.problems);
  if (!problems.length) {
    report(`All ${proven.leaves.size} entries of the receipt are in the signed log, and are all it lists.`);
  }
  return problems;
}
