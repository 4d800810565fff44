/* The archive reader: decrypts the member's archive in this page.

   The private key is read from the file the member chooses and unlocked
   here; it is never sent, stored or kept after the archive is decrypted
   (its inputs have no name, and requests carry only the CSRF token and
   the days asked for).  The decrypted posts live in this module's memory
   until "Forget" or the page goes; they reach the page only as text nodes
   (textContent), never as HTML, so a post cannot run script.  No web
   storage is used. */

import {readMailbox, searchPosts, threadsOf} from './mailbox.js';

const MAX_KEY_BYTES = 1 << 20;

const form = document.querySelector('form.pgp-reader-open');
const keyInput = document.getElementById('pgp-reader-key');
const passphraseInput = document.getElementById('pgp-reader-passphrase');
const status = document.querySelector('.pgp-reader-status');
const reader = document.querySelector('section.pgp-reader');
const searchInput = document.getElementById('pgp-reader-search');
const found = reader.querySelector('.pgp-reader-found');
const results = reader.querySelector('.pgp-reader-results');
const threadTable = reader.querySelector('table.pgp-reader-threads');
const threadView = reader.querySelector('.pgp-reader-thread');
const templates = new Map([...document.querySelectorAll('.pgp-reader-texts [data-text]')]
  .map(element => [element.dataset.text, element.textContent]));

let openpgp = null;
let archive = null;             // {posts, threads, fingerprint} while shown

// Postorius' base template marks the body from an inline script, which
// this page's Content-Security-Policy does not run.
document.body.classList.add('js-enabled');

function text(name, values = {}) {
  return (templates.get(name) || name).replace(
    /\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
}

function say(name, values, kind = 'info') {
  status.className = `pgp-reader-status mt-3 alert alert-${kind}`;
  status.textContent = text(name, values);
}

class Refusal extends Error {
  constructor(name, values = {}) {
    super(name);
    this.values = values;
  }
}

function element(tag, content, className) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (content !== undefined) made.textContent = content;
  return made;
}

function grouped(fingerprint) {
  return fingerprint.toUpperCase().match(/.{1,4}/g).join(' ');
}

