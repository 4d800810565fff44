/* The decrypted archive as posts and threads, in the page's memory only.

   The archive is an mbox as Python's mailbox module writes it ("From "
   lines in bodies mangled to ">From ").  Each message's headers and its
   readable text are decoded; nothing here touches the page: the reader
   puts what comes out into text nodes, never into HTML. */

const MAX_DEPTH = 20;          // MIME nesting a post may use before we stop

// Uint8Array <-> "binary string" (one char per byte): MIME is bytes.
export function binaryString(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return out;
}

function bytesOf(binary) {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i) & 0xff;
  return bytes;
}

function decode(binary, charset) {
  const bytes = bytesOf(binary);
  try {
    return new TextDecoder((charset || 'utf-8').trim()).decode(bytes);
  } catch (error) {             // a label the browser does not know
    return new TextDecoder('utf-8').decode(bytes);
  }
}

// Raw 8-bit header text: UTF-8 if it is, else windows-1252.
function rawText(binary) {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytesOf(binary));
  } catch (error) {
    return new TextDecoder('windows-1252').decode(bytesOf(binary));
  }
}

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

// RFC 2047 encoded words; blanks between two of them go.
export function headerText(value) {
  if (!value) return '';
  return rawText(value)
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(WORD, (all, charset, encoding, text) => {
      let binary;
      if (encoding.toUpperCase() === 'B') {
        try { binary = atob(text); } catch (error) { return all; }
      } else {
        binary = text.replace(/_/g, ' ').replace(
          /=([0-9A-Fa-f]{2})/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
      }
      return decode(binary, charset.split('*')[0]);
    });
}

// Headers (first of each name, lower-cased names) and body of an entity.
function parseEntity(raw) {
  let head = raw, body = '';
  const blank = /^\r?\n/.exec(raw) || /\r?\n\r?\n/.exec(raw);
  if (blank) {
    head = raw.slice(0, blank.index);
    body = raw.slice(blank.index + blank[0].length);
  }
  const headers = new Map();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return {headers, body};
}

// "type/subtype; a=b; c*=utf-8''%C3%A9" -> {type, params}
function structured(value, fallback) {
  const [first, ...rest] = (value || fallback).split(';');
  const params = {};
  const pattern = /\s*([^=\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/;
  for (const piece of rest.join(';').match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) || []) {
    const found = pattern.exec(piece);
    if (!found) continue;
    let [, name, text] = found;
    name = name.toLowerCase();
    text = text.trim();
    if (text.startsWith('"')) text = text.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name.endsWith('*')) {              // RFC 2231: charset'lang'%XX
      const [charset, , encoded = ''] = text.split("'");
      text = decode(encoded.replace(/%([0-9A-Fa-f]{2})/g,
        (m, hex) => String.fromCharCode(parseInt(hex, 16))), charset);
      name = name.slice(0, -1);
    }
    params[name] = text;
  }
  return {type: first.trim().toLowerCase() || fallback, params};
}

function transferDecoded(body, encoding) {
  switch ((encoding || '').trim().toLowerCase()) {
  case 'base64':
    try { return atob(body.replace(/[^A-Za-z0-9+/=]/g, '')); } catch (error) { return body; }
  case 'quoted-printable':
    return body.replace(/=\r?\n/g, '').replace(
      /=([0-9A-Fa-f]{2})/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
  default:
    return body;
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function multipartParts(body, boundary) {
  if (!boundary) return [body];
  const delimiter = new RegExp(
    '(?:^|\\r?\\n)--' + escapeRegExp(boundary) + '(--)?[ \\t]*(?:\\r?\\n|$)', 'g');
  const parts = [];
  let start = null, found;
  while ((found = delimiter.exec(body)) !== null) {
    if (start !== null) parts.push(body.slice(start, found.index));
    if (found[1]) { start = null; break; }
    start = found.index + found[0].length;
  }
  if (start !== null) parts.push(body.slice(start));
  return parts;
}

// Plain text of an HTML part, for a text node: tags dropped, never parsed.
function htmlAsText(html) {
  const entities = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0'};
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name) => {
      if (name[0] === '#') {
        const code = name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        try { return String.fromCodePoint(code); } catch (error) { return all; }
      }
      return entities[name.toLowerCase()] ?? all;
    })
    .replace(/\n{3,}/g, '\n\n').trim();
}

// Walk one entity: its text into out.text, other parts into out.attachments.
function readEntity(raw, out, texts, depth) {
  const {headers, body} = parseEntity(raw);
  const contentType = structured(headers.get('content-type'), 'text/plain');
  const disposition = structured(headers.get('content-disposition'), 'inline');
  const type = contentType.type;
  if (depth > MAX_DEPTH) return;
  if (type.startsWith('multipart/')) {
    let parts = multipartParts(body, contentType.params.boundary);
    if (type === 'multipart/signed') {
      parts = parts.slice(0, 1);           // the signature itself is not text
    } else if (type === 'multipart/alternative') {
      const plain = parts.find(part => structured(
        parseEntity(part).headers.get('content-type'), 'text/plain').type === 'text/plain');
      parts = [plain ?? parts[parts.length - 1]].filter(part => part !== undefined);
    }
    for (const part of parts) readEntity(part, out, texts, depth + 1);
    return;
  }
  if (type === 'application/pgp-signature' || type === 'application/pgp-keys') return;
  const data = transferDecoded(body, headers.get('content-transfer-encoding'));
  if (type === 'message/rfc822') {
    readEntity(data, out, texts, depth + 1);
    return;
  }
  const name = disposition.params.filename || contentType.params.name;
  const inline = disposition.type !== 'attachment';
  if (inline && type === 'text/plain') {
    out.text.push(decode(data, contentType.params.charset));
  } else if (inline && type === 'text/html') {
    out.text.push(texts.htmlPart + '\n' + htmlAsText(decode(data, contentType.params.charset)));
  } else {
    out.attachments.push({name: headerText(name || type), size: data.length});
  }
}

function messageIds(value) {
  return (value || '').match(/<[^<>\s]+>/g) || [];
}

function parseDate(value) {
  if (!value) return null;
  const date = new Date(value.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(date.getTime()) ? null : date;
}

// One post from the raw text of one mbox message (its From_ line gone).
function readPost(raw, index, texts) {
  const {headers} = parseEntity(raw);
  const out = {text: [], attachments: []};
  readEntity(raw, out, texts, 0);
  const subject = headerText(headers.get('subject')).trim();
  const from = headerText(headers.get('from')).trim();
  const text = out.text.join('\n\n').replace(/\r\n/g, '\n');
  return {
    index,
    messageId: messageIds(headers.get('message-id'))[0] || null,
    references: messageIds(headers.get('references')),
    inReplyTo: messageIds(headers.get('in-reply-to'))[0] || null,
    subject, from, date: parseDate(headers.get('date')), text,
    attachments: out.attachments,
    haystack: [subject, from, text].join('\n').toLowerCase(),
  };
}

// The posts of an mbox (bytes).  texts: words the reader uses for parts.
export function readMailbox(bytes, texts) {
  const mbox = binaryString(bytes);
  const posts = [];
  for (const chunk of mbox.split(/\r?\n(?=From )/)) {
    if (!chunk.startsWith('From ')) continue;
    const newline = chunk.indexOf('\n');
    if (newline < 0) continue;
    const raw = chunk.slice(newline + 1).replace(/^>(>*From )/gm, '$1');
    posts.push(readPost(raw, posts.length, texts));
  }
  return posts;
}

// "Re: [ant] Re: Hello" -> "hello": to join replies that lost their references.
function baseSubject(subject) {
  return subject.replace(/^(\s*(\[[^\]]*\]|(re|aw|sv|fwd?|wg)(\[\d+\])?:))+\s*/i, '')
    .trim().toLowerCase();
}

function isReply(subject) {
  return /^(\s*\[[^\]]*\])*\s*(re|aw|sv)(\[\d+\])?:/i.test(subject);
}

function time(post) {
  return post.date ? post.date.getTime() : 0;
}

// Threads by References / In-Reply-To (then by subject for replies that
// lost them), newest activity first; the posts of each oldest first.
export function threadsOf(posts) {
  const byId = new Map();
  for (const post of posts) {
    if (post.messageId && !byId.has(post.messageId)) byId.set(post.messageId, post);
  }
  const parentOf = post => {
    for (const id of [...post.references].reverse().concat(post.inReplyTo || [])) {
      const parent = byId.get(id);
      if (parent && parent !== post) return parent;
    }
    return null;
  };
  const rootOf = post => {
    const seen = new Set([post]);
    let root = post;
    for (let up = parentOf(root); up && !seen.has(up); up = parentOf(root)) {
      seen.add(up);
      root = up;
    }
    return root;
  };
  const threads = new Map();
  const bySubject = new Map();
  for (const post of [...posts].sort((a, b) => time(a) - time(b))) {
    let root = rootOf(post);
    const base = baseSubject(root.subject);
    if (root === post && !parentOf(post) && isReply(post.subject) && bySubject.has(base)) {
      root = bySubject.get(base);
    }
    if (!threads.has(root)) {
      threads.set(root, {subject: root.subject, posts: []});
      if (!bySubject.has(base)) bySubject.set(base, root);
    }
    threads.get(root).posts.push(post);
  }
  const list = [...threads.values()];
  for (const thread of list) thread.last = thread.posts[thread.posts.length - 1];
  return list.sort((a, b) => time(b.last) - time(a.last));
}

// Posts whose subject, sender or text hold every word of the query.
export function searchPosts(posts, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  return posts.filter(post => words.every(word => post.haystack.includes(word)));
}
