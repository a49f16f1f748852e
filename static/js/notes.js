// Live notes: nothing typed is lost when the connection drops or the tab closes. Each
// section keeps a draft in localStorage until the server has saved it; on the next visit an
// unsaved draft of the same version comes back into its textarea and is saved.
(function () {
  "use strict";
  const pending = new Set();

  function version(form) {
    return form.querySelector(".note-version").value;
  }

  function watch(form) {
    const key = form.dataset.draftKey;
    const area = form.querySelector("textarea");
    area.addEventListener("input", function () {
      localStorage.setItem(key, JSON.stringify({ base: version(form), text: area.value }));
      pending.add(form);
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.xhr.status === 200) {
        localStorage.removeItem(key);
        pending.delete(form);
      }
    });
    const draft = JSON.parse(localStorage.getItem(key) || "null");
    if (draft && draft.base === version(form) && draft.text !== area.value) {
      area.value = draft.text;  // typed, never saved: back it comes, and it is saved now
      pending.add(form);
      window.htmx.trigger(form, "submit");
    } else if (area.value !== area.defaultValue) {
      pending.add(form);  // typed before the page had finished loading: saved now
      window.htmx.trigger(form, "submit");
    }
  }

  // After htmx has set the forms up (its own DOMContentLoaded handler runs first).
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.note[data-draft-key]").forEach(watch);
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending.size) { event.preventDefault(); event.returnValue = ""; }
  });
})();
