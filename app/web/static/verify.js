// Checks an investor's entries in the browser, trusting nothing the server computed: the
// checkpoint's Ed25519 signature (C2SP signed note), each leaf's RFC 6962 inclusion proof
// against the signed root (RFC 9162 section 2.1.3.2), and the commitment to the details.
"use strict";

const encoder = new TextEncoder();

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function fromHex(text) {
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

async function rootFromInclusionProof(index, size, hash, proof) {
  if (index >= size) throw new Error("index beyond tree size");
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) throw new Error("proof too long");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("proof too short");
  return r;
}

async function parseVkey(vkey) {
  // name+hex(key id)+base64(0x01 || key); the base64 part may itself contain "+".
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  const [name, idHex, keyText] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  const keyBytes = fromBase64(keyText);
  if (keyBytes[0] !== 1 || keyBytes.length !== 33) throw new Error("not an Ed25519 vkey");
  const publicKey = keyBytes.slice(1);
  const id = (await sha256(concat(encoder.encode(name), Uint8Array.of(10, 1), publicKey))).slice(0, 4);
  if (toHex(id) !== idHex) throw new Error("vkey id does not match its key");
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return { name, id, key };
}

async function openCheckpoint(note, vkeys) {
  const split = note.indexOf("\n\n");
  const text = note.slice(0, split + 1);
  const verifiers = await Promise.all(vkeys.map(parseVkey));
  let signedBy = null;
  for (const line of note.slice(split + 2).split("\n").filter(Boolean)) {
    const [, name, blobText] = line.match(/^\u2014 (\S+) (\S+)$/) || [];
    if (!name) throw new Error("malformed signature line");
    const blob = fromBase64(blobText);
    for (const v of verifiers) {
      if (v.name === name && equal(v.id, blob.slice(0, 4))) {
        const ok = await crypto.subtle.verify("Ed25519", v.key, blob.slice(4), encoder.encode(text));
        if (!ok) throw new Error("a checkpoint signature does not verify");
        signedBy = toHex(v.id);
      }
    }
  }
  if (!signedBy) throw new Error("no published key signed this checkpoint");
  const [origin, size, rootText] = text.split("\n");
  return { origin, size: Number(size), root: fromBase64(rootText), signedBy };
}

function canonical(value) {
  // RFC 8785 for what register details contain: strings, null, arrays and objects.
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

async function verifyMine(data, report) {
  const checkpoint = await openCheckpoint(data.checkpoint, data.vkeys);
  report(`Checkpoint of size ${checkpoint.size} signed by key ${checkpoint.signedBy}: signature valid.`);
  const leaves = [];
  for (const entry of data.entries) {
    const leaf = fromBase64(entry.leaf);
    const root = await rootFromInclusionProof(
      entry.index, checkpoint.size, await leafHash(leaf), entry.proof.map(fromBase64));
    if (!equal(root, checkpoint.root)) throw new Error(`entry ${entry.index} is not in the signed tree`);
    leaves.push(JSON.parse(new TextDecoder().decode(leaf)));
    report(`Entry ${entry.index} (${entry.kind}) is in the signed log.`);
  }
  if (data.commitment.salt) {
    const digest = await sha256(concat(fromHex(data.commitment.salt), encoder.encode(canonical(data.commitment.details))));
    const onLog = leaves.some((leaf) => leaf.data.commitment === toHex(digest));
    if (!onLog) throw new Error("my details do not match the commitment on the log");
    report("My register details match the commitment on the log.");
  }
  return data.entries.length;
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("verify");
  if (!button) return;
  const output = document.getElementById("verify-report");
  const status = document.getElementById("verify-status");
  button.addEventListener("click", async () => {
    output.replaceChildren();
    status.textContent = "Checking…";
    status.className = "";
    const report = (line) => output.appendChild(Object.assign(document.createElement("li"), { textContent: line }));
    try {
      const response = await fetch(button.dataset.source, { credentials: "same-origin" });
      const count = await verifyMine(await response.json(), report);
      status.textContent = `Verified: all ${count} of my entries are in the signed log.`;
      status.className = "flash ok";
    } catch (error) {
      status.textContent = `Verification FAILED: ${error.message}`;
      status.className = "flash error";
    }
  });
});
