// The customer's chat page (/c/{slug}): the thread with the shop, live over the customer hub.
// A message gets its id here, so one re-sent after a dropped connection is stored once.
import { readTexts, format, el, codePoints, hubError, timeOf, dayKey, dayLabel, tick, autoGrow, sendOnEnter } from './chat-ui.js';
import { acceptFiles, attachmentNode, precheck, showPending, upload } from './attachments.js';

const T = readTexts('chat-text');
const root = document.querySelector('.bi-customer-chat');
const maxLength = Number(root.dataset.maxLength);
const ui = {
    status: root.querySelector('.bi-connection'),
    scroller: root.querySelector('.bi-customer-scroll'),
    thread: root.querySelector('.bi-thread'),
    form: root.querySelector('.bi-composer'),
    name: root.querySelector('#customer-name'),
    text: root.querySelector('#customer-message'),
    send: root.querySelector('.bi-composer button[type="submit"]'),
    counter: root.querySelector('.bi-counter'),
    error: root.querySelector('.bi-composer-error'),
    attach: root.querySelector('.bi-attach'),
    file: root.querySelector('.bi-file'),
    pendingFile: root.querySelector('.bi-attachment-pending'),
};
const filesBase = `/c/${encodeURIComponent(root.dataset.slug)}/attachments`;
let chosenFile = null;   // a photo or PDF for the next message, sent with the text as its caption
let uploading = false;
const nameKey = 'bi-customer-name';
const statusOrder = { Queued: 0, Sent: 1, Delivered: 2, Read: 3 };

const messages = new Map();   // id → message, as the server has it
const pending = new Map();    // clientId → { text, name, createdAt }: sent but not yet confirmed
let lastSeenRead = 0;

const connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/chat?slug=${encodeURIComponent(root.dataset.slug)}`)
    .withAutomaticReconnect()
    .build();

function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context; a shop on a plain-HTTP LAN address still gets unique ids.
    return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('');
}

function bubble({ mine, body, status, createdAt, automatic, attachment }) {
    const item = el('li', `bi-bubble-row ${mine ? 'bi-out' : 'bi-in'}`);
    const box = el('div', `bi-bubble${automatic ? ' bi-automatic' : ''}`);
    if (attachment) box.append(attachmentNode(attachment, filesBase, T));
    if (body) box.append(el('div', 'bi-bubble-text', body));
    const meta = el('div', 'bi-bubble-meta');
    meta.append(el('time', null, timeOf(new Date(createdAt))));
    if (mine) {
        const t = tick(status, T);
        if (t) meta.append(t);
    }
    box.append(meta);
    item.append(box);
    return item;
}

function render() {
    const entries = [
        ...[...messages.values()].sort((a, b) => a.id - b.id),
        ...[...pending.values()].map(p => ({ mine: true, body: p.text, status: 'Queued', createdAt: p.createdAt })),
    ];
    const nodes = [];
    let day = null;
    for (const entry of entries) {
        const date = new Date(entry.createdAt);
        if (dayKey(date) !== day) {
            day = dayKey(date);
            nodes.push(el('li', 'bi-day', dayLabel(date, T)));
        }
        nodes.push(bubble(entry));
    }
    ui.thread.replaceChildren(...nodes);
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
}

function store(m) {
    const known = messages.get(m.id);
    // Statuses only move forward; a late, older notification must not undo a newer one.
    if (known && statusOrder[known.status] > statusOrder[m.status]) m = { ...m, status: known.status };
    messages.set(m.id, m);
}

function lastShopId() {
    let last = 0;
    for (const m of messages.values()) if (!m.mine && m.id > last) last = m.id;
    return last;
}

/** Tells the shop its messages reached this page, and that they were read while the page is visible. */
async function reportSeen() {
    const last = lastShopId();
    if (!last || connection.state !== signalR.HubConnectionState.Connected) return;
    if (document.visibilityState === 'visible') {
        if (last > lastSeenRead) {
            lastSeenRead = last;
            await connection.invoke('Seen', last, true);
        }
    } else {
        await connection.invoke('Seen', last, false);
    }
}

async function deliver(clientId) {
    const p = pending.get(clientId);
    try {
        const m = await connection.invoke('Send', clientId, p.text, p.name || null);
        pending.delete(clientId);
        store(m);
        render();
    } catch (err) {
        if (connection.state !== signalR.HubConnectionState.Connected) {
            return; // Sent again with the same id once the connection is back.
        }
        pending.delete(clientId);
        render();
        if (!ui.text.value) {
            ui.text.value = p.text;
            checkComposer();
        }
        ui.error.textContent = hubError(err, T.failed);
    }
}

function checkComposer() {
    const length = codePoints(ui.text.value.trim());
    const over = length > maxLength;
    ui.counter.textContent = length > maxLength * 0.9 ? `${length} / ${maxLength}` : '';
    ui.counter.classList.toggle('text-danger', over);
    ui.send.disabled = (length === 0 && !chosenFile) || over || uploading;
    if (over) ui.error.textContent = format(T.tooLong, maxLength, length);
    else if (ui.error.dataset.kind === 'length') ui.error.textContent = '';
    ui.error.dataset.kind = over ? 'length' : '';
    autoGrow(ui.text);
}

/** A file for the next message (or none); a refused one leaves the composer as it was, with the reason. */
function chooseFile(file) {
    const problem = file && precheck(file, T);
    if (problem) {
        ui.error.textContent = problem;
        return;
    }
    chosenFile = file;
    showPending(ui.pendingFile, file);
    ui.error.textContent = '';
    checkComposer();
    if (file) ui.text.focus();
}

/** Uploads the chosen file with the text as its caption; on a refusal both stay in the composer. */
async function sendFile(text) {
    const form = new FormData();
    form.append('__RequestVerificationToken', ui.form.querySelector('[name="__RequestVerificationToken"]').value);
    form.append('clientId', newClientId());
    form.append('caption', text);
    form.append('name', ui.name.value.trim());
    form.append('file', chosenFile, chosenFile.name || 'image');
    uploading = true;
    checkComposer();
    ui.counter.textContent = T.uploading;
    try {
        store(await upload(filesBase, form, T));
        chooseFile(null);
        ui.text.value = '';
        render();
        // Asking for the history again also makes this connection listen to a chat the upload just started.
        if (connection.state === signalR.HubConnectionState.Connected) {
            for (const m of await connection.invoke('History')) store(m);
            render();
        }
    } catch (err) {
        ui.error.textContent = err.message;
    } finally {
        uploading = false;
        checkComposer();
    }
}

acceptFiles({ button: ui.attach, input: ui.file, dropZones: [ui.scroller, ui.form], pasteTarget: ui.text, onFile: chooseFile });
ui.pendingFile.querySelector('.bi-attachment-remove').addEventListener('click', () => { chooseFile(null); ui.text.focus(); });

ui.form.addEventListener('submit', e => {
    e.preventDefault();
    const text = ui.text.value.trim();
    if (ui.send.disabled) return;
    if (chosenFile) {
        sendFile(text);
        return;
    }
    if (!text) return;
    const clientId = newClientId();
    pending.set(clientId, { text, name: ui.name.value.trim(), createdAt: new Date().toISOString() });
    ui.text.value = '';
    checkComposer();
    render();
    if (connection.state === signalR.HubConnectionState.Connected) deliver(clientId);
});
sendOnEnter(ui.text, ui.form);
ui.text.addEventListener('input', checkComposer);
ui.name.value = localStorage.getItem(nameKey) ?? '';
ui.name.addEventListener('input', () => localStorage.setItem(nameKey, ui.name.value.trim()));

connection.on('Message', m => {
    if (m.mine) {
        // Our own message, echoed to every tab: in this tab it replaces the pending bubble.
        for (const [clientId, p] of pending) {
            if (p.text === m.body) {
                pending.delete(clientId);
                break;
            }
        }
    }
    store(m);
    render();
    if (!m.mine) {
        connection.invoke('Seen', m.id, false).then(reportSeen).catch(() => { });
    }
});

connection.on('MessagesStatus', (ids, status) => {
    for (const id of ids) {
        const m = messages.get(id);
        if (m) store({ ...m, status });
    }
    render();
});

document.addEventListener('visibilitychange', () => { reportSeen().catch(() => { }); });

async function catchUp() {
    ui.status.textContent = T.online;
    for (const m of await connection.invoke('History')) store(m);
    render();
    for (const clientId of pending.keys()) await deliver(clientId);
    await reportSeen();
}

connection.onreconnecting(() => { ui.status.textContent = T.reconnecting; });
connection.onreconnected(() => catchUp().catch(() => { }));
connection.onclose(() => { ui.status.textContent = T.offline; });

checkComposer();
try {
    await connection.start();
    await catchUp();
} catch (err) {
    ui.status.textContent = T.offline;
    ui.error.textContent = hubError(err, T.failed);
}
