// OpenPGP.js driver for tests/pgp/test_pgp_other_clients.py.
//
// Usage: node openpgpjs.mjs OP < request.json > reply.json
// OP is one of:
//   version  -> {version}
//   generate {name, email, v6?, type?}        -> {privateKey, publicKey}
//   encrypt  {recipient, signer, text, aead?} -> {message}
//   sign     {signer, text}                   -> {signature} (detached)
//   clearsign {signer, text}                  -> {message} (cleartext signed)
//   decrypt  {privateKey, signer, message}    -> {data (base64), signatures}
//   verify   {signer, data (base64), signature} -> {signatures} (detached)
//   verify   {signer, cleartext}                -> {signatures}
// Keys and messages are armored. 'text' is signed as a UTF-8 text message,
// the way mail clients built on OpenPGP.js hand it a MIME entity. With
// 'aead' the message is forced to SEIPDv2 (OCB), what OpenPGP.js sends to
// keys advertising it; 'v6' makes an RFC 9580 version 6 key.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';

const op = process.argv[2];
const request = op === 'version' ? {} :
  JSON.parse(readFileSync(0, 'utf8') || '{}');

async function checked(signatures) {
  const out = [];
  for (const s of signatures) {
    try {
      out.push({ keyID: s.keyID.toHex(), verified: await s.verified });
    } catch (e) {
      out.push({ keyID: s.keyID.toHex(), verified: false, error: String(e.message || e) });
    }
  }
  return out;
}

async function run() {
  switch (op) {
  case 'version':
    return { version: openpgp.config.versionString };
  case 'generate': {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: request.type || (request.v6 ? 'curve25519' : 'ecc'),
      userIDs: [{ name: request.name, email: request.email }],
      format: 'armored',
      config: { v6Keys: Boolean(request.v6) },
    });
    return { privateKey, publicKey };
  }
  case 'encrypt': {
    const encryptionKeys = await openpgp.readKey({ armoredKey: request.recipient });
    const signingKeys = await openpgp.readPrivateKey({ armoredKey: request.signer });
    const message = await openpgp.createMessage({ text: request.text });
    // With 'aead', the session key OpenPGP.js picks for keys advertising
    // SEIPDv2 (AES-128 with OCB), whatever the list key says.
    const sessionKey = request.aead ? {
      data: new Uint8Array(randomBytes(16)), algorithm: 'aes128', aeadAlgorithm: 'ocb',
    } : undefined;
    return { message: await openpgp.encrypt({ message, encryptionKeys, signingKeys, sessionKey }) };
  }
  case 'sign': {
    const signingKeys = await openpgp.readPrivateKey({ armoredKey: request.signer });
    const message = await openpgp.createMessage({ text: request.text });
    return { signature: await openpgp.sign({ message, signingKeys, detached: true }) };
  }
  case 'clearsign': {
    const signingKeys = await openpgp.readPrivateKey({ armoredKey: request.signer });
    const message = await openpgp.createCleartextMessage({ text: request.text });
    return { message: await openpgp.sign({ message, signingKeys }) };
  }
  case 'decrypt': {
    const decryptionKeys = await openpgp.readPrivateKey({ armoredKey: request.privateKey });
    const verificationKeys = await openpgp.readKey({ armoredKey: request.signer });
    const message = await openpgp.readMessage({ armoredMessage: request.message });
    const { data, signatures } = await openpgp.decrypt({
      message, decryptionKeys, verificationKeys, format: 'binary',
    });
    return { data: Buffer.from(data).toString('base64'), signatures: await checked(signatures) };
  }
  case 'verify': {
    const verificationKeys = await openpgp.readKey({ armoredKey: request.signer });
    let message, signature;
    if (request.cleartext) {
      message = await openpgp.readCleartextMessage({ cleartextMessage: request.cleartext });
    } else {
      message = await openpgp.createMessage({ binary: Buffer.from(request.data, 'base64') });
      signature = await openpgp.readSignature({ armoredSignature: request.signature });
    }
    const { signatures } = await openpgp.verify({ message, signature, verificationKeys });
    return { signatures: await checked(signatures) };
  }
  default:
    throw new Error(`unknown operation ${op}`);
  }
}

run().then(
  (reply) => process.stdout.write(JSON.stringify(reply)),
  (error) => { process.stderr.write(String(error && error.stack || error) + '\n'); process.exit(1); },
);
