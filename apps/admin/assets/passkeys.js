// "Add a passkey": reads the registration options from the page's JSON data block, asks the
// browser to create a credential (navigator.credentials.create) and posts its answer, as JSON,
// in the page's form. Loaded with the page's CSP nonce; without it the page says what is needed.
(() => {
  const options = document.getElementById('passkey-options');
  const form = document.getElementById('passkey-create-form');
  const button = document.getElementById('passkey-create');
  const status = document.getElementById('passkey-status');
  if (!options || !form || !button || !status) return;
  if (!window.PublicKeyCredential || !navigator.credentials) {
    status.textContent = 'This browser cannot create passkeys.';
    return;
  }
  const bytes = (b64url) => {
    let b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const text = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  button.hidden = false;
  button.addEventListener('click', async () => {
    const publicKey = JSON.parse(options.textContent);
    publicKey.challenge = bytes(publicKey.challenge);
    publicKey.user.id = bytes(publicKey.user.id);
    for (const c of publicKey.excludeCredentials ?? []) c.id = bytes(c.id);
    button.disabled = true;
    status.textContent = 'Follow your browser’s steps to create the passkey…';
    try {
      const credential = await navigator.credentials.create({ publicKey });
      const r = credential.response;
      form.elements.credential.value = JSON.stringify({
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
        clientExtensionResults: {},
        response: {
          clientDataJSON: text(r.clientDataJSON),
          attestationObject: text(r.attestationObject),
          transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
        },
      });
      form.submit();
    } catch {
      button.disabled = false;
      status.textContent = 'No passkey was created. Try again, or go back to your account.';
    }
  });
})();
