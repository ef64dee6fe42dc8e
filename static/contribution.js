// 随机贡献值: the commitment is computed here, so the value never leaves the browser before it is revealed.
// Same message as domain/draw_v3.contribution_hash: "yiye-contribution" 0x00 campaign 0x00 department 0x00 value.
(function () {
  var form = document.getElementById('contribution-commit');
  if (!form || !window.crypto || !window.crypto.subtle) { return; }
  var secret = document.getElementById('contribution-secret');
  var commitment = document.getElementById('contribution-commitment');
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function update() {
    if (!secret.value) { return; }
    var message = ['yiye-contribution', form.dataset.campaign, form.dataset.department, secret.value].join('\u0000');
    window.crypto.subtle.digest('SHA-256', new TextEncoder().encode(message)).then(function (digest) {
      commitment.value = hex(digest);
    });
  }
  secret.addEventListener('input', update);
  form.querySelector('[data-action="generate"]').addEventListener('click', function () {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    secret.value = hex(bytes);
    update();
  });
}());
