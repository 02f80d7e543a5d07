/* "Copy BibTeX" on paper pages. The button stays hidden without JavaScript. */
"use strict";

async function proceedingsCopy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}

document.querySelectorAll("button.paper-cite-copy").forEach((button) => {
  const block = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".paper-cite-status");
  if (!block) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = block.querySelector("pre").textContent;
    try {
      await proceedingsCopy(text);
      status.textContent = "BibTeX copied.";
    } catch (error) {
      status.textContent = "Could not copy: select the BibTeX above instead.";
    }
  });
});
