// Settings pages: copy buttons next to read-only fields, and confirmation before destructive forms.

for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', async () => {
        const field = document.getElementById(button.dataset.copy);
        if (!field) {
            return;
        }
        const label = button.textContent;
        try {
            await navigator.clipboard.writeText(field.value);
        } catch {
            // Without clipboard permission (plain http), fall back to selecting the text for Ctrl+C.
            field.focus();
            field.select();
            return;
        }
        button.textContent = button.dataset.copied || label;
        setTimeout(() => { button.textContent = label; }, 2000);
    });
}

for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
        if (!window.confirm(form.dataset.confirm)) {
            event.preventDefault();
        }
    });
}
