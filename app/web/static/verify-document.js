// "Check a document": the visitor chooses or drops a file, the browser hashes it with WebCrypto
// (the file is never uploaded), and the register's public API says which disclosures carry that
// SHA-256: GET /api/v1/documents/{sha256}/disclosures. A pasted hash is checked the same way.
//
// Each answer's inclusion proof is checked here as well, with the log's own cryptography: the
// entry must carry this very hash, its proof must lead to the checkpoint's root, and the
// checkpoint must be signed by the key this browser pinned for that log (on the investor's
// page) or, when none is pinned, by a key the register publishes, whose fingerprint is shown
// so that it can be compared with one obtained elsewhere.
// Without this script the form still works for a pasted hash: the server renders the answer.
import {
  equal, fromBase64, leafHash, parseVkey, readCheckpoint, rootFromInclusionProof, signedBy,
} from "./verify-crypto.js";
import { pinnedVkey } from "./verify-trust.js";

const SHA256 = /^[0-9a-f]{64}$/;
const NOT_DISCLOSED =
  "Not disclosed here: no public disclosure on this register carries a file with this fingerprint.";
const decoder = new TextDecoder();

const form = document.getElementById("document-check");
const fileInput = document.getElementById("document-file");
const hashInput = document.getElementById("document-sha256");
const drop = document.getElementById("document-drop");
const fingerprint = document.getElementById("document-hash");
const result = document.getElementById("document-result");

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(values[name] ?? ""));

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function hashFile(file) {
  return hex(await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
}

function message(text, kind) {
  const paragraph = document.createElement("p");
  paragraph.className = `flash ${kind}`;
  paragraph.textContent = text;
  return paragraph;
}

function showFieldError(text) {
  let list = document.getElementById("document-sha256-errors");
  const field = hashInput.parentElement;
  if (!text) {
    if (list) list.remove();
    hashInput.removeAttribute("aria-invalid");
    hashInput.removeAttribute("aria-describedby");
    field.classList.remove("has-error");
    return;
  }
  if (!list) {
    list = document.createElement("ul");
    list.id = "document-sha256-errors";
    list.className = "field-errors";
    hashInput.after(list);
  }
  const item = document.createElement("li");
  item.textContent = text;
  list.replaceChildren(item);
  hashInput.setAttribute("aria-invalid", "true");
  hashInput.setAttribute("aria-describedby", list.id);
  field.classList.add("has-error");
}

function showFingerprint(sha256, filename) {
  fingerprint.replaceChildren(filename ? `SHA-256 of ${filename}: ` : "SHA-256: ");
  const code = document.createElement("code");
  code.textContent = sha256;
  fingerprint.append(code);
}

function link(href, text) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}

// The register's published keys, fetched once, for logs this browser pinned no key for.
let publishedKeys = null;
async function verifiersFor(origin) {
  const pinned = pinnedVkey(origin);
  if (pinned) return { verifiers: [await parseVkey(pinned)], pinned: true };
  if (!publishedKeys) {
    const answer = await (await fetch(form.dataset.keysUrl)).json();
    publishedKeys = [];
    for (const key of answer.keys || []) {
      try {
        publishedKeys.push(await parseVkey(key.vkey));
      } catch {
        // a malformed key verifies nothing; the others may still
      }
    }
  }
  return { verifiers: publishedKeys, pinned: false };
}

// What the entry and its proof establish, in words; throws with the problem otherwise.
async function proveCarrier(item, sha256) {
  const inclusion = item.inclusion;
  const leaf = fromBase64(inclusion.leaf);
  const entry = JSON.parse(decoder.decode(leaf));
  const data = entry.data || {};
  const carried =
    data.body_sha256 === sha256 || (data.attachments || []).some((file) => file.sha256 === sha256);
  if (entry.index !== item.log_index || data.disclosure_id !== item.disclosure_id || !carried) {
    throw new Error(`entry ${item.log_index} does not record this file for this disclosure`);
  }
  const checkpoint = readCheckpoint(inclusion.checkpoint);
  if (checkpoint.size !== inclusion.tree_size) throw new Error("the checkpoint is of another size");
  const root = await rootFromInclusionProof(
    inclusion.index, inclusion.tree_size, await leafHash(leaf), inclusion.proof.map(fromBase64),
  );
  if (!equal(root, checkpoint.root)) throw new Error("the inclusion proof does not lead to the signed root");
  const { verifiers, pinned } = await verifiersFor(checkpoint.origin);
  const signer = await signedBy(checkpoint, verifiers);
  if (!signer) {
    throw new Error(pinned ? "the checkpoint is not signed by the key you pinned" : "the checkpoint is not signed by a published key");
  }
  const by = pinned ? "the key you pinned" : `published key ${signer.idHex} (fingerprint ${signer.fingerprint})`;
  return `Verified: entry ${item.log_index.toLocaleString("en")} is in the log of ${inclusion.tree_size.toLocaleString("en")} entries, signed by ${by}.`;
}

