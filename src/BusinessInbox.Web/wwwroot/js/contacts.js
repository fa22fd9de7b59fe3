// Contacts import: polls the running import's progress and moves the bar until it is done.

const section = document.getElementById('import-progress');

function format(template, ...values) {
    return template.replace(/\{(\d+)\}/g, (_, i) => String(values[Number(i)]));
}

async function poll() {
    const bar = section.querySelector('.progress');
    const fill = section.querySelector('.progress-bar');
    const text = section.querySelector('[data-progress-text]');
    for (;;) {
        let state;
        try {
            const response = await fetch(section.dataset.url, { headers: { Accept: 'application/json' } });
            state = await response.json();
        } catch {
            await new Promise((resolve) => setTimeout(resolve, 2000));
            continue;
        }
        const percent = state.total > 0 ? Math.round((100 * state.processed) / state.total) : 0;
        if (state.status === 'Done') {
            fill.style.width = '100%';
            bar.setAttribute('aria-valuenow', '100');
            text.textContent = format(section.dataset.done, state.created, state.updated, state.skipped);
            return;
        }
        if (state.status === 'Failed') {
            fill.classList.replace('bg-success', 'bg-danger');
            text.textContent = state.error || section.dataset.failed;
            return;
        }
        fill.style.width = `${percent}%`;
        bar.setAttribute('aria-valuenow', String(percent));
        text.textContent = `${percent}%`;
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

if (section) poll();
