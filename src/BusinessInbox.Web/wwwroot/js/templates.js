// The WhatsApp template picker: outside the 24-hour window it takes the composer's place. The agent picks
// an approved template, fills its numbered body values and sees the message as the customer will.
import { format, el, hubError } from './chat-ui.js';

const numbered = /\{\{(\d{1,3})\}\}/g;

/** Fills {{1}}, {{2}}, … with the values typed so far (an empty one stays visible as its placeholder). */
export function renderTemplate(template, values) {
    const body = template.body.replace(numbered, (whole, n) => values[Number(n) - 1]?.trim() || whole);
    return [template.header, body, template.footer].filter(p => p && p.trim()).join('\n\n');
}

export function createTemplatePicker({ form, connection, texts, onSent }) {
    const select = form.querySelector('#template');
    const fields = form.querySelector('.bi-template-fields');
    const previewBox = form.querySelector('.bi-template-preview-box');
    const preview = form.querySelector('.bi-template-preview');
    const sendButton = form.querySelector('.bi-template-send');
    const error = form.querySelector('.bi-template-error');
    let templates = [];
    let loadedAt = 0;
    let chatId = null;

    const chosen = () => templates.find(t => String(t.id) === select.value);
    const values = () => [...fields.querySelectorAll('input')].map(i => i.value);

    async function load() {
        if (Date.now() - loadedAt < 30_000) return;
        templates = await connection.invoke('Templates');
        loadedAt = Date.now();
        const kept = select.value;
        const first = el('option', null, templates.length > 0 ? texts.chooseTemplate : texts.noTemplates);
        first.value = '';
        select.replaceChildren(first, ...templates.map(t => {
            const option = el('option', null, format(texts.templateOption, t.name, t.language, t.category.toLowerCase()));
            option.value = t.id;
            return option;
        }));
        // Values being typed survive a reload of the list, as long as their template is still offered.
        select.value = kept;
        if (select.value !== kept || !kept) choose();
    }

    function choose() {
        const template = chosen();
        fields.replaceChildren(...(template ? Array.from({ length: template.parameterCount }, (_, i) => {
            const box = el('div', 'col-12 col-sm-6');
            const input = el('input', 'form-control form-control-sm');
            input.id = `template-value-${i + 1}`;
            input.maxLength = 1024;
            input.autocomplete = 'off';
            const label = el('label', 'form-label small mb-0', format(texts.templateValue, i + 1));
            label.htmlFor = input.id;
            box.append(label, input);
            return box;
        }) : []));
        error.textContent = '';
        update();
    }

    function update() {
        const template = chosen();
        previewBox.hidden = !template;
        preview.textContent = template ? renderTemplate(template, values()) : '';
        sendButton.disabled = !template;
    }

    async function send(e) {
        e.preventDefault();
        const template = chosen();
        if (!template || chatId === null) return;
        const filled = values().map(v => v.trim());
        const missing = filled.findIndex(v => !v);
        if (missing >= 0) {
            error.textContent = format(texts.fillValue, missing + 1);
            fields.querySelectorAll('input')[missing].focus();
            return;
        }
        sendButton.disabled = true;
        try {
            const message = await connection.invoke('SendTemplate', chatId, template.id, filled);
            select.value = '';
            choose();
            onSent(message);
        } catch (err) {
            error.textContent = hubError(err, err?.message ?? String(err));
        } finally {
            update();
        }
    }

    select.addEventListener('change', choose);
    fields.addEventListener('input', update);
    form.addEventListener('submit', send);

    return {
        /** Shows the picker (and loads the templates) when the chat's window is closed; hides it otherwise. */
        show(chat, windowClosed) {
            const wanted = chat.channel === 'WhatsApp' && windowClosed;
            const appearing = wanted && (form.hidden || chatId !== chat.id);
            if (chatId !== chat.id) {
                select.value = '';
                choose();
            }
            chatId = chat.id;
            form.hidden = !wanted;
            if (appearing) load().catch(err => { error.textContent = hubError(err, err?.message ?? String(err)); });
            return wanted;
        },
    };
}
