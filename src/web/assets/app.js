// Progressive enhancement only: every page works without this file.

document.addEventListener('DOMContentLoaded', () => {
  // Browse filters: a changed select applies the filters at once.
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => {
      const form = select.form;
      if (form) form.requestSubmit();
    });
  }

  // "Copy value" buttons, shown only when the clipboard API is there.
  if (navigator.clipboard && window.isSecureContext) {
    for (const button of document.querySelectorAll('button[data-copy]')) {
      const label = button.textContent;
      button.hidden = false;
      button.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(button.dataset.copy || '');
          button.textContent = 'Copied';
        } catch {
          button.textContent = 'Copy failed';
        }
        setTimeout(() => {
          button.textContent = label;
        }, 1500);
      });
    }
  }
});
