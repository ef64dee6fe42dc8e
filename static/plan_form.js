// Plan form: list only the chosen industry's matters; the others are hidden and disabled (so nothing of
// another industry is submitted), and a change of industry clears what was ticked for the old one.
(function () {
  var select = document.querySelector('select[name=industry_id]');
  var box = document.getElementById('plan-matters');
  if (!select || !box) { return; }
  var hint = box.querySelector('.matters-hint');
  function show() {
    var chosen = select.value;
    if (hint) { hint.hidden = !!chosen; }
    box.querySelectorAll('.matter-group').forEach(function (group) {
      var on = chosen !== '' && group.dataset.industry === chosen;
      group.hidden = !on;
      group.querySelectorAll('input').forEach(function (input) {
        input.disabled = !on;
        if (!on) { input.checked = false; }
      });
    });
  }
  select.addEventListener('change', show);
  show();
})();
