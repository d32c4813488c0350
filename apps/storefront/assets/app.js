// Emporium storefront: progressive enhancement only. Every page works without this file except the
// card field at checkout, which needs the vault's frame.
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // Cached pages carry no session: fetch this browser's form token and cart count once.
  const csrfFields = $$('input[name="_csrf"]').filter((input) => input.value === '');
  const count = $('[data-cart-count]');
  if (csrfFields.length > 0 || (count && count.dataset.cartCount === '')) {
    fetch('/session.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then((res) => (res.ok ? res.json() : null))
      .then((session) => {
        if (!session) return;
        for (const input of csrfFields) input.value = session.csrf;
        if (count && session.cart_count > 0) count.textContent = ` (${session.cart_count})`;
      })
      .catch(() => {});
  }

  // Suggestions as the shopper types, from the public search API.
  const box = $('input[type="search"][data-suggest]');
  const list = box && document.getElementById(box.dataset.suggest);
  if (box && list) {
    let timer;
    let latest = 0;
    box.addEventListener('input', () => {
      clearTimeout(timer);
      const q = box.value.trim();
      if (q.length < 2) {
        list.replaceChildren();
        return;
      }
      timer = setTimeout(() => {
        const ticket = ++latest;
        fetch(`/store/products?limit=6&q=${encodeURIComponent(q)}`, {
          headers: { accept: 'application/json' },
        })
          .then((res) => (res.ok ? res.json() : { data: [] }))
          .then((body) => {
            if (ticket !== latest) return;
            list.replaceChildren(
              ...body.data.map((hit) => {
                const item = document.createElement('li');
                const link = document.createElement('a');
                link.href = `/products/${encodeURIComponent(hit.handle)}`;
                link.textContent = hit.title;
                item.append(link);
                return item;
              }),
            );
            const status = $('#suggest-status');
            if (status) status.textContent = `${body.data.length} suggestions`;
          })
          .catch(() => {});
      }, 150);
    });
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') list.replaceChildren();
      if (event.key === 'ArrowDown' && list.firstElementChild) {
        event.preventDefault();
        $('a', list)?.focus();
      }
    });
    list.addEventListener('keydown', (event) => {
      const links = $$('a', list);
      const at = links.indexOf(document.activeElement);
      if (event.key === 'ArrowDown' && at < links.length - 1) links[at + 1].focus();
      else if (event.key === 'ArrowUp') (at > 0 ? links[at - 1] : box).focus();
      else if (event.key === 'Escape') {
        list.replaceChildren();
        box.focus();
      } else return;
      event.preventDefault();
    });
  }

  // Variant picker: show the chosen variant's price and availability.
  const picker = $('select[data-variant-picker]');
  if (picker) {
    const update = () => {
      const option = picker.selectedOptions[0];
      if (!option) return;
      const price = $('[data-price]');
      const stock = $('[data-availability]');
      if (price && option.dataset.price) price.textContent = option.dataset.price;
      if (stock) {
        const available = option.dataset.available === 'true';
        stock.textContent = available ? 'In stock' : 'Out of stock';
        stock.className = available ? 'in-stock' : 'out-of-stock';
      }
    };
    picker.addEventListener('change', update);
  }

  // Checkout: the vault's frame sends a token; "Place order" submits once.
  const form = $('form[data-checkout]');
  if (form) {
    const frame = $('iframe[data-vault-origin]');
    const tokenField = $('input[name="payment_token"]', form);
    const summary = $('[data-card-summary]');
    const button = $('button[type="submit"]', form);
    let waiting = false;
    // The vault's card field (modules/vault/src/http/card-field.ts) posts `emporium:card-token`
    // or `emporium:card-error`, and tokenizes on `emporium:card-submit`.
    window.addEventListener('message', (event) => {
      if (!frame || event.source !== frame.contentWindow) return;
      if (event.origin !== frame.dataset.vaultOrigin) return;
      const data = event.data || {};
      if (data.type === 'emporium:card-token' && typeof data.token === 'string') {
        tokenField.value = data.token;
        if (summary) summary.textContent = `${data.brand || 'Card'} ending ${data.last4}`;
        if (waiting) {
          waiting = false;
          form.requestSubmit();
        }
      } else if (data.type === 'emporium:card-error') {
        waiting = false;
        if (button) button.disabled = false;
      }
    });
    // Shipping options follow the address as it is typed (without JavaScript: "Update shipping options").
    const options = $('[data-shipping-options]', form);
    const addressFields = $$('[data-address] input, [data-address] select, input[name="email"]', form);
    let pending = 0;
    const refreshOptions = () => {
      if (!options || !addressFields.every((input) => !input.required || input.value.trim() !== '')) return;
      const body = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (name !== 'payment_token' && name !== 'idempotency_key') body.append(name, String(value));
      }
      const ticket = ++pending;
      fetch('/checkout/address', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
        .then((res) => (res.ok ? res.json() : null))
        .then((result) => {
          if (!result || ticket !== pending) return;
          const chosen = $('input[name="shipping_option_id"]:checked', form)?.value;
          const legend = $('legend', options);
          const rows = result.options.map((option, index) => {
            const row = document.createElement('div');
            const radio = document.createElement('input');
            radio.type = 'radio';
            radio.name = 'shipping_option_id';
            radio.id = `ship-${option.id}`;
            radio.value = option.id;
            radio.checked = option.id === chosen || (!chosen && index === 0);
            const label = document.createElement('label');
            label.htmlFor = radio.id;
            label.textContent = option.name;
            const price = document.createElement('span');
            price.textContent = option.price;
            row.append(radio, ' ', label, ' ', price);
            return row;
          });
          if (rows.length === 0) {
            const help = document.createElement('p');
            help.textContent = Object.values(result.errors)[0] || 'We do not ship to this address yet.';
            rows.push(help);
          }
          options.replaceChildren(legend, ...rows);
        })
        .catch(() => {});
    };
    let typing;
    for (const input of addressFields) {
      input.addEventListener('change', refreshOptions);
      input.addEventListener('input', () => {
        clearTimeout(typing);
        typing = setTimeout(refreshOptions, 400);
      });
    }

    form.addEventListener('submit', (event) => {
      if (form.dataset.submitted === 'true') {
        event.preventDefault();
        return;
      }
      if (!tokenField.value && frame) {
        // Ask the card field to tokenize what was typed; submit when the token arrives.
        event.preventDefault();
        waiting = true;
        frame.contentWindow.postMessage({ type: 'emporium:card-submit' }, frame.dataset.vaultOrigin);
        return;
      }
      form.dataset.submitted = 'true';
      if (button) button.disabled = true;
    });
  }
})();
