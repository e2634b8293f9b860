// What this browser remembers per log origin, like SSH's known_hosts: the verifier key the
// user pinned and the largest checkpoint verified under it. Nothing here comes from the server
// unless the user accepted it (first use, an explicit "trust the new key", or a pasted key).

const PREFIX = "shareledger.trust/";

function read(origin) {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + origin)) || {};
  } catch {
    return {};
  }
}

function write(origin, record) {
  localStorage.setItem(PREFIX + origin, JSON.stringify(record));
}

export function pinnedVkey(origin) {
  return read(origin).vkey || null;
}

// Pinning a different key forgets the checkpoint remembered under the old one only if asked:
// a rotated key still signs the same log, so the remembered checkpoint stays to be extended.
export function pin(origin, vkey) {
  write(origin, { ...read(origin), vkey });
}

// The largest checkpoint verified for the origin: {size, root (base64), note}, or null.
export function rememberedCheckpoint(origin) {
  return read(origin).checkpoint || null;
}

export function rememberCheckpoint(origin, checkpoint) {
  const known = rememberedCheckpoint(origin);
  if (known && known.size > checkpoint.size) return;
  write(origin, { ...read(origin), checkpoint });
}
