// Behaviour shared by every page. Loaded as a file so the Content-Security-Policy can forbid
// inline event handlers.
document.addEventListener("DOMContentLoaded", () => {
  const language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", () => language.form.submit());
  }
  // <time data-countdown="ISO-8601"> counts down to that moment, e.g. an auction's end.
  document.querySelectorAll("[data-countdown]").forEach((element) => {
    const end = Date.parse(element.dataset.countdown);
    const tick = () => {
      const left = Math.max(0, Math.floor((end - Date.now()) / 1000));
      const days = Math.floor(left / 86400);
      const clock = [Math.floor((left % 86400) / 3600), Math.floor((left % 3600) / 60), left % 60]
        .map((n) => String(n).padStart(2, "0"))
        .join(":");
      element.textContent = (days ? days + "d " : "") + clock;
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  });
});
