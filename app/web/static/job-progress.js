// The batch progress page follows its job: every few seconds it asks the page's JSON view of
// the job (same site, so the Content-Security-Policy's 'self' allows it) and updates the
// stage, the figures and the <progress> bar; once the job has ended it reloads the page,
// which then shows the result or the failure. Without scripts a meta refresh does the same.
(() => {
  "use strict";
  const section = document.getElementById("job");
  if (!section || section.dataset.finished === "yes") return;
  const url = section.dataset.jobStatus;
  const every = Number(section.dataset.refreshSeconds || "2") * 1000;
  const number = new Intl.NumberFormat("en-GB");
  const text = (id, value) => {
    const element = document.getElementById(id);
    if (element) element.textContent = value;
  };

  function show(job) {
    const { stage, done, total } = job.progress;
    text("job-state-words", job.state_words);
    text("job-stage", stage || "not started yet");
    text("job-done-count", number.format(done));
    const bar = document.getElementById("job-progress");
    if (total) {
      text("job-total", number.format(total));
      bar.max = total;
      bar.value = done;
      bar.textContent = `${number.format(done)} of ${number.format(total)}`;
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.state === "succeeded" || job.state === "failed") {
          window.location.reload();
          return;
        }
        show(job);
      }
    } catch (error) {
      // The network blinked: try again at the next tick.
    }
    window.setTimeout(poll, every);
  }

  window.setTimeout(poll, every);
})();
