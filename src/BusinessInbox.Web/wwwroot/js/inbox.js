// The staff inbox: conversation list and thread, live over the staff hub (/hubs/inbox).
// SignalR only notifies; after a reconnect the page asks the server again (the database is the truth).
import { readTexts, format, el, codePoints, hubError, timeOf, dayKey, dayLabel, relativeTime, tick, autoGrow, sendOnEnter } from './chat-ui.js';
import { acceptFiles, attachmentNode, precheck, showPending, upload, whatsAppPrecheck } from './attachments.js';
import { createTemplatePicker } from './templates.js';

const T = readTexts('inbox-text');
const root = document.querySelector('.bi-inbox');
const userId = root.dataset.userId;
const maxLength = Number(root.dataset.maxLength);
const $ = selector => root.querySelector(selector);
const wide = window.matchMedia('(min-width: 768px)');

const ui = {
    status: $('.bi-connection-status'),
    notify: $('.bi-enable-notifications'),
    search: $('#chat-search'),
    views: [...root.querySelectorAll('.bi-view')],
    statusFilter: $('#status-filter'),
    list: $('.bi-chat-list'),
    listEmpty: $('.bi-list-empty'),
    loadMore: $('.bi-load-more'),
    empty: $('.bi-thread-empty'),
    thread: $('.bi-thread-view'),
    back: $('.bi-back'),
    name: $('.bi-contact-name'),
    channel: $('.bi-contact-channel'),
    assignee: $('#assignee'),
    assignMe: $('.bi-assign-me'),
    pending: $('.bi-pending'),
    resolve: $('.bi-resolve'),
    reopen: $('.bi-reopen'),
    scroller: $('.bi-messages-scroll'),
    loadOlder: $('.bi-load-older'),
    messages: $('.bi-messages'),
    composer: $('.bi-staff-composer'),
    note: $('.bi-note-toggle'),
    text: $('#reply'),
    counter: $('.bi-counter'),
    send: $('.bi-send'),
    error: $('.bi-composer-error'),
    labelFilter: $('.bi-label-filter'),
    labelClear: $('.bi-label-clear'),
    threadLabels: $('.bi-thread-labels'),
    labelPicker: $('.bi-label-picker'),
    quickReplies: $('#quick-replies'),
    attach: $('.bi-attach'),
    file: $('.bi-file'),
    pendingFile: $('.bi-attachment-pending'),
};

const state = {
    filter: { view: 'All', status: null, search: '', labels: new Set() },
    labels: [],           // the business's labels, by name
    quickReplies: [],
    chats: [],            // the loaded part of the list, newest first
    nextCursor: null,
    members: [],
    open: null,           // { chat, messages: Map(id → message), events: Map(id → event), hasOlder }
    file: null,           // a photo or PDF chosen in the composer, sent with the text as its caption
};

const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/inbox')
    .withAutomaticReconnect()
    .build();

const templatePicker = createTemplatePicker({ form: $('.bi-template-composer'), connection, texts: T, onSent: showSent });

// ---- Conversation list ----

function matchesFilter(chat) {
    const { view, status } = state.filter;
    if (status && chat.status !== status) return false;
    if (state.filter.labels.size > 0 && !chat.labels.some(l => state.filter.labels.has(l.id))) return false;
    switch (view) {
        case 'Unread': return chat.unreadCount > 0;
        case 'Mine': return chat.assigneeId === userId && chat.status !== 'Resolved';
        case 'Unassigned': return !chat.assigneeId && chat.status !== 'Resolved';
        default: return true;
    }
}

const newestFirst = (a, b) => (Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt)) || (b.id - a.id);

/** Puts a changed chat where it belongs in the list (or takes it out), without asking the server. */
function upsertChat(chat) {
    const at = state.chats.findIndex(c => c.id === chat.id);
    const known = at >= 0;
    if (known) state.chats.splice(at, 1);
    // A search is done by the server; a live change only refreshes rows already found.
    // The open chat stays where it is in the list while it is being read, even if it no longer matches (Unread).
    const belongs = (matchesFilter(chat) && (known || !state.filter.search)) || (known && state.open?.chat.id === chat.id);
    const last = state.chats[state.chats.length - 1];
    const beyondLoaded = state.nextCursor && last && newestFirst(chat, last) > 0;
    if (belongs && !beyondLoaded) {
        state.chats.push(chat);
        state.chats.sort(newestFirst);
    }
    if (state.open?.chat.id === chat.id) {
        state.open.chat = chat;
        renderHeader();
    }
    renderList();
}

