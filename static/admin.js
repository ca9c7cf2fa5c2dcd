// The little the editor's pages do in the browser. Everything works without it: the server
// counts a round's recipients on every preview, and an answer link can be selected and copied
// by hand.
"use strict";

// The composer's Send button counts the panelists the round goes to as library types are
// ticked, as the server would: everyone when none is ticked, else those of the ticked types.
function followRecipientCount(form) {
  const boxes = form.querySelectorAll('input[name="library_type"]');
  const count = form.querySelector("[data-recipients]");
  if (!count) {
    return;
  }
  const update = () => {
    const ticked = Array.from(boxes).filter((box) => box.checked);
    const n = ticked.length === 0
      ? Number(form.dataset.panelSize)
      : ticked.reduce((sum, box) => sum + Number(box.dataset.count), 0);
    count.textContent = n === 1 ? "1 panelist" : `${n} panelists`;
  };
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
}

// A "Copy link" button copies the answer link in the field it names, and says so.
function copyLinks(button) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) {
    return;
  }
  const label = button.firstChild.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (_) {
      // Without the clipboard API (a plain-http address), the older command still copies.
      document.execCommand("copy");
    }
    button.firstChild.textContent = "Copied";
    setTimeout(() => { button.firstChild.textContent = label; }, 2000);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-panel-size]").forEach(followRecipientCount);
  document.querySelectorAll("button[data-copy]").forEach(copyLinks);
});
