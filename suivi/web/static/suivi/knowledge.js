// Insert a published answer into the reply being written, in one click, and remember
// which article version it came from (sent with the reply as knowledge_version_id).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-knowledge-insert]");
    if (!button) return;
    var form = button.closest("form");
    var body = form && form.querySelector("textarea[name=body]");
    if (!body) return;
    var text = button.getAttribute("data-text");
    var start = body.selectionStart, end = body.selectionEnd;
    if (typeof start === "number" && document.activeElement === body) {
      body.value = body.value.slice(0, start) + text + body.value.slice(end);
    } else {
      body.value = body.value ? body.value.replace(/\s*$/, "") + "\n\n" + text : text;
    }
    form.querySelector("input[name=knowledge_version_id]").value = button.getAttribute("data-version");
    var used = document.getElementById("knowledge-used");
    if (used) used.hidden = false;
    body.focus();
  });
})();