function when(date) {
  if (!date) return text('no-date');
  const pad = number => String(number).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// The keys in the chosen file, unlocked with the passphrase.
async function privateKeys(file, passphrase) {
  if (file.size > MAX_KEY_BYTES) throw new Refusal('key-too-large');
  const bytes = new Uint8Array(await file.arrayBuffer());
  const armored = new TextDecoder().decode(bytes);
  let keys;
  try {
    keys = armored.includes('-----BEGIN PGP')
      ? await openpgp.readPrivateKeys({armoredKeys: armored})
      : await openpgp.readPrivateKeys({binaryKeys: bytes});
  } catch (error) {
    throw new Refusal(armored.includes('PUBLIC KEY BLOCK') ? 'public-key' : 'not-a-key');
  }
  const unlocked = [];
  for (const key of keys) {
    if (key.isDecrypted()) {
      unlocked.push(key);
      continue;
    }
    if (!passphrase) throw new Refusal('passphrase-needed');
    try {
      unlocked.push(await openpgp.decryptKey({privateKey: key, passphrase}));
    } catch (error) {
      throw new Refusal('wrong-passphrase');
    }
  }
  return unlocked;
}

// The archive as the download gives it: armored, encrypted to the member.
async function fetchArchive() {
  const body = new FormData();
  for (const name of ['csrfmiddlewaretoken', 'since', 'until']) {
    body.append(name, form.elements[name].value);
  }
  const response = await fetch(form.action, {
    method: 'POST', body, credentials: 'same-origin', cache: 'no-store'});
  const type = response.headers.get('Content-Type') || '';
  if (response.ok && type.startsWith('application/pgp-encrypted')) {
    return response.text();
  }
  if (response.redirected && new URL(response.url).pathname.includes('/login')) {
    throw new Refusal('logged-out');
  }
  if (type.startsWith('text/html')) {
    // The download page came back with Core's reasons on its form.
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const reasons = new Set([...page.querySelectorAll('.errorlist li, .invalid-feedback')]
      .map(item => item.textContent.trim()).filter(Boolean));
    if (reasons.size) throw new Refusal('archive-refused', {reasons: [...reasons].join(' ')});
  }
  throw new Refusal('archive-failed', {status: response.status});
}

async function fetchListKey() {
  try {
    const response = await fetch(form.dataset.listKey, {credentials: 'same-origin'});
    if (!response.ok) throw new Error(String(response.status));
    return await openpgp.readKey({armoredKey: await response.text()});
  } catch (error) {
    throw new Refusal('no-list-key');
  }
}

function keyIdsOf(keys) {
  return new Set(keys.flatMap(key => key.getKeyIDs().map(id => id.toHex())));
}

// Decrypt with the member's keys; show only what the list key signed.
async function decrypt(armored, keys, listKey) {
  const message = await openpgp.readMessage({armoredMessage: armored});
  const wanted = message.getEncryptionKeyIDs().map(id => id.toHex());
  const have = keyIdsOf(keys);
  if (!wanted.some(id => have.has(id))) {
    throw new Refusal('wrong-key', {wanted: wanted.map(id => id.toUpperCase()).join(', ')});
  }
  let decrypted;
  try {
    decrypted = await openpgp.decrypt({
      message, decryptionKeys: keys, verificationKeys: listKey, format: 'binary'});
  } catch (error) {
    throw new Refusal('decrypt-failed', {detail: error.message});
  }
  const fingerprint = grouped(listKey.getFingerprint());
  const listIds = keyIdsOf([listKey]);
  const signatures = decrypted.signatures.filter(sig => listIds.has(sig.keyID.toHex()));
  try {
    if (!signatures.length) throw new Error('unsigned');
    await Promise.all(signatures.map(sig => sig.verified));
  } catch (error) {
    throw new Refusal('bad-signature', {fingerprint});
  }
  return {data: decrypted.data, fingerprint};
}

async function open() {
  const file = keyInput.files[0];
  if (!file) throw new Refusal('no-key-file');
  say('reading-key');
  openpgp = openpgp || await import(form.dataset.openpgp);
  let keys = await privateKeys(file, passphraseInput.value);
  passphraseInput.value = '';
  say('fetching');
  const [armored, listKey] = await Promise.all([fetchArchive(), fetchListKey()]);
  say('decrypting');
  const {data, fingerprint} = await decrypt(armored, keys, listKey);
  keys = null;
  keyInput.value = '';
  const posts = readMailbox(data, {htmlPart: text('html-part')});
  archive = {posts, threads: threadsOf(posts), fingerprint};
  say(posts.length ? 'shown' : 'empty', {
    posts: posts.length, threads: archive.threads.length, fingerprint}, 'success');
  showThreads();
}

function forget() {
  archive = null;
  threadTable.tBodies[0].replaceChildren();
  results.replaceChildren();
  threadView.querySelector('.pgp-reader-posts').replaceChildren();
  threadView.querySelector('.pgp-reader-subject').replaceChildren();
  found.replaceChildren();
  searchInput.value = '';
  reader.hidden = true;
}

function linkButton(label, onClick) {
  const button = element('button', label, 'btn btn-link p-0 text-start');
  button.type = 'button';
  button.addEventListener('click', onClick);
  return button;
}

function showThreads() {
  const rows = archive.threads.map(thread => {
    const row = document.createElement('tr');
    const subject = document.createElement('td');
    subject.append(linkButton(thread.subject || text('no-subject'), () => showThread(thread)));
    row.append(subject, element('td', String(thread.posts.length)),
      element('td', thread.posts[0].from), element('td', when(thread.last.date)));
    return row;
  });
  threadTable.tBodies[0].replaceChildren(...rows);
  reader.hidden = false;
  threadView.hidden = true;
  results.hidden = true;
  threadTable.hidden = archive.threads.length === 0;
}

// Text with each search word marked (<mark> elements holding text).
function marked(content, words) {
  const fragment = document.createDocumentFragment();
  const lower = content.toLowerCase();
  if (!words.length || lower.length !== content.length) {
    fragment.append(content);
    return fragment;
  }
  let at = 0;
  while (at < content.length) {
    let next = -1, word = '';
    for (const candidate of words) {
      const index = lower.indexOf(candidate, at);
      if (index >= 0 && (next < 0 || index < next)) [next, word] = [index, candidate];
    }
    if (next < 0) break;
    fragment.append(content.slice(at, next), element('mark', content.slice(next, next + word.length)));
    at = next + word.length;
  }
  fragment.append(content.slice(at));
  return fragment;
}

function postView(post, words, open) {
  const details = element('details', undefined, 'pgp-reader-post');
  details.open = open;
  const summary = element('summary');
  summary.append(element('strong', post.from), ' · ', when(post.date), ' · ', post.subject || text('no-subject'));
  const body = element('pre', undefined, 'pgp-reader-text');
  body.append(marked(post.text, words));
  details.append(summary, body);
  for (const attachment of post.attachments) {
    details.append(element('p', text('attachment', attachment), 'text-muted'));
  }
  return details;
}

function showThread(thread, chosen = null) {
  const words = searchInput.value.toLowerCase().split(/\s+/).filter(Boolean);
  const last = thread.posts[thread.posts.length - 1];
  threadView.querySelector('.pgp-reader-subject').textContent = thread.subject || text('no-subject');
  const views = thread.posts.map(post => postView(post, words, post === (chosen || last)));
  threadView.querySelector('.pgp-reader-posts').replaceChildren(...views);
  threadTable.hidden = true;
  results.hidden = true;
  threadView.hidden = false;
  const opened = views[thread.posts.indexOf(chosen || last)];
  opened.querySelector('summary').focus();
}

function showResults() {
  if (!archive) return;
  const query = searchInput.value.trim();
  const hits = searchPosts(archive.posts, query);
  if (hits === null) {
    found.replaceChildren();
    showThreads();
    return;
  }
  found.textContent = text(hits.length ? 'found' : 'none-found', {
    count: hits.length, posts: archive.posts.length, query});
  const threadOf = new Map(archive.threads.flatMap(thread => thread.posts.map(post => [post, thread])));
  results.replaceChildren(...hits.map(post => {
    const item = element('li', undefined, 'mb-1');
    item.append(linkButton(post.subject || text('no-subject'), () => showThread(threadOf.get(post), post)),
      ' · ', post.from, ' · ', when(post.date));
    return item;
  }));
  threadTable.hidden = true;
  threadView.hidden = true;
  results.hidden = false;
}

form.addEventListener('submit', async event => {
  event.preventDefault();
  forget();
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await open();
  } catch (error) {
    if (error instanceof Refusal) say(error.message, error.values, 'danger');
    else say('failed', {detail: error.message}, 'danger');
  } finally {
    passphraseInput.value = '';
    button.disabled = false;
  }
});

let typing = null;
searchInput.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(showResults, 150);
});
reader.querySelector('.pgp-reader-back').addEventListener('click', () => {
  if (searchInput.value.trim()) showResults();
  else showThreads();
});
reader.querySelector('.pgp-reader-forget').addEventListener('click', () => {
  forget();
  say('forgotten');
});
window.addEventListener('pagehide', forget);
