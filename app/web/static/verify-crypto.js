// The log's cryptography in the browser, from the standards and nothing the server computed:
// C2SP signed notes and vkeys (Ed25519 via WebCrypto), RFC 6962 hashing, and the RFC 9162
// verification of inclusion (2.1.3.2) and consistency (2.1.4.2) proofs.

const encoder = new TextEncoder();

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function toBase64(bytes) {
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

export function fromHex(text) {
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equal(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

export async function rootFromInclusionProof(index, size, hash, proof) {
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

// True when the tree of `second` leaves with root `secondRoot` extends the tree of `first`
// leaves with root `firstRoot`; false for any proof that does not show it.
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

// A C2SP vkey "name+hex(key id)+base64(0x01 || key)", checked: the id must be the key's.
export async function parseVkey(vkey) {
  const text = vkey.trim();
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 1 || second < 0) throw new Error("a verifier key reads name+keyid+key");
  const [name, idHex, keyText] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  let keyBytes;
  try {
    keyBytes = fromBase64(keyText);
  } catch {
    throw new Error("the verifier key's key part is not base64");
  }
  if (keyBytes[0] !== 1 || keyBytes.length !== 33) throw new Error("not an Ed25519 verifier key");
  const publicKey = keyBytes.slice(1);
  const id = (await sha256(concat(encoder.encode(name), Uint8Array.of(10, 1), publicKey))).slice(0, 4);
  if (toHex(id) !== idHex) throw new Error("the verifier key's id does not match its key");
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return { vkey: text, name, id, idHex, key, fingerprint: await fingerprint(text) };
}

// SHA-256 of the vkey text in groups of four hex digits: what a person compares by eye.
export async function fingerprint(vkey) {
  const hex = toHex(await sha256(encoder.encode(vkey.trim())));
  return hex.match(/.{4}/g).join(" ");
}

// The note's text, its checkpoint (only the first three body lines: extension lines such as
// "previous N" may follow) and its signature lines; nothing is trusted yet.
export function readCheckpoint(note) {
  const split = note.indexOf("\n\n");
  if (split < 0) throw new Error("the checkpoint is not a signed note");
  const text = note.slice(0, split + 1);
  const [origin, sizeLine, rootText] = text.split("\n");
  if (!/^\d{1,16}$/.test(sizeLine || "")) throw new Error("the checkpoint's size line is malformed");
  const root = fromBase64(rootText || "");
  if (root.length !== 32) throw new Error("the checkpoint's root hash is malformed");
  const signatures = [];
  for (const line of note.slice(split + 2).split("\n").filter(Boolean)) {
    const [, name, blobText] = line.match(/^\u2014 (\S+) (\S+)$/) || [];
    if (!name) throw new Error("a checkpoint signature line is malformed");
    const blob = fromBase64(blobText);
    signatures.push({ name, idHex: toHex(blob.slice(0, 4)), signature: blob.slice(4) });
  }
  return { text, origin, size: Number(sizeLine), root, signatures };
}

// Which of `verifiers` signed the checkpoint: the first whose signature line is there and
// verifies. A matching line whose signature does not verify is a forgery, said as such.
export async function signedBy(checkpoint, verifiers) {
  for (const v of verifiers) {
    for (const s of checkpoint.signatures) {
      if (s.name !== v.name || s.idHex !== v.idHex) continue;
      const ok = await crypto.subtle.verify("Ed25519", v.key, s.signature, encoder.encode(checkpoint.text));
      if (!ok) throw new Error(`the checkpoint's signature by key ${v.idHex} does not verify: it is forged`);
      return v;
    }
  }
  return null;
}