function chatRow(chat) {
    const item = el('li');
    const button = el('button', 'bi-chat-item');
    button.type = 'button';
    button.dataset.chatId = chat.id;
    if (state.open?.chat.id === chat.id) button.setAttribute('aria-current', 'true');
    const avatar = el('span', 'bi-avatar', (chat.contactName.trim()[0] ?? '?').toUpperCase());
    avatar.setAttribute('aria-hidden', 'true');
    const body = el('span', 'bi-chat-item-body');
    const top = el('span', 'bi-chat-item-line');
    top.append(el('span', 'bi-chat-name', chat.contactName), el('span', 'bi-chat-time', relativeTime(new Date(chat.lastMessageAt), T)));
    const bottom = el('span', 'bi-chat-item-line');
    bottom.append(el('span', 'bi-chat-preview', chat.lastMessagePreview));
    if (chat.unreadCount > 0) {
        const badge = el('span', 'badge rounded-pill bi-unread', String(chat.unreadCount));
        badge.setAttribute('aria-label', format(T.unread, chat.unreadCount));
        bottom.append(badge);
    }
    const meta = el('span', 'bi-chat-item-line bi-chat-meta');
    meta.append(
        el('span', 'bi-chat-assignee', chat.assigneeName ? format(T.assignedTo, chat.assigneeName) : T.unassigned),
        el('span', `bi-status bi-status-${chat.status.toLowerCase()}`, T[chat.status.toLowerCase()]));
    body.append(top, bottom, meta);
    if (chat.labels.length > 0) body.append(chips(chat.labels, 'bi-chat-item-line'));
    button.append(avatar, body);
    item.append(button);
    return item;
}

function renderList() {
    ui.list.replaceChildren(...state.chats.map(chatRow));
    ui.listEmpty.hidden = state.chats.length > 0;
    ui.loadMore.hidden = !state.nextCursor;
}

let listRequest = 0;

async function loadList(append = false) {
    const { view, status, search, labels } = state.filter;
    const request = ++listRequest;
    const page = await connection.invoke('ListChats', {
        view, status, search: search || null, cursor: append ? state.nextCursor : null, limit: 30, labels: [...labels],
    });
    // A slower answer to an earlier filter must not replace the list of the current one.
    if (request !== listRequest) return;
    state.chats = append ? [...state.chats, ...page.chats.filter(c => !state.chats.some(k => k.id === c.id))] : page.chats;
    state.nextCursor = page.nextCursor;
    renderList();
}

function showCounters(counters) {
    for (const span of root.querySelectorAll('[data-counter]')) {
        // A push may carry some of the counts only: the others stay as shown.
        const value = counters[span.dataset.counter];
        if (value !== undefined) span.textContent = String(value);
    }
}

// ---- Thread ----

function bubble(m) {
    const ours = m.direction === 'Outbound';
    const note = m.kind === 'Note';
    const item = el('li', `bi-bubble-row ${ours ? 'bi-out' : 'bi-in'}`);
    item.dataset.messageId = m.id;
    const box = el('div', `bi-bubble${note ? ' bi-note' : ''}${m.author === 'Automatic' ? ' bi-automatic' : ''}`);
    if (note) {
        box.append(el('div', 'bi-bubble-label', T.privateNote));
    } else if (m.author === 'Automatic') {
        box.append(el('div', 'bi-bubble-label', T.automatic));
    }
    if (ours && m.authorName && !note) {
        box.append(el('div', 'bi-bubble-author', m.authorName));
    } else if (note && m.authorName) {
        box.append(el('div', 'bi-bubble-author', m.authorName));
    }
    if (m.attachment) box.append(attachmentNode(m.attachment, '/inbox/attachments', T));
    if (m.body) box.append(el('div', 'bi-bubble-text', m.body));
    const meta = el('div', 'bi-bubble-meta');
    meta.append(el('time', null, timeOf(new Date(m.createdAt))));
    // Staff see ticks on what the shop sent; a customer message's status is the shop's own reading.
    if (ours && !note) {
        const t = tick(m.status, T);
        if (t) meta.append(t);
    }
    box.append(meta);
    if (m.reaction) {
        const reaction = el('div', 'bi-reaction', m.reaction);
        reaction.setAttribute('role', 'img');
        reaction.setAttribute('aria-label', format(T.reaction, m.reaction));
        box.append(reaction);
    }
    // A customer's file that could not be fetched from the channel: the message stays, with the reason.
    if (!ours && m.failureReason) box.append(el('div', 'bi-failed-reason small text-danger', m.failureReason));
    if (ours && m.status === 'Failed') {
        const failed = el('div', 'bi-failed');
        failed.append(el('span', 'bi-failed-reason', format(T.failed, m.failureReason ?? '')));
        const retry = el('button', 'btn btn-sm btn-outline-danger bi-retry', T.retry);
        retry.type = 'button';
        retry.dataset.retry = m.id;
        failed.append(retry);
        box.append(failed);
    }
    item.append(box);
    return item;
}

