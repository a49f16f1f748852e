// The incident's indicator table: values are shown defanged; these buttons copy the real
// values (from data-value) to the clipboard — one, or the selected ones newline-separated.
// Delegated from the document, so that a table swapped in by htmx works as the first did.
// Without JavaScript the buttons stay hidden and "Download selected" still works.
(() => {
  const reveal = (root) => {
    root.querySelectorAll("#indicators .copy-value, #indicators .copy-selected").forEach((b) => {
      b.hidden = false;
    });
  };

  const copy = async (text) => {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    // Plain http on a closed network: no Clipboard API, so a hidden textarea.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  };

  const say = (section, key) => {
    const status = section && section.querySelector(".copy-status");
    if (status) status.textContent = status.dataset[key] || "";
  };

  document.addEventListener("click", async (event) => {
    const one = event.target.closest("#indicators .copy-value");
    const many = event.target.closest("#indicators .copy-selected");
    if (!one && !many) return;
    event.preventDefault();
    const section = event.target.closest("#indicators");
    let values;
    if (one) {
      values = [one.dataset.value];
    } else {
      values = [...section.querySelectorAll(".indicator-pick:checked")].map((b) => b.dataset.value);
      if (!values.length) {
        say(section, "none");
        return;
      }
    }
    await copy(values.join("\n"));
    say(section, "copied");
  });

  document.addEventListener("DOMContentLoaded", () => reveal(document));
  document.addEventListener("htmx:afterSwap", () => reveal(document));
})();
