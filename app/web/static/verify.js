// The investor's check of their own entries, in their browser, trusting nothing the server
// computed: the checkpoint must be signed by the key this browser pinned for the log, extend
// the largest checkpoint verified before, prove every listed entry, list exactly the entries
// it proves, and add up to the holdings the page shows. See README, "Checking my holding in
// the browser, and keeping a receipt".

import { fromBase64, parseVkey, readCheckpoint, sha256, concat, fromHex, toHex } from "./verify-crypto.js";
import { canonical, latestCommitment, shownHoldings } from "./verify-register.js";
import { checkHolder, checkSignature, checkpointRecord, currentExtendsRemembered, proveEntries } from "./verify-check.js";
import { buildReceipt, downloadJson, verifyReceipt } from "./verify-receipt.js";
import { pin, pinnedVkey, rememberCheckpoint } from "./verify-trust.js";

const encoder = new TextEncoder();
const $ = (id) => document.getElementById(id);

function lister(list) {
  list.replaceChildren();
  return (line) => list.appendChild(Object.assign(document.createElement("li"), { textContent: line }));
}

function setStatus(element, text, kind) {
  element.textContent = text;
  element.className = kind ? `flash ${kind}` : "";
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json().catch(() => {
    throw new Error(`the server's answer to ${url} is not JSON (logged out?)`);
  });
  if (!response.ok) throw new Error(body.message || `the server answered ${response.status}`);
  return body;
}

async function showPinned(origin) {
  const text = pinnedVkey(origin);
  const line = $("key-pinned");
  if (!text) {
    line.textContent = "No key is pinned in this browser yet: the first check remembers the key that signs " +
      "this log (trust on first use), or paste the key the company published below.";
    return;
  }
  try {
    const key = await parseVkey(text);
    line.textContent = `This browser trusts key ${key.name} ${key.idHex} for this log. Fingerprint (SHA-256): ${key.fingerprint}`;
  } catch (error) {
    line.textContent = `The key pinned in this browser is unreadable (${error.message}); pin it again.`;
  }
}

function warnKeyChanged(origin, pinned, other, recheck) {
  const warning = $("key-warning");
  const what = other
    ? `It is signed by key ${other.name} ${other.idHex}, fingerprint ${other.fingerprint}.`
    : "No key this page was offered signed it either.";
  $("key-warning-text").textContent = "WARNING: the log's checkpoint is not signed by the key you pinned " +
    `(${pinned.idHex}, fingerprint ${pinned.fingerprint}). ${what} Someone may be impersonating the log. ` +
    "Trust the new key only if the company told you, through another channel, that its key changed.";
  const accept = $("accept-key");
  accept.hidden = !other;
  accept.onclick = async () => {
    pin(origin, other.vkey);
    warning.hidden = true;
    await showPinned(origin);
    await recheck();
  };
  warning.hidden = false;
}

// The key to check against: the pinned one, or on first use the offered key that signs.
async function trustedKey(origin, checkpoint, offered) {
  const pinned = pinnedVkey(origin);
  if (pinned) return { vkey: pinned, firstUse: false };
  for (const text of offered) {
    const result = await checkSignature(checkpoint, text, []).catch(() => null);
    if (result && !result.problem) {
      pin(origin, result.verifier.vkey);
      return { vkey: result.verifier.vkey, firstUse: true };
    }
  }
  throw new Error("no key offered for pinning signed this checkpoint");
}

async function commitmentProblem(commitment, leaves, report) {
  if (!commitment.salt) return null;
  const digest = await sha256(concat(fromHex(commitment.salt), encoder.encode(canonical(commitment.details))));
  const latest = latestCommitment(leaves);
  if (!latest || latest.value !== toHex(digest)) return "my register details do not match the commitment on the log";
  report("My register details match the commitment on the log.");
  return null;
}

let lastReceipt = null;

const offline = async () => {
  throw new Error("offline");
};

const proofFetcher = (section) => async (first, second) => {
  const url = `${section.dataset.consistency}?first=${first}&second=${second}`;
  return (await getJson(url)).proof.map(fromBase64);
};