function eventText(e) {
    const actor = e.actorName ?? '';
    if (e.kind === 'Assigned') {
        if (!e.to) return format(T.unassignedBy, actor);
        return actor ? format(T.assigned, actor, e.to) : format(T.assignedAuto, e.to);
    }
    if (e.to === 'Resolved') return format(T.resolvedBy, actor);
    if (e.to === 'Pending') return format(T.pendingBy, actor);
    return actor && e.from === 'Resolved' ? format(T.reopenedBy, actor) : T.reopened;
}

function renderThread() {
    const open = state.open;
    const items = [
        ...[...open.messages.values()].map(m => ({ at: m.createdAt, order: 0, id: m.id, node: () => bubble(m) })),
        ...[...open.events.values()].map(e => ({ at: e.at, order: 1, id: e.id, node: () => el('li', 'bi-event', eventText(e)) })),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order || a.id - b.id);
    const nodes = [];
    let day = null;
    for (const item of items) {
        const date = new Date(item.at);
        if (dayKey(date) !== day) {
            day = dayKey(date);
            nodes.push(el('li', 'bi-day', dayLabel(date, T)));
        }
        nodes.push(item.node());
    }
    const atBottom = ui.scroller.scrollHeight - ui.scroller.scrollTop - ui.scroller.clientHeight < 80;
    ui.messages.replaceChildren(...nodes);
    ui.loadOlder.hidden = !open.hasOlder;
    if (atBottom || open.scrollToEnd) {
        ui.scroller.scrollTop = ui.scroller.scrollHeight;
        open.scrollToEnd = false;
    }
}

const windowLength = 24 * 60 * 60 * 1000;

/** WhatsApp only lets a business answer freely within 24 hours of the customer's last message. */
function renderChannel(chat) {
    const open = chat.channel === 'WhatsApp' && chat.lastCustomerMessageAt && Date.parse(chat.lastCustomerMessageAt) + windowLength > Date.now();
    // Outside the window the template picker takes the composer's place.
    ui.composer.hidden = templatePicker.show(chat, !open);
    if (chat.channel !== 'WhatsApp') {
        ui.channel.textContent = T.webChat;
        return;
    }
    const left = chat.lastCustomerMessageAt ? Date.parse(chat.lastCustomerMessageAt) + windowLength - Date.now() : 0;
    if (left <= 0) {
        ui.channel.textContent = T.windowClosed;
        return;
    }
    const minutes = Math.ceil(left / 60000);
    ui.channel.textContent = format(T.windowLeft, Math.floor(minutes / 60), minutes % 60);
}

setInterval(() => { if (state.open) renderChannel(state.open.chat); }, 60000);

function renderHeader() {
    const chat = state.open.chat;
    ui.name.textContent = chat.contactName;
    renderChannel(chat);
    const options = [el('option', null, T.unassigned)];
    options[0].value = '';
    for (const member of state.members) {
        const option = el('option', null, member.name);
        option.value = member.id;
        options.push(option);
    }
    ui.assignee.replaceChildren(...options);
    ui.assignee.value = chat.assigneeId ?? '';
    ui.assignMe.hidden = chat.assigneeId === userId;
    ui.resolve.hidden = chat.status === 'Resolved';
    ui.pending.hidden = chat.status !== 'Open';
    ui.reopen.hidden = chat.status !== 'Resolved';
    ui.threadLabels.replaceChildren(...(chat.labels.length > 0 ? [chips(chat.labels)] : []));
    if (ui.labelPicker.open) chatLabels.render();
    for (const button of ui.list.querySelectorAll('.bi-chat-item')) {
        if (Number(button.dataset.chatId) === chat.id) button.setAttribute('aria-current', 'true');
        else button.removeAttribute('aria-current');
    }
}

function lastMessageId() {
    return Math.max(0, ...state.open.messages.keys());
}

