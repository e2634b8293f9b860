// "Check a document": the visitor chooses or drops a file, the browser hashes it with WebCrypto
// (the file is never uploaded), and the register's public API says which disclosures carry that
// SHA-256: GET /api/v1/documents/{sha256}/disclosures. A pasted hash is checked the same way.
// Without this script the form still works for a pasted hash: the server renders the answer.
(() => {
  "use strict";
  const form = document.getElementById("document-check");
  const fileInput = document.getElementById("document-file");
  const hashInput = document.getElementById("document-sha256");
  const drop = document.getElementById("document-drop");
  const fingerprint = document.getElementById("document-hash");
  const result = document.getElementById("document-result");
  // WebCrypto exists only in secure contexts (https, or the local machine).
  if (!form || !window.fetch || !window.crypto || !window.crypto.subtle) return;
  const SHA256 = /^[0-9a-f]{64}$/;
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(values[name] ?? ""));

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join(
      "",
    );
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
    if (!text) {
      if (list) list.remove();
      hashInput.removeAttribute("aria-invalid");
      hashInput.removeAttribute("aria-describedby");
      hashInput.parentElement.classList.remove("has-error");
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
    hashInput.parentElement.classList.add("has-error");
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
    for (const item of items) {
      const row = body.insertRow();
      row.insertCell().textContent = item.issuer_name;
      row.insertCell().append(link(fill(form.dataset.pageUrl, item), item.title));
      row.insertCell().textContent = (item.published_at || "").slice(0, 16).replace("T", " ");
      row.insertCell().textContent = item.status;
      const index = row.insertCell();
      index.className = "num";
      index.textContent = Number(item.log_index).toLocaleString("en");
      row.insertCell().append(link(fill(form.dataset.proofUrl, item), "inclusion proof"));
    }
    return built;
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
      result.replaceChildren(
        message(
          "Not disclosed here: no public disclosure on this register carries a file with this fingerprint.",
          "error",
        ),
      );
    } else if (!response.ok) {
      result.replaceChildren(message(answer.message || `The register answered ${response.status}.`, "error"));
    } else {
      result.replaceChildren(table(answer.disclosures || []));
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
})();
