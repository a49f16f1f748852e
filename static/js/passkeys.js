/* Renkei: once django-otp-webauthn has registered a passkey, reload the page so that the
   server shows what comes next (the list of second factors, or the recovery codes to create).
   Served as a file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    window.setTimeout(function () { window.location.reload(); }, 800);
  });
})();