function merge(open, thread) {
    for (const m of thread.messages) open.messages.set(m.id, m);
    for (const e of thread.events) open.events.set(e.id, e);
}

async function openChat(chatId) {
    const thread = await connection.invoke('Thread', chatId, null);
    ui.labelPicker.open = false;
    closePicker();
    state.open = { chat: thread.chat, messages: new Map(), events: new Map(), hasOlder: thread.hasOlder, scrollToEnd: true };
    merge(state.open, thread);
    ui.empty.hidden = true;
    ui.thread.hidden = false;
    root.classList.add('bi-show-thread');
    // A file chosen for one customer must not go to the next one opened.
    chooseFile(null);
    ui.error.textContent = '';
    renderHeader();
    renderThread();
    // On a phone, focusing the composer would cover the thread with the keyboard.
    if (wide.matches) ui.text.focus({ preventScroll: true });
    await markRead();
}

async function markRead() {
    if (state.open && !document.hidden) {
        await connection.invoke('MarkRead', state.open.chat.id);
    }
}

async function loadOlder() {
    const open = state.open;
    const oldest = Math.min(...open.messages.keys());
    const thread = await connection.invoke('Thread', open.chat.id, oldest);
    merge(open, thread);
    open.hasOlder = thread.hasOlder;
    const fromEnd = ui.scroller.scrollHeight - ui.scroller.scrollTop;
    renderThread();
    ui.scroller.scrollTop = ui.scroller.scrollHeight - fromEnd;
}

/** After a reconnect: what the open thread missed, and the current state of what it shows. */
async function catchUpThread() {
    const open = state.open;
    const missed = await connection.invoke('MessagesSince', open.chat.id, lastMessageId());
    const latest = await connection.invoke('Thread', open.chat.id, null);
    for (const m of missed) open.messages.set(m.id, m);
    merge(open, latest);
    open.chat = latest.chat;
    renderHeader();
    renderThread();
    if (latest.chat.unreadCount > 0) await markRead();
}

// ---- Composer ----

function checkComposer() {
    const length = codePoints(ui.text.value.trim());
    const over = length > maxLength;
    ui.counter.textContent = `${length} / ${maxLength}`;
    ui.counter.classList.toggle('text-danger', over);
    ui.send.disabled = (length === 0 && !state.file) || over;
    if (over) {
        ui.error.textContent = format(T.tooLong, maxLength, length);
    } else if (ui.error.dataset.kind === 'length' || ui.error.textContent === '') {
        ui.error.textContent = '';
    }
    ui.error.dataset.kind = over ? 'length' : '';
    autoGrow(ui.text);
}

function showSent(message) {
    if (state.open?.chat.id === message.chatId) {
        state.open.messages.set(message.id, message);
        state.open.scrollToEnd = true;
        renderThread();
    }
}

async function send(e) {
    e.preventDefault();
    const text = ui.text.value.trim();
    if (!state.open || ui.send.disabled || (!text && !state.file)) return;
    // The note switch may have changed since the file was chosen: WhatsApp's limits apply to what it is sent.
    const problem = state.file && fileProblem(state.file, text);
    if (problem) {
        ui.error.textContent = problem;
        return;
    }
    ui.send.disabled = true;
    try {
        const message = state.file
            ? await upload(uploadUrl(state.open.chat.id, state.file), uploadForm(text), T)
            : await connection.invoke(ui.note.checked ? 'AddNote' : 'Send', state.open.chat.id, text);
        chooseFile(null);
        ui.text.value = '';
        ui.note.checked = false;
        ui.composer.classList.remove('bi-noting');
        ui.error.textContent = '';
        showSent(message);
    } catch (err) {
        report(err);
    } finally {
        checkComposer();
        ui.text.focus();
    }
}

function uploadForm(caption) {
    const form = new FormData();
    form.append('__RequestVerificationToken', ui.composer.querySelector('[name="__RequestVerificationToken"]').value);
    form.append('caption', caption);
    form.append('note', String(ui.note.checked));
    if (!state.file.quickReplyId) form.append('file', state.file, state.file.name || 'image');
    return form;
}

// A quick reply's file is already on the server: sending asks for a copy of it instead of uploading it again.
function uploadUrl(chatId, file) {
    return file.quickReplyId
        ? `/inbox/chats/${chatId}/attachments/quick-replies/${file.quickReplyId}`
        : `/inbox/chats/${chatId}/attachments`;
}

