// Live feedback on the "Sell or transfer" form: as the investor types, ask the register whether
// the transfer would be allowed and say every reason it would not, in words. The form does not
// need this script: the server checks everything again and shows refusals next to the fields.
//
// The transferee is typed as member number and name; the page's lookup turns them into the
// holder_id that POST /me/can-transfer takes (the same body as the API's instructions).
(() => {
  "use strict";
  const form = document.getElementById("sell-form");
  const out = document.getElementById("transfer-check");
  if (!form || !out || !window.fetch) return;
  const DEBOUNCE_MS = 400;
  const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
  const csrf = value("csrf_token");
  let timer = null;
  let latest = 0; // only the answer to the latest question is shown

  function say(lines, allowed) {
    out.replaceChildren();
    const list = document.createElement(lines.length > 1 ? "ul" : "div");
    for (const line of lines) {
      const item = document.createElement(lines.length > 1 ? "li" : "p");
      item.textContent = line;
      list.append(item);
    }
    out.append(list);
    out.dataset.allowed = allowed === undefined ? "" : String(allowed);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    return { status: response.status, answer };
  }

  function question(toHolderId) {
    const body = {
      class: value("class_code"),
      from_holder_id: form.dataset.fromHolder,
      to_holder_id: toHolderId,
      quantity: Number(value("quantity")),
      // Acknowledged on the next page, which refuses to go on without it; asking about the
      // other rules here must not fail on it.
      risk_acknowledged: true,
    };
    if (value("consideration")) {
      body.consideration = value("consideration");
      body.currency = value("currency").toUpperCase();
    }
    if (value("consideration_text")) body.consideration_text = value("consideration_text");
    return body;
  }

  async function check() {
    const asked = ++latest;
    const quantity = value("quantity");
    if (!/^[0-9]+$/.test(quantity) || !value("member_number") || !value("transferee_name")) {
      say(["Fill in the number of shares and who you are transferring to; the register checks as you type."]);
      return;
    }
    try {
      const found = await post(form.dataset.lookup, {
        member_number: value("member_number"),
        name: value("transferee_name"),
      });
      if (asked !== latest) return;
      if (found.status !== 200) {
        say([found.answer.message || "The transferee could not be found."], false);
        return;
      }
      const checked = await post(form.dataset.check, question(found.answer.holder_id));
      if (asked !== latest) return;
      if (checked.status !== 200 || typeof checked.answer.allowed !== "boolean") {
        say(["The register could not check this now; it will when you continue."]);
        return;
      }
      if (checked.answer.allowed) {
        say(["The register's rules allow this transfer. The transferee must still accept it and the company approve it."], true);
      } else {
        const reasons = (checked.answer.reasons || []).map((reason) => reason.message);
        say(reasons.length ? reasons : ["The register's rules do not allow this transfer."], false);
      }
    } catch {
      if (asked === latest) say(["The register could not check this now; it will when you continue."]);
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
})();