async function verifyVisit(section, report, recheck) {
  const data = await getJson(section.dataset.proofs);
  const checkpoint = readCheckpoint(data.checkpoint);
  const origin = section.dataset.origin;
  if (checkpoint.origin !== origin) throw new Error(`the checkpoint is of log ${checkpoint.origin}, not this register's`);
  const { vkey, firstUse } = await trustedKey(origin, checkpoint, data.vkeys || []);
  const signature = await checkSignature(checkpoint, vkey, data.vkeys || []);
  if (signature.problem) {
    warnKeyChanged(origin, signature.pinned, signature.other, recheck);
    return [signature.problem];
  }
  await showPinned(origin);
  const key = signature.verifier;
  report(`Checkpoint of size ${checkpoint.size} signed by your pinned key ${key.idHex}: signature valid.`);
  if (firstUse) {
    report(`First use: this browser now trusts key ${key.idHex} for this log (fingerprint ${key.fingerprint}). ` +
      "Compare it with the fingerprint the company publishes; a different key will be shown as a warning.");
  }
  const problems = [];
  const history = await currentExtendsRemembered(checkpoint, proofFetcher(section));
  if (history.problem) problems.push(history.problem);
  else {
    if (history.note) report(history.note);
    rememberCheckpoint(origin, checkpointRecord(checkpoint, data.checkpoint));
  }
  const proven = await proveEntries(data.entries, checkpoint);
  problems.push(...proven.problems);
  for (const index of proven.leaves.keys()) report(`Entry ${index} (${proven.leaves.get(index).kind}) is in the signed log.`);
  const holder = checkHolder(data.indexes, proven.leaves, data.holder_id, shownHoldings(document), "the page shows");
  problems.push(...holder.problems);
  if (!holder.problems.length) report("The holdings shown above are what my entries on the log add up to.");
  const commitment = await commitmentProblem(data.commitment, proven.leaves, report);
  if (commitment) problems.push(commitment);
  lastReceipt = problems.length ? null : buildReceipt({
    origin, issuerId: data.issuer_id, holderId: data.holder_id, note: data.checkpoint, vkey,
    indexes: data.indexes, raw: proven.raw, held: holder.held,
  });
  return problems;
}

function failed(status, problems) {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more, listed below)` : "";
  setStatus(status, `Verification FAILED: ${problems[0]}${more}`, "error");
}

document.addEventListener("DOMContentLoaded", () => {
  const section = $("log-check");
  if (!section) return;
  const status = $("verify-status");
  const download = $("download-receipt");
  showPinned(section.dataset.origin);

  async function run() {
    const report = lister($("verify-report"));
    setStatus(status, "Checking…");
    download.disabled = true;
    $("key-warning").hidden = true;
    try {
      const problems = await verifyVisit(section, report, run);
      problems.forEach((problem) => report(`Problem: ${problem}.`));
      if (problems.length) failed(status, problems);
      else {
        const count = lastReceipt.indexes.length;
        setStatus(status, `Verified: all ${count} of my entries are in the signed log.`, "ok");
        download.disabled = false;
      }
    } catch (error) {
      failed(status, [error.message]);
    }
  }

  $("verify").addEventListener("click", run);
  download.addEventListener("click", () => {
    if (!lastReceipt) return;
    const size = readCheckpoint(lastReceipt.checkpoint).size;
    downloadJson(lastReceipt, `shareledger-receipt-${size}.json`);
  });

  $("pin-key").addEventListener("click", async () => {
    const note = $("pin-status");
    try {
      const key = await parseVkey($("vkey-input").value);
      pin(section.dataset.origin, key.vkey);
      note.textContent = `Pinned key ${key.idHex} (fingerprint ${key.fingerprint}) for this log.`;
      await showPinned(section.dataset.origin);
    } catch (error) {
      note.textContent = `Not pinned: ${error.message}.`;
    }
  });

  $("receipt-file").addEventListener("change", async (event) => {
    const receiptStatus = $("receipt-status");
    const report = lister($("receipt-report"));
    const [file] = event.target.files;
    if (!file) return;
    setStatus(receiptStatus, "Checking the receipt…");
    try {
      event.target.value = ""; // so that loading the same file again checks it again
      const receipt = JSON.parse(await file.text());
      // This page's server proves only this page's log; another log's receipt is checked offline.
      const fetchProof = receipt.origin === section.dataset.origin ? proofFetcher(section) : offline;
      const problems = await verifyReceipt(receipt, report, fetchProof);
      problems.forEach((problem) => report(`Problem: ${problem}.`));
      if (problems.length) setStatus(receiptStatus, `Receipt check FAILED: ${problems[0]}`, "error");
      else setStatus(receiptStatus, "Receipt verified: its entries are in its signed checkpoint and add up to its balances.", "ok");
    } catch (error) {
      setStatus(receiptStatus, `Receipt check FAILED: ${error.message}`, "error");
    }
  });
  // The controls stay disabled until their handlers are attached (modules load after the page).
  for (const id of ["verify", "pin-key", "receipt-file"]) $(id).disabled = false;
});