/** Why the file cannot go: the product's limits, then WhatsApp's when it is for a WhatsApp customer. */
function fileProblem(file, caption) {
    const problem = precheck(file, T);
    if (problem || ui.note.checked || state.open?.chat.channel !== 'WhatsApp') return problem;
    return whatsAppPrecheck(file, caption, T);
}

/** A file for the next message (or none); a refused one leaves the composer as it was, with the reason. */
function chooseFile(file) {
    const problem = file && fileProblem(file, '');
    if (problem) {
        ui.error.textContent = problem;
        return;
    }
    state.file = file;
    showPending(ui.pendingFile, file);
    ui.error.textContent = '';
    checkComposer();
    if (file) ui.text.focus();
}

// ---- Labels ----

function chips(labels, className) {
    const box = el('span', `bi-chips${className ? ' ' + className : ''}`);
    box.setAttribute('aria-label', format(T.labelsOf, labels.map(l => l.name).join(', ')));
    for (const label of labels) {
        const chip = el('span', 'bi-label-chip');
        const dot = el('span', `bi-label-dot bi-label-c${label.color}`);
        dot.setAttribute('aria-hidden', 'true');
        chip.append(dot, el('span', 'bi-label-name', label.name));
        box.append(chip);
    }
    return box;
}

/** A label menu (a details element): a filter box over a checkbox list, usable with a hundred labels. */
function labelMenu(details, idPrefix, isChecked, onToggle) {
    const search = details.querySelector('.bi-label-search');
    const list = details.querySelector('.bi-label-options');
    const render = () => {
        const query = search.value.trim().toLowerCase();
        const shown = state.labels.filter(l => l.name.toLowerCase().includes(query));
        list.replaceChildren(...shown.map(label => {
            const item = el('li', 'form-check');
            const box = el('input', 'form-check-input');
            box.type = 'checkbox';
            box.id = `${idPrefix}-${label.id}`;
            box.value = label.id;
            box.checked = isChecked(label.id);
            const text = el('label', 'form-check-label');
            text.htmlFor = box.id;
            const dot = el('span', `bi-label-dot bi-label-c${label.color}`);
            dot.setAttribute('aria-hidden', 'true');
            text.append(dot, el('span', null, label.name));
            item.append(box, text);
            return item;
        }));
        if (shown.length === 0) list.append(el('li', 'small text-body-secondary', T.noLabels));
    };
    search.addEventListener('input', render);
    list.addEventListener('change', e => onToggle(Number(e.target.value), e.target.checked));
    details.addEventListener('toggle', () => {
        if (!details.open) return;
        search.value = '';
        render();
        search.focus();
    });
    details.addEventListener('keydown', e => {
        if (e.key !== 'Escape') return;
        details.open = false;
        details.querySelector('summary').focus();
    });
    return { render };
}

const filterLabels = labelMenu(ui.labelFilter, 'filter-label', id => state.filter.labels.has(id), (id, checked) => {
    if (checked) state.filter.labels.add(id);
    else state.filter.labels.delete(id);
    showLabelFilter();
    loadList().catch(report);
});

function showLabelFilter() {
    const count = state.filter.labels.size;
    const summary = ui.labelFilter.querySelector('summary');
    summary.textContent = count > 0 ? format(T.labelsFilter, count) : T.labels;
    summary.classList.toggle('active', count > 0);
}

const chatLabels = labelMenu(ui.labelPicker, 'chat-label', id => state.open?.chat.labels.some(l => l.id === id), async (id, checked) => {
    const chat = state.open.chat;
    const ids = new Set(chat.labels.map(l => l.id));
    if (checked) ids.add(id);
    else ids.delete(id);
    try {
        ui.error.textContent = '';
        // The server's ChatChanged brings the new labels to every member, this browser included.
        await connection.invoke('SetChatLabels', chat.id, [...ids]);
    } catch (err) {
        report(err);
        chatLabels.render();
    }
});

/** Renamed, recoloured or deleted labels: the chips already shown follow without asking the server again. */
function applyLabels(labels) {
    state.labels = labels;
    const byId = new Map(labels.map(l => [l.id, l]));
    const refresh = chat => ({ ...chat, labels: chat.labels.map(l => byId.get(l.id)).filter(Boolean) });
    state.chats = state.chats.map(refresh);
    for (const id of [...state.filter.labels]) if (!byId.has(id)) state.filter.labels.delete(id);
    showLabelFilter();
    renderList();
    if (state.open) {
        state.open.chat = refresh(state.open.chat);
        renderHeader();
    }
    if (ui.labelFilter.open) filterLabels.render();
}

