// iic portal: security keys and passkeys (WebAuthn). The page renders the
// ceremony's options (JSON, binary members base64url) into
// #webauthn-options; pressing #webauthn-start asks the browser's
// navigator.credentials (create for data-webauthn="create", get for
// "get"), and the answer goes back as JSON in the hidden field
// #webauthn-credential of #webauthn-form, posted with the form's CSRF
// token. What the browser refuses is shown in #webauthn-error.
(function () {
  "use strict";
  var form = document.getElementById("webauthn-form");
  var start = document.getElementById("webauthn-start");
  var optionsField = document.getElementById("webauthn-options");
  var out = document.getElementById("webauthn-credential");
  var errorBox = document.getElementById("webauthn-error");
  if (!form || !start || !optionsField || !out) { return; }
  var mode = form.getAttribute("data-webauthn");

  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function fromB64(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var c = { type: d.type, id: fromB64(d.id) };
      if (d.transports) { c.transports = d.transports; }
      return c;
    });
  }

  function publicKeyOptions(o) {
    o.challenge = fromB64(o.challenge);
    if (mode === "create") {
      o.user.id = fromB64(o.user.id);
      o.excludeCredentials = descriptors(o.excludeCredentials);
    } else {
      o.allowCredentials = descriptors(o.allowCredentials);
    }
    return o;
  }

  function extensionResults(cred) {
    var r = cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
    var keep = {};
    if (r.credProps) { keep.credProps = { rk: r.credProps.rk }; }
    return keep;
  }

  function credentialJSON(cred) {
    var r = cred.response;
    var json = {
      id: cred.id, rawId: toB64(cred.rawId), type: cred.type,
      clientExtensionResults: extensionResults(cred),
      response: { clientDataJSON: toB64(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) { json.authenticatorAttachment = cred.authenticatorAttachment; }
    if (mode === "create") {
      json.response.attestationObject = toB64(r.attestationObject);
      json.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = toB64(r.authenticatorData);
      json.response.signature = toB64(r.signature);
      if (r.userHandle) { json.response.userHandle = toB64(r.userHandle); }
    }
    return JSON.stringify(json);
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    showError("This browser cannot use security keys or passkeys. Use another browser, or another method if your organization allows one.");
    return;
  }
  start.hidden = false;
  // Enter in the name field starts the ceremony rather than posting an
  // empty answer (form.submit() below does not come through here).
  form.addEventListener("submit", function (e) {
    if (!out.value) { e.preventDefault(); if (!start.disabled) { start.click(); } }
  });
  start.addEventListener("click", function () {
    var options;
    try {
      options = publicKeyOptions(JSON.parse(optionsField.value));
    } catch (e) {
      showError("The page is damaged: reload it and try again.");
      return;
    }
    start.disabled = true;
    if (errorBox) { errorBox.hidden = true; }
    var call = mode === "create" ? navigator.credentials.create({ publicKey: options }) : navigator.credentials.get({ publicKey: options });
    call.then(function (cred) {
      if (!cred) { throw new Error("no credential"); }
      out.value = credentialJSON(cred);
      form.submit();
    }).catch(function (e) {
      start.disabled = false;
      var name = e && e.name ? e.name : "Error";
      var why = name === "NotAllowedError" ? "it was cancelled, timed out, or this key is not registered here"
        : name === "InvalidStateError" ? "this key is already registered" : (e && e.message) || "unknown error";
      showError("The security key or passkey did not answer (" + name + ": " + why + "). Try again.");
    });
  });
})();
