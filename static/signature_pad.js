// Signature pad for on-site signing (templates/documents/sign.html): pointer strokes on a canvas, sent as a
// PNG data URL in the form's hidden "signature" field. Without script the photo upload still works.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var form = document.getElementById("sign-form");
  if (!canvas || !form) { return; }
  var field = document.getElementById("f-signature");
  var photo = document.getElementById("f-photo");
  var empty = document.getElementById("signature-empty");
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;

  context.lineWidth = 4;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#000";

  function point(event) {
    var box = canvas.getBoundingClientRect();  // the canvas is scaled by CSS to the phone's width
    return { x: (event.clientX - box.left) * canvas.width / box.width,
             y: (event.clientY - box.top) * canvas.height / box.height };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    drawn = true;
  });
  function stop() { drawing = false; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    field.value = "";
  });

  form.addEventListener("submit", function (event) {
    var hasPhoto = photo && photo.files && photo.files.length > 0;
    if (!drawn && !hasPhoto) {
      event.preventDefault();
      empty.hidden = false;
      return;
    }
    field.value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();