ui.labelClear.addEventListener('click', () => {
    state.filter.labels.clear();
    showLabelFilter();
    filterLabels.render();
    loadList().catch(report);
});

// ---- Quick replies: "/" at the start of a word opens a listbox under the caret's word ----

const picker = { word: null, items: [], active: 0, dismissed: -1 };
const maxShown = 50;
let quickRepliesLoaded = 0;

async function loadQuickReplies() {
    const replies = await connection.invoke('QuickReplies');
    state.quickReplies = replies.map(r => ({ ...r, lower: r.text.toLowerCase() }));
    quickRepliesLoaded = Date.now();
}

/** The "/word" that ends at the caret, when the caret is right after one. */
function slashWord() {
    const at = ui.text.selectionStart;
    if (at !== ui.text.selectionEnd) return null;
    const match = /(^|\s)\/([^\s/]*)$/.exec(ui.text.value.slice(0, at));
    return match ? { start: at - match[2].length - 1, end: at, query: match[2].toLowerCase() } : null;
}

function matchingReplies(query) {
    const first = [];
    const rest = [];
    for (const r of state.quickReplies) {
        if (r.shortcut.startsWith(query)) first.push(r);
        else if (r.shortcut.includes(query) || r.lower.includes(query)) rest.push(r);
        if (first.length >= maxShown) break;
    }
    return first.concat(rest).slice(0, maxShown);
}

function updatePicker() {
    const word = slashWord();
    if (!word || word.start === picker.dismissed || !state.open) {
        closePicker(word?.start === picker.dismissed);
        return;
    }
    picker.dismissed = -1;
    const items = matchingReplies(word.query);
    if (items.length === 0) {
        closePicker();
        return;
    }
    const keep = picker.word && picker.word.start === word.start ? items.findIndex(r => r.id === picker.items[picker.active]?.id) : -1;
    Object.assign(picker, { word, items, active: keep >= 0 ? keep : 0 });
    renderPicker();
}

