// The recipient picker's shortcuts ("everyone who came to meeting N"): choose TLP:RED and
// tick exactly those people, then let the picker recount. Without JavaScript the link
// reloads the form with the same choice made on the server.
document.addEventListener("click", (event) => {
  const preset = event.target.closest("#audience-picker a.preset[data-users]");
  if (!preset) return;
  event.preventDefault();
  const picker = preset.closest("#audience-picker");
  const wanted = new Set(preset.dataset.users.split(",").filter(Boolean));
  const red = picker.querySelector('input[name="tlp"][value="RED"]');
  if (red) red.checked = true;
  picker.querySelectorAll('input[name="users"]').forEach((box) => {
    box.checked = wanted.has(box.value);
  });
  picker.dispatchEvent(new Event("change", { bubbles: true }));
});
