// Board: live countdowns to each campaign's current deadline; on the wall screen, the panel is
// fetched again every data-refresh seconds and swapped in without reloading the page.
(function () {
  // The server's clock is the application's (it can be moved for drills and tests): count from it.
  var offset = 0;
  function sync() {
    var stamp = document.querySelector("[data-now]");
    offset = stamp ? Date.parse(stamp.dataset.now) - Date.now() : 0;
  }
  function tick() {
    document.querySelectorAll(".countdown[data-due] .live").forEach(function (el) {
      var ms = Date.parse(el.parentElement.dataset.due) - (Date.now() + offset);
      var sign = ms < 0 ? "-" : "";
      var minutes = Math.floor(Math.abs(ms) / 60000);
      var h = Math.floor(minutes / 60), m = minutes % 60;
      el.textContent = " (" + sign + h + ":" + (m < 10 ? "0" : "") + m + ")";
    });
  }
  sync();
  tick();
  setInterval(tick, 30000);
  var main = document.querySelector("main[data-panel]");
  if (!main) return;
  var seconds = parseInt(main.dataset.refresh, 10) || 60;
  setInterval(function () {
    fetch(main.dataset.panel, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { main.innerHTML = html; sync(); tick(); })
      .catch(function () { /* keep the last figures on screen; the next round tries again */ });
  }, seconds * 1000);
})();
