// The member picker: a text field that offers "Name (No. N)" from the register as one types.
// It asks the server for at most 20 matches, so it works the same for 100,000 members. The
// form does not need it: a member number typed by hand is accepted just as well.
(() => {
  "use strict";
  const DEBOUNCE_MS = 250;
  for (const input of document.querySelectorAll("input[data-member-picker]")) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) continue;
    let timer = null;
    let latest = 0; // only the answer to the latest letters typed is shown
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const typed = input.value.trim();
      if (typed.length < 1 || typed.endsWith(")")) return; // a picked label is complete
      timer = setTimeout(async () => {
        const asked = ++latest;
        const url = `${input.dataset.memberPicker}?q=${encodeURIComponent(typed)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || asked !== latest) return;
        const { members } = await response.json();
        list.replaceChildren(
          ...members.map((member) => {
            const option = document.createElement("option");
            option.value = member.label;
            return option;
          }),
        );
      }, DEBOUNCE_MS);
    });
  }
})();
