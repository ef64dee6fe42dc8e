// Joint inspection form: autosave a server-side draft while the officer types, so a lost
// signal or a closed page loses nothing. Files are not autosaved (they go with 保存草稿 / 签字).
// Its status texts come translated from the page (data-msg-*).
(function () {
  "use strict";
  var form = document.querySelector("form.inspection-form[data-draft-url]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector(".draft-status");
  var timer = null;
  var dirty = false;

  function payload() {
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data.append(el.name, el.value);
    });
    return data;
  }

  function save() {
    timer = null;
    if (!dirty) { return; }
    dirty = false;
    var token = form.querySelector("input[name=csrf_token]").value;
    fetch(form.dataset.draftUrl, {
      method: "POST", body: payload(), credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (body) {
      if (status) { status.textContent = (form.dataset.msgSaved || "草稿已自动保存") + " " + body.saved_at; }
    }).catch(function () {
      dirty = true;  // try again with the next change
      if (status) { status.textContent = form.dataset.msgOffline || "草稿暂未保存（网络不可用），恢复后将自动重试"; }
    });
  }

  function changed(event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { if (dirty) { save(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { save(); }
  });
})();
