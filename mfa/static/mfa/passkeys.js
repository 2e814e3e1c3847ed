// "Your second factor": once django-otp-webauthn's script has registered a passkey, reload the
// page so the list of passkeys shows it (the library's own script leaves the page as it is).
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
