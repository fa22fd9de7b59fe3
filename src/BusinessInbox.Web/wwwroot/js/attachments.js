// Photos and PDFs in the thread and in the composers, shared by the staff inbox and the customer page.
// The server decides what a file is by its content; the checks here only save a pointless upload.
import { codePoints, el, format } from './chat-ui.js';

export const maxBytes = 10 * 1024 * 1024;
const types = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf'];
const thumbnailSide = 320;

export function sizeText(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The file in a bubble: a thumbnail that opens the full photo, or a card naming the document. */
export function attachmentNode(attachment, base, T) {
    const url = `${base}/${attachment.id}`;
    if (attachment.kind === 'Image' && attachment.hasThumbnail) {
        const link = el('a', 'bi-attachment-image');
        link.href = url;
        link.target = '_blank';
        link.rel = 'noopener';
        link.title = format(T.openPhoto, attachment.fileName);
        const img = el('img');
        img.src = `${url}/thumbnail`;
        img.alt = format(T.openPhoto, attachment.fileName);
        img.loading = 'lazy';
        if (attachment.width && attachment.height) {
            // Attributes, not styles: the space is kept while the thumbnail loads, and the CSP allows no inline style.
            const scale = Math.min(1, thumbnailSide / Math.max(attachment.width, attachment.height));
            img.width = Math.round(attachment.width * scale);
            img.height = Math.round(attachment.height * scale);
        }
        link.append(img);
        return link;
    }
    const card = el('a', 'bi-attachment-file');
    card.href = url;
    card.download = attachment.fileName;
    card.setAttribute('aria-label', format(T.download, attachment.fileName, sizeText(attachment.size)));
    const icon = el('span', 'bi-attachment-file-icon', '📄');
    icon.setAttribute('aria-hidden', 'true');
    const text = el('span', 'bi-attachment-file-text');
    text.append(el('span', 'bi-attachment-file-name', attachment.fileName), el('span', 'bi-attachment-file-size', sizeText(attachment.size)));
    card.append(icon, text);
    return card;
}

/** What can be said before uploading; null when the file may go. */
export function precheck(file, T) {
    if (file.size > maxBytes) return T.fileTooLarge;
    if (file.type && !types.includes(file.type)) return T.wrongType;
    return null;
}

const mb = 1024 * 1024;

/** WhatsApp's own limits (Channels/WhatsApp/WhatsAppMedia.cs), for a file about to be sent in a WhatsApp chat; null when it may go. */
export function whatsAppPrecheck(file, caption, T) {
    if (file.type === 'image/gif') return T.whatsAppNoGif;
    // WhatsApp takes WebP only as a 512 × 512 sticker; its size is the one thing known here.
    if (file.type === 'image/webp' && file.size > 100 * 1024) return T.whatsAppNoWebP;
    if ((file.type === 'image/jpeg' || file.type === 'image/png') && file.size > 5 * mb) return T.whatsAppPhotoTooLarge;
    if (codePoints(caption) > 1024) return T.whatsAppCaptionTooLong;
    return null;
}

/** A file comes from the picker, from being dropped on the thread or composer, or pasted into the text. */
export function acceptFiles({ button, input, dropZones, pasteTarget, onFile }) {
    button.addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
        if (input.files.length > 0) onFile(input.files[0]);
        input.value = '';
    });
    const carriesFiles = e => [...(e.dataTransfer?.types ?? [])].includes('Files');
    for (const zone of dropZones) {
        zone.addEventListener('dragover', e => {
            if (!carriesFiles(e)) return;
            e.preventDefault();
            zone.classList.add('bi-dropping');
        });
        zone.addEventListener('dragleave', () => zone.classList.remove('bi-dropping'));
        zone.addEventListener('drop', e => {
            zone.classList.remove('bi-dropping');
            if (!carriesFiles(e)) return;
            e.preventDefault();
            if (e.dataTransfer.files.length > 0) onFile(e.dataTransfer.files[0]);
        });
    }
    pasteTarget.addEventListener('paste', e => {
        const file = [...(e.clipboardData?.files ?? [])][0];
        if (file) {
            e.preventDefault();
            onFile(file);
        }
    });
}

/** Shows the chosen file above the text, with a button to take it away again. */
export function showPending(box, file) {
    box.hidden = !file;
    box.querySelector('.bi-attachment-pending-name').textContent = file ? `${file.name || 'image'} · ${sizeText(file.size)}` : '';
}

/** Posts the form; resolves with the server's answer, or throws an Error whose message a person can read. */
export async function upload(url, form, T) {
    let response;
    try {
        response = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
    } catch {
        throw new Error(T.uploadFailed);
    }
    let body = null;
    try {
        body = await response.json();
    } catch {
        // Not JSON: a proxy's or the server's own refusal page.
    }
    if (!response.ok) {
        throw new Error(body?.error ?? (response.status === 413 ? T.fileTooLarge : T.uploadFailed));
    }
    return body;
}
