// Small helpers shared by the staff inbox and the customer chat page. Everything is built from DOM
// nodes and textContent: chat text is never parsed as HTML.

/** The page's translated texts, from its JSON data block. */
export function readTexts(id) {
    return JSON.parse(document.getElementById(id).textContent);
}

/** Fills {0}, {1}, … in a translated text. */
export function format(text, ...args) {
    return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

export function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
        node.className = className;
    }
    if (text !== undefined && text !== null) {
        node.textContent = text;
    }
    return node;
}

/** Unicode code points, as the server counts them (an emoji is one, not two). */
export function codePoints(text) {
    return [...text].length;
}

/** The refusal the hub gave (a HubException's message), or a general message. */
export function hubError(err, fallback) {
    const message = String(err?.message ?? '');
    const marker = 'HubException: ';
    const at = message.indexOf(marker);
    return at >= 0 ? message.slice(at + marker.length) : fallback;
}

// Dates and times as the person's browser writes them (24-hour or not, day or month first).
const lang = undefined;
const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(lang, { weekday: 'long' });
const dateFormat = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', year: 'numeric' });
const shortDateFormat = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'numeric', year: '2-digit' });

export function timeOf(date) {
    return timeFormat.format(date);
}

function daysAgo(date, now = new Date()) {
    const start = d => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    return Math.round((start(now) - start(date)) / 86_400_000);
}

export function dayKey(date) {
    return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/** "Today", "Yesterday", a weekday within the week, else the date: the separators between days. */
export function dayLabel(date, texts) {
    const days = daysAgo(date);
    if (days === 0) return texts.today;
    if (days === 1) return texts.yesterday;
    if (days > 1 && days < 7) return weekdayFormat.format(date);
    return dateFormat.format(date);
}

/** The conversation list's time: the hour today, "Yesterday", a weekday, else a short date. */
export function relativeTime(date, texts) {
    const days = daysAgo(date);
    if (days <= 0) return timeFormat.format(date);
    if (days === 1) return texts.yesterday;
    if (days < 7) return weekdayFormat.format(date);
    return shortDateFormat.format(date);
}

/** The ticks on a message we sent: a clock, ✓, ✓✓, blue ✓✓; named for screen readers and tests. */
export function tick(status, texts) {
    const name = { Queued: texts.queued, Sent: texts.sent, Delivered: texts.delivered, Read: texts.read }[status];
    if (!name) {
        return null;
    }
    const symbol = { Queued: '🕓', Sent: '✓', Delivered: '✓✓', Read: '✓✓' }[status];
    const node = el('span', `bi-tick bi-tick-${status.toLowerCase()}`, symbol);
    node.setAttribute('role', 'img');
    node.setAttribute('aria-label', name);
    node.title = name;
    return node;
}

/** Grows a textarea with its text, up to the CSS max-height. */
export function autoGrow(textarea) {
    textarea.style.height = 'auto';
    textarea.style.height = `${textarea.scrollHeight}px`;
}

/** Enter sends, Shift+Enter makes a new line (and an IME composition is never cut short). */
export function sendOnEnter(textarea, form) {
    textarea.addEventListener('keydown', e => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            form.requestSubmit();
        }
    });
}
