// Statistics dashboard: draws the charts from the JSON the page renders; every chart also has a data table in the page.

const source = document.getElementById('stats-data');

function draw(data) {
    const common = { responsive: true, maintainAspectRatio: false, animation: false };
    const messages = document.getElementById('messages-chart');
    if (messages) {
        new Chart(messages, {
            type: 'bar',
            data: {
                labels: data.labels,
                datasets: [
                    { label: data.text.received, data: data.received, backgroundColor: '#1b7a47' },
                    { label: data.text.sentByStaff, data: data.sentByStaff, backgroundColor: '#3d7bd9' },
                    { label: data.text.sentAutomatic, data: data.sentAutomatic, backgroundColor: '#b0b7bf' },
                ],
            },
            options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        });
    }
    const frt = document.getElementById('frt-chart');
    if (frt) {
        new Chart(frt, {
            type: 'line',
            data: {
                labels: data.labels,
                datasets: [{ label: data.text.firstResponse, data: data.firstResponseMinutes, borderColor: '#3d7bd9', spanGaps: true }],
            },
            options: { ...common, scales: { y: { beginAtZero: true } } },
        });
    }
}

// Choosing a preset shows it at once; a custom range waits for its dates and the Show button.
const range = document.getElementById('range');
range?.addEventListener('change', () => {
    if (range.value !== 'custom') {
        range.form.requestSubmit();
    }
});

if (source && window.Chart) {
    draw(JSON.parse(source.textContent));
}
