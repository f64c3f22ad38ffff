/**
 * The portal's one script: a Copy button beside each value marked `data-copy` (a client ID, a secret
 * shown once, a command). Without it the page works the same and the values are plain selectable text.
 * It runs inline with the page's CSP nonce (http/page-security.ts); it reads nothing from the URL and
 * sends nothing anywhere.
 */

/** The script's text: the button announces "Copied" (or how to copy by hand) in a status region. */
export const COPY_SCRIPT = `(() => {
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  document.body.append(status);
  for (const target of document.querySelectorAll('[data-copy]')) {
    const what = target.getAttribute('data-copy');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-secondary button-small copy-button';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy ' + what);
    let timer;
    button.addEventListener('click', async () => {
      let said;
      try {
        await navigator.clipboard.writeText(target.textContent);
        button.textContent = 'Copied';
        button.setAttribute('aria-label', 'Copied ' + what);
        said = 'Copied the ' + what + ' to the clipboard.';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(target);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        said = 'Selected the ' + what + ': press Ctrl+C or Command+C to copy it.';
      }
      status.textContent = said;
      clearTimeout(timer);
      timer = setTimeout(() => {
        button.textContent = 'Copy';
        button.setAttribute('aria-label', 'Copy ' + what);
      }, 2500);
    });
    target.parentElement.append(button);
  }
})();
`;