function renderPicker() {
    ui.quickReplies.replaceChildren(...picker.items.map((r, i) => {
        const option = el('li', 'bi-quick-reply');
        option.id = `quick-reply-${r.id}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', String(i === picker.active));
        option.dataset.index = i;
        option.append(el('span', 'bi-quick-reply-shortcut', `/${r.shortcut}`), el('span', 'bi-quick-reply-text', r.text.slice(0, 160)));
        if (r.file) option.append(el('span', 'bi-quick-reply-file', `📎 ${r.file.fileName}`));
        return option;
    }));
    ui.quickReplies.hidden = false;
    const active = ui.quickReplies.children[picker.active];
    ui.text.setAttribute('aria-activedescendant', active.id);
    active.scrollIntoView({ block: 'nearest' });
}

function closePicker(dismissed = false) {
    if (!dismissed) picker.dismissed = -1;
    picker.word = null;
    picker.items = [];
    ui.quickReplies.hidden = true;
    ui.quickReplies.replaceChildren();
    ui.text.removeAttribute('aria-activedescendant');
}

async function insertQuickReply(reply) {
    const word = picker.word;
    const chatId = state.open.chat.id;
    closePicker();
    let text;
    try {
        text = await connection.invoke('RenderQuickReply', chatId, reply.id);
    } catch (err) {
        report(err);
        return;
    }
    if (state.open?.chat.id !== chatId) return;
    // The agent may have typed on while the text was filled in: replace the "/word" as it is now.
    const now = slashWord();
    const end = now && now.start === word.start ? now.end : word.end;
    const value = ui.text.value;
    ui.text.value = value.slice(0, word.start) + text + value.slice(end);
    const caret = word.start + text.length;
    ui.text.focus();
    ui.text.setSelectionRange(caret, caret);
    checkComposer();
    // Staged like a file the agent attached: the same chip, removable before sending.
    if (reply.file) chooseFile({ quickReplyId: reply.id, name: reply.file.fileName, size: reply.file.size, type: reply.file.contentType });
}

ui.text.addEventListener('keydown', e => {
    if (!picker.word || e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const step = e.key === 'ArrowDown' ? 1 : -1;
        picker.active = (picker.active + step + picker.items.length) % picker.items.length;
        renderPicker();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
        insertQuickReply(picker.items[picker.active]);
    } else if (e.key === 'Escape') {
        picker.dismissed = picker.word.start;
        closePicker(true);
    } else {
        return;
    }
    // Handled here: Enter must not also send, Tab must not leave the box.
    e.preventDefault();
    e.stopImmediatePropagation();
});
ui.text.addEventListener('input', updatePicker);
ui.text.addEventListener('click', updatePicker);
ui.text.addEventListener('blur', () => closePicker());
ui.text.addEventListener('focus', () => {
    if (Date.now() - quickRepliesLoaded > 30_000) loadQuickReplies().catch(() => { });
});
// Pressing on an option must not take the focus from the text box (which would close the list).
ui.quickReplies.addEventListener('mousedown', e => e.preventDefault());
ui.quickReplies.addEventListener('click', e => {
    const option = e.target.closest('[role="option"]');
    if (option) insertQuickReply(picker.items[Number(option.dataset.index)]);
});

// ---- Notifications ----

let audio = null;

function beep() {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.25);
}

function notifyAway(chat, message) {
    if (!document.hidden && document.hasFocus()) return;
    try {
        beep();
    } catch {
        // No sound without an audio device; the notification still shows.
    }
    if ('Notification' in window && Notification.permission === 'granted') {
        const shown = new Notification(format(T.notificationTitle, chat.contactName), { body: message.body.slice(0, 140), tag: `chat-${chat.id}` });
        shown.onclick = () => { window.focus(); openChat(chat.id).catch(report); shown.close(); };
    }
}

function setUpNotificationButton() {
    const ask = 'Notification' in window && Notification.permission === 'default';
    ui.notify.hidden = !ask;
    ui.notify.addEventListener('click', async () => {
        await Notification.requestPermission();
        ui.notify.hidden = Notification.permission !== 'default';
    });
    // Audio may only start after the person has interacted with the page.
    document.addEventListener('pointerdown', () => { audio ??= new AudioContext(); audio.resume(); }, { once: true });
}

// ---- Live updates ----

// The messages one commit stored: a busy shop's arrivals of a few milliseconds come in one push.
connection.on('MessagesAdded', added => {
    // Each chat as the commit left it, its row drawn once; by chat, its newest customer message: delivered up to it, and
    // one notification for the chat.
    const chats = new Map();
    const newest = new Map();
    let open = false;
    for (const { chat, message } of added) {
        chats.set(chat.id, chat);
        if (message.direction === 'Inbound') newest.set(chat.id, { chat, message });
        if (state.open?.chat.id === chat.id) {
            // A message already shown came with a reply to a send or a MessageChanged that overtook this push: that one is as new or newer.
            if (!state.open.messages.has(message.id)) state.open.messages.set(message.id, message);
            open = true;
        }
    }
    for (const chat of chats.values()) upsertChat(chat);
    for (const { chat, message } of newest.values()) {
        connection.invoke('MarkDelivered', chat.id, message.id).catch(() => { });
        // A blocked contact's messages are kept but never call for attention.
        if (!chat.blocked) notifyAway(chat, message);
    }
    if (open) {
        renderThread();
        if (newest.has(state.open.chat.id) && state.open.chat.unreadCount > 0) markRead().catch(() => { });
    }
});

connection.on('MessageChanged', message => {
    const open = state.open;
    if (open?.chat.id !== message.chatId) return;
    // It can overtake its own MessagesAdded; one older than the loaded page waits for "load older".
    if (!open.messages.has(message.id) && message.id < Math.min(...open.messages.keys())) return;
    open.messages.set(message.id, message);
    renderThread();
});

connection.on('MessagesStatus', (chatId, ids, status, reason) => {
    if (state.open?.chat.id !== chatId) return;
    for (const id of ids) {
        const m = state.open.messages.get(id);
        // A customer's message moves to delivered and read; its reason (a file that could not be fetched) stays.
        if (m) state.open.messages.set(id, { ...m, status, failureReason: m.direction === 'Inbound' ? m.failureReason : reason });
    }
    renderThread();
});

connection.on('ChatChanged', (chat, change) => {
    upsertChat(chat);
    if (change && state.open?.chat.id === chat.id) {
        state.open.events.set(change.id, change);
        renderThread();
    }
});

connection.on('ChatRemoved', chatId => {
    state.chats = state.chats.filter(c => c.id !== chatId);
    renderList();
    if (state.open?.chat.id !== chatId) return;
    state.open = null;
    closePicker();
    ui.thread.hidden = true;
    ui.empty.textContent = T.chatRemoved;
    ui.empty.hidden = false;
    root.classList.remove('bi-show-thread');
});

connection.on('ReactionChanged', (chatId, messageId, reaction) => {
    const m = state.open?.chat.id === chatId ? state.open.messages.get(messageId) : null;
    if (!m) return;
    state.open.messages.set(messageId, { ...m, reaction });
    renderThread();
});

connection.on('Counters', showCounters);

connection.on('LabelsChanged', applyLabels);

connection.on('AccessRevoked', () => {
    connection.stop();
    window.location.href = '/account/login';
});

connection.onreconnecting(() => { ui.status.textContent = T.reconnecting; ui.status.hidden = false; });
connection.onreconnected(() => {
    ui.status.hidden = true;
    refreshAll().catch(report);
});
connection.onclose(() => { ui.status.textContent = T.offline; ui.status.hidden = false; });

async function refreshAll() {
    const [counters, members, labels] = await Promise.all([
        connection.invoke('Counters'), connection.invoke('Members'), connection.invoke('Labels'), loadList(), loadQuickReplies()]);
    showCounters(counters);
    state.members = members;
    applyLabels(labels);
    if (state.open) await catchUpThread();
}

// ---- Controls ----

function selectView(view) {
    state.filter.view = view;
    for (const button of ui.views) button.setAttribute('aria-pressed', String(button.dataset.view === view));
    loadList().catch(report);
}

for (const button of ui.views) button.addEventListener('click', () => selectView(button.dataset.view));
ui.statusFilter.addEventListener('change', () => { state.filter.status = ui.statusFilter.value || null; loadList().catch(report); });
let searchTimer = 0;
ui.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.filter.search = ui.search.value.trim(); loadList().catch(report); }, 300);
});
ui.loadMore.addEventListener('click', () => loadList(true).catch(report));
ui.list.addEventListener('click', e => {
    const button = e.target.closest('.bi-chat-item');
    if (button) openChat(Number(button.dataset.chatId)).catch(report);
});
ui.back.addEventListener('click', () => {
    root.classList.remove('bi-show-thread');
    ui.list.querySelector('[aria-current="true"]')?.focus();
});
ui.loadOlder.addEventListener('click', () => loadOlder().catch(report));
ui.messages.addEventListener('click', async e => {
    const retry = e.target.closest('[data-retry]');
    if (!retry) return;
    retry.disabled = true;
    try {
        await connection.invoke('Retry', Number(retry.dataset.retry));
    } catch (err) {
        retry.disabled = false;
        report(err);
    }
});

/** Shows why something the person did failed, where they are looking. */
function report(err) {
    const message = hubError(err, err?.message ?? String(err));
    if (state.open && !ui.thread.hidden) {
        ui.error.textContent = message;
    } else {
        ui.status.textContent = message;
        ui.status.hidden = false;
    }
}

async function command(method, ...args) {
    try {
        ui.error.textContent = '';
        await connection.invoke(method, state.open.chat.id, ...args);
    } catch (err) {
        report(err);
    }
}

ui.assignee.addEventListener('change', () => command('Assign', ui.assignee.value || null));
ui.assignMe.addEventListener('click', () => command('Assign', userId));
ui.pending.addEventListener('click', () => command('SetStatus', 'Pending'));
ui.resolve.addEventListener('click', () => command('SetStatus', 'Resolved'));
ui.reopen.addEventListener('click', () => command('SetStatus', 'Open'));
ui.note.addEventListener('change', () => ui.composer.classList.toggle('bi-noting', ui.note.checked));
ui.text.addEventListener('input', checkComposer);
ui.composer.addEventListener('submit', send);
acceptFiles({ button: ui.attach, input: ui.file, dropZones: [ui.scroller, ui.composer], pasteTarget: ui.text, onFile: chooseFile });
ui.pendingFile.querySelector('.bi-attachment-remove').addEventListener('click', () => { chooseFile(null); ui.text.focus(); });
sendOnEnter(ui.text, ui.composer);
document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.open?.chat.unreadCount > 0) markRead().catch(() => { });
});

async function start() {
    setUpNotificationButton();
    checkComposer();
    try {
        await connection.start();
        ui.status.hidden = true;
        await refreshAll();
        // Links from elsewhere (the contacts directory) open a chat with /inbox?chat=ID.
        const wanted = Number(new URLSearchParams(window.location.search).get('chat'));
        if (Number.isInteger(wanted) && wanted > 0) await openChat(wanted).catch(report);
    } catch {
        ui.status.textContent = T.offline;
        ui.status.hidden = false;
    }
}

start();