function table(items) {
  const built = document.createElement("table");
  built.id = "document-disclosures";
  built.createCaption().textContent = "Public disclosures carrying this file";
  const head = built.createTHead().insertRow();
  for (const title of ["Issuer", "Disclosure", "Published (UTC)", "Status", "Log index", "Proof"]) {
    const th = document.createElement("th");
    th.textContent = title;
    if (title === "Log index") th.className = "num";
    head.append(th);
  }
  const body = built.createTBody();
  const checks = [];
  for (const item of items) {
    const row = body.insertRow();
    row.insertCell().textContent = item.issuer_name;
    row.insertCell().append(link(fill(form.dataset.pageUrl, item), item.title));
    row.insertCell().textContent = (item.published_at || "").slice(0, 16).replace("T", " ");
    row.insertCell().textContent = item.status;
    const index = row.insertCell();
    index.className = "num";
    index.textContent = Number(item.log_index).toLocaleString("en");
    const proof = row.insertCell();
    proof.append(link(fill(form.dataset.proofUrl, item), "inclusion proof"));
    const verdict = document.createElement("p");
    verdict.className = "proof-check";
    verdict.textContent = "Checking the proof in your browser…";
    proof.append(verdict);
    checks.push({ item, verdict });
  }
  return { built, checks };
}

async function runChecks(checks, sha256) {
  for (const { item, verdict } of checks) {
    try {
      verdict.textContent = await proveCarrier(item, sha256);
      verdict.classList.add("ok");
    } catch (problem) {
      verdict.textContent = `Proof check FAILED: ${problem.message}`;
      verdict.classList.add("error");
    }
  }
}

async function check(sha256) {
  showFieldError("");
  window.history.replaceState(null, "", `?sha256=${sha256}`);
  result.replaceChildren(message("Looking the fingerprint up on the register…", "info"));
  let response;
  let answer = {};
  try {
    response = await fetch(fill(form.dataset.lookupUrl, { sha256 }), {
      headers: { Accept: "application/json" },
    });
    answer = await response.json().catch(() => ({}));
  } catch {
    result.replaceChildren(message("The register could not be reached; try again.", "error"));
    return;
  }
  if (response.status === 404 && answer.code === "not_disclosed") {
    result.replaceChildren(message(NOT_DISCLOSED, "error"));
  } else if (!response.ok) {
    result.replaceChildren(message(answer.message || `The register answered ${response.status}.`, "error"));
  } else {
    const { built, checks } = table(answer.disclosures || []);
    result.replaceChildren(built);
    await runChecks(checks, sha256);
  }
}

async function checkFile(file) {
  if (!file) return;
  fingerprint.textContent = `Computing the SHA-256 of ${file.name} in your browser…`;
  const sha256 = await hashFile(file);
  hashInput.value = sha256;
  showFingerprint(sha256, file.name);
  await check(sha256);
}

function start() {
  fileInput.addEventListener("change", () => checkFile(fileInput.files[0]));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("dragging");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    checkFile(event.dataTransfer.files[0]);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const sha256 = hashInput.value.trim().toLowerCase();
    if (!SHA256.test(sha256)) {
      showFieldError("A SHA-256 is 64 characters, each 0-9 or a-f.");
      return;
    }
    showFingerprint(sha256);
    check(sha256);
  });
  // A file chosen before this script ran (a quick visitor, or one the browser restored when
  // coming back to the page) is checked now: its change event has already gone by.
  if (fileInput.files.length) checkFile(fileInput.files[0]);
}

// WebCrypto exists only in secure contexts (https, or the local machine).
if (form && window.fetch && window.crypto && window.crypto.subtle) start();
