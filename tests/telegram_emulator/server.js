'use strict';
// The npm package telegram-test-api (a Telegram Bot API emulator), corrected so that
// python-telegram-bot 22 can talk to it. Usage: node server.js [--port N] [--bot-username NAME]
// Prints "listening on PORT" once ready. Fixes and additions, each marked below:
//  - getMe has is_bot; sendMessage answers a full Message with `date` in seconds;
//  - edits answer the edited Message; any `ok: false` answer gets its HTTP error status;
//  - bot getUpdates honours `offset` and `timeout` (long polling);
//  - callback queries carry chat_instance and the stored bot message;
//  - setMyCommands/getMyCommands, sendChatAction, getChatMember (set via /setChatMember);
//  - HTML parse-mode text is checked like Telegram does (tags, entities, length);
//  - webhooks get the secret-token header, an unreachable webhook is retried (it no longer
//    kills the process), updates queued before setWebhook are delivered to it;
//  - client getUpdates takes `timeout` (seconds) to wait for the bot's next message;
//  - client routes /sendUpdate (any raw update, e.g. my_chat_member) and /failNext (answer the
//    next call of a bot method with an error, e.g. 429 or 403);
//  - sendDocument with the file uploaded as multipart/form-data, getFile, and the file's
//    download under /file/bot<token>/<file_path>.
const express = require('express');
const axios = require('axios');
const TelegramServer = require('telegram-test-api');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const BOT = {
  id: Number(arg('bot-id', '666')),
  is_bot: true,
  first_name: 'briefbot',
  username: arg('bot-username', 'briefbot_test_bot'),
};
const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span',
  'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const server = new TelegramServer({ port: 0, host: '127.0.0.1' });
const chats = new Map(); // chat id → the chat object users sent, so bot messages show it right
const members = new Map(); // `${chat}:${user}` → status
const commands = new Map(); // token → bot commands
const failures = new Map(); // `${token}:${method}` → error answer
const documents = new Map(); // `${token}:${file_id}` → the uploaded bytes
const UPLOAD_LIMIT = 50e6; // bytes a bot may upload
let nextCallbackId = 1;
let nextFileId = 1;

const seconds = () => Math.floor(Date.now() / 1000);
const params = (req) => ({ ...req.query, ...req.body });
// PTB sends form fields; objects (reply_markup, commands, ...) arrive as JSON strings.
const parsed = (value) => (typeof value === 'string' && /^[[{]/.test(value)
  ? JSON.parse(value) : value);
const badRequest = (res, description, code = 400) => res.status(code)
  .json({ ok: false, error_code: code, description });

function htmlProblem(text) {
  if (text.length > 4096) return 'message is too long'; // UTF-16 units, tags included: strict
  const stack = [];
  const tokens = text.match(/<[^>]*>?|&[^;\s<]*;?|[^<&]+/g) || [];
  for (const token of tokens) {
    if (token.startsWith('&') && !/^&(lt|gt|amp|quot|#\d+|#x[\da-f]+);$/i.test(token)) {
      return `can't parse entities: unsupported entity "${token}"`;
    }
    if (!token.startsWith('<')) continue;
    const tag = /^<(\/?)([a-z-]+)[^<>]*>$/i.exec(token);
    const name = tag && tag[2].toLowerCase();
    if (!tag || !HTML_TAGS.has(name)) return `can't parse entities: unsupported tag "${token}"`;
    if (!tag[1]) stack.push(name);
    else if (stack.pop() !== name) return `can't parse entities: unmatched end tag "${token}"`;
  }
  return stack.length ? `can't parse entities: unclosed start tag <${stack.pop()}>` : null;
}

function markupProblem(markup) {
  const rows = (markup && markup.inline_keyboard) || [];
  const size = (button) => Buffer.byteLength(String(button.callback_data));
  const bad = rows.flat()
    .find((b) => b.callback_data !== undefined && !(size(b) >= 1 && size(b) <= 64));
  return bad ? 'BUTTON_DATA_INVALID' : null;
}

// Added: multipart/form-data as bots send files ({fields, files}, or null if it is not one).
// Names come as browsers write them (httpx too): `"` as %22, control characters as %XX.
const formName = (value) => value.replace(/\\\\/g, '\\')
  .replace(/%([01][0-9A-F]|22)/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
function multipart(req) {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(req.headers['content-type'] || '');
  if (!boundary || !Buffer.isBuffer(req.body)) return null;
  const delimiter = Buffer.from(`\r\n--${boundary[1] || boundary[2]}`);
  const body = Buffer.concat([Buffer.from('\r\n'), req.body]);
  const form = { fields: {}, files: {} };
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return form; // the last one
    const end = body.indexOf(delimiter, start);
    const split = body.indexOf('\r\n\r\n', start);
    if (end < 0 || split < 0 || split > end) return null;
    const head = body.subarray(start + 2, split).toString('utf8');
    const content = body.subarray(split + 4, end);
    const name = /;\s*name="([^"]*)"/i.exec(head);
    const filename = /;\s*filename="([^"]*)"/i.exec(head);
    const mimeType = /^content-type:\s*(.+)$/im.exec(head);
    if (!name) return null;
    if (filename) {
      form.files[formName(name[1])] = {
        filename: formName(filename[1]),
        mimeType: mimeType ? mimeType[1].trim() : 'application/octet-stream',
        content,
      };
    } else {
      form.fields[formName(name[1])] = content.toString('utf8');
    }
    at = end;
  }
  return null;
}

function messageJson(stored) {
  const m = stored.message;
  const chat = chats.get(String(m.chat_id))
    || { id: Number(m.chat_id), type: 'private', first_name: 'User' };
  const json = {
    message_id: stored.messageId,
    date: Math.floor(stored.time / 1000), // Fix: the package answers milliseconds
    chat,
    from: BOT,
    text: m.text,
  };
  const markup = parsed(m.reply_markup);
  if (markup && markup.inline_keyboard) json.reply_markup = markup;
  if (m.document) json.document = m.document;
  if (m.caption) json.caption = m.caption;
  if (m.message_thread_id) {
    json.message_thread_id = Number(m.message_thread_id);
    json.is_topic_message = true;
  }
  if (stored.edited) json.edit_date = seconds();
  return json;
}

function formatUpdate(update) {
  if (update.raw) return { update_id: update.updateId, ...update.raw };
  if (update.callbackQuery) {
    return { update_id: update.updateId, callback_query: update.callbackQuery };
  }
  return TelegramServer.formatUpdate(update);
}

function remember(update) {
  const found = update.raw || {};
  const message = update.message || (update.callbackQuery && update.callbackQuery.message)
    || found.message || found.channel_post || found.my_chat_member;
  if (message && message.chat) chats.set(String(message.chat.id), message.chat);
}

// Fix: webhooks get the secret token; like Telegram, a webhook that cannot be reached is tried
// again (a bot sets its webhook just before it starts listening), and updates stay in order.
const hookQueues = new Map(); // token → the promise of the last delivery
const delay = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
async function deliver(update) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const hook = server.webhooks[update.botToken];
    if (!hook) { // deleted meanwhile: back to getUpdates
      server.storage.userMessages.push(update);
      server.emit('user-update');
      return;
    }
    const headers = hook.secret_token
      ? { 'X-Telegram-Bot-Api-Secret-Token': hook.secret_token } : {};
    try {
      const answer = await axios.post(hook.url, formatUpdate(update),
        { headers, validateStatus: () => true });
      if (answer.status < 500) {
        if (answer.status > 299) console.error(`webhook answered ${answer.status}`);
        return;
      }
    } catch (error) {
      if (attempt === 0) console.error(`webhook not reachable yet: ${error.message}`);
    }
    await delay(250);
  }
  console.error(`webhook: update ${update.updateId} dropped`);
}
function toWebhook(update) {
  const last = hookQueues.get(update.botToken) || Promise.resolve();
  hookQueues.set(update.botToken, last.then(() => deliver(update)));
}
server.addUserUpdate = async function addUserUpdate(update) {
  update.updateId = this.updateId;
  this.updateId += 1;
  if (update.message) delete update.message.botToken; // not part of a Telegram message
  remember(update);
  if (this.webhooks[update.botToken]) {
    toWebhook(update);
    return;
  }
  this.storage.userMessages.push(update);
  this.emit('user-update');
};

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use((req, res, next) => { // Fix: `ok: false` answers get an HTTP error status.
  const json = res.json.bind(res);
  res.json = (body) => (body && body.ok === false && res.statusCode === 200
    ? json.call(res.status(body.error_code || 400), body) : json(body));
  next();
});

app.all('/bot:token/:method', (req, res, next) => {
  const key = `${req.params.token}:${req.params.method}`;
  const failure = failures.get(key);
  if (!failure) return next();
  failures.delete(key);
  const body = { ok: false, error_code: failure.error_code, description: failure.description };
  if (failure.retry_after) body.parameters = { retry_after: failure.retry_after };
  return res.status(failure.error_code).json(body);
});
app.all('/bot:token/getMe', (req, res) => res.json({ ok: true, result: BOT }));
app.all('/bot:token/getUpdates', async (req, res) => {
  const { token } = req.params;
  const offset = Number(params(req).offset || 0);
  const timeout = Math.min(Number(params(req).timeout || 0), 50);
  const mine = (u) => u.botToken === token;
  const { storage } = server;
  storage.userMessages = storage.userMessages.filter((u) => !mine(u) || u.updateId >= offset);
  const pending = () => storage.userMessages.filter((u) => mine(u) && u.updateId >= offset);
  if (!pending().length && timeout > 0) {
    await new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        server.off('user-update', done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, timeout * 1000);
      server.on('user-update', done);
      res.on('close', done);
    });
  }
  if (!res.writableEnded) {
    res.json({ ok: true, result: pending().slice(0, 100).map(formatUpdate) });
  }
});
app.all('/bot:token/sendMessage', (req, res) => {
  const body = params(req);
  const problem = (body.parse_mode === 'HTML' && htmlProblem(String(body.text || '')))
    || markupProblem(parsed(body.reply_markup));
  if (!body.text) return badRequest(res, 'Bad Request: message text is empty');
  if (problem) return badRequest(res, `Bad Request: ${problem}`);
  server.addBotMessage(body, req.params.token);
  const stored = server.storage.botMessages[server.storage.botMessages.length - 1];
  server.emit('bot-message');
  return res.json({ ok: true, result: messageJson(stored) });
});
const uploads = express.raw({ type: 'multipart/form-data', limit: UPLOAD_LIMIT + 1e6 });
app.post('/bot:token/sendDocument', uploads, (req, res) => {
  const form = multipart(req);
  const upload = form && form.files.document;
  if (!upload) return badRequest(res, 'Bad Request: there is no document in the request');
  if (!upload.content.length) return badRequest(res, 'Bad Request: file must be non-empty');
  if (upload.content.length > UPLOAD_LIMIT) {
    return badRequest(res, 'Request Entity Too Large', 413);
  }
  const { token } = req.params;
  const fileId = `document${nextFileId}`;
  nextFileId += 1;
  documents.set(`${token}:${fileId}`, upload.content);
  const document = {
    file_id: fileId,
    file_unique_id: `unique-${fileId}`,
    file_name: upload.filename,
    mime_type: upload.mimeType,
    file_size: upload.content.length,
  };
  server.addBotMessage({ ...form.fields, document }, token);
  const stored = server.storage.botMessages[server.storage.botMessages.length - 1];
  server.emit('bot-message');
  return res.json({ ok: true, result: messageJson(stored) });
});
app.all('/bot:token/getFile', (req, res) => {
  const fileId = String(params(req).file_id || '');
  const content = documents.get(`${req.params.token}:${fileId}`);
  if (!content) return badRequest(res, 'Bad Request: invalid file_id');
  const file = { file_id: fileId, file_unique_id: `unique-${fileId}`, file_size: content.length };
  return res.json({ ok: true, result: { ...file, file_path: `documents/${fileId}` } });
});
app.get('/file/bot:token/documents/:fileId', (req, res) => {
  const content = documents.get(`${req.params.token}:${req.params.fileId}`);
  if (!content) return res.status(404).send('Not Found');
  return res.type('application/octet-stream').send(content);
});
function edit(req, res, change) {
  const body = params(req);
  const stored = server.storage.botMessages.find((u) => u.botToken === req.params.token
    && String(u.messageId) === String(body.message_id)
    && String(u.message.chat_id) === String(body.chat_id));
  if (!stored) return badRequest(res, 'Bad Request: message to edit not found');
  const problem = change(stored.message, body);
  if (problem) return badRequest(res, `Bad Request: ${problem}`);
  stored.edited = true;
  stored.isRead = false; // the client's getUpdates shows the edited message again
  server.emit('bot-message');
  return res.json({ ok: true, result: messageJson(stored) });
}
app.all('/bot:token/editMessageText', (req, res) => edit(req, res, (message, body) => {
  const problem = (body.parse_mode === 'HTML' && htmlProblem(String(body.text || '')))
    || markupProblem(parsed(body.reply_markup));
  if (problem) return problem;
  const markup = parsed(body.reply_markup);
  const sameMarkup = JSON.stringify(parsed(message.reply_markup)) === JSON.stringify(markup);
  if (message.text === body.text && sameMarkup) return 'message is not modified';
  Object.assign(message, { text: body.text, parse_mode: body.parse_mode, reply_markup: markup });
  return null;
}));
app.all('/bot:token/editMessageReplyMarkup', (req, res) => edit(req, res, (message, body) => {
  message.reply_markup = parsed(body.reply_markup);
  return markupProblem(message.reply_markup);
}));
app.all('/bot:token/setMyCommands', (req, res) => {
  commands.set(req.params.token, parsed(params(req).commands) || []);
  res.json({ ok: true, result: true });
});
app.all('/bot:token/getMyCommands', (req, res) => {
  res.json({ ok: true, result: commands.get(req.params.token) || [] });
});
app.all('/bot:token/deleteMyCommands', (req, res) => {
  commands.delete(req.params.token);
  res.json({ ok: true, result: true });
});
app.all('/bot:token/sendChatAction', (req, res) => res.json({ ok: true, result: true }));
app.all('/bot:token/getChatMember', (req, res) => {
  const { chat_id: chatId, user_id: userId } = params(req);
  const status = members.get(`${chatId}:${userId}`) || 'member';
  const user = { id: Number(userId), is_bot: false, first_name: 'User' };
  const member = { status, user };
  if (status === 'creator') member.is_anonymous = false;
  if (status === 'administrator') {
    const rights = ['can_manage_chat', 'can_delete_messages', 'can_manage_video_chats',
      'can_restrict_members', 'can_promote_members', 'can_change_info', 'can_invite_users',
      'can_post_stories', 'can_edit_stories', 'can_delete_stories'];
    Object.assign(member, { can_be_edited: false, is_anonymous: false });
    rights.forEach((right) => { member[right] = true; });
  }
  if (status === 'kicked') member.until_date = 0;
  res.json({ ok: true, result: member });
});
app.all('/bot:token/setWebhook', (req, res) => {
  const { url, secret_token: secretToken } = params(req);
  if (!url) return badRequest(res, 'Bad Request: bad webhook: an HTTPS URL must be provided');
  const { token } = req.params;
  server.setWebhook({ url, secret_token: secretToken }, token);
  const queued = server.storage.userMessages.filter((u) => u.botToken === token);
  server.storage.userMessages = server.storage.userMessages.filter((u) => u.botToken !== token);
  queued.forEach(toWebhook); // updates that arrived before the webhook was set
  return res.json({ ok: true, result: true });
});

// Client side (the test plays the user).
app.post('/getUpdates', async (req, res, next) => { // Added: `timeout` (seconds) to wait for one
  const { token, chatId } = req.body;
  const timeout = Math.min(Number(req.body.timeout || 0), 50);
  const unread = () => server.storage.botMessages.some((u) => u.botToken === token
    && String(u.message.chat_id) === String(chatId) && !u.isRead);
  if (!unread() && timeout > 0) {
    await new Promise((resolve) => {
      const check = () => { if (unread()) done(); };
      const done = () => {
        clearTimeout(timer);
        server.off('bot-message', check);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, timeout * 1000);
      server.on('bot-message', check);
      res.on('close', done);
    });
  }
  next(); // the package answers: each unread bot message of the chat, once
});
app.post('/sendCallback', async (req, res) => {
  const { botToken, from, data } = req.body;
  const ref = req.body.message || {};
  const chatId = String((ref.chat && ref.chat.id) || ref.chat_id);
  const stored = server.storage.botMessages.find((u) => u.botToken === botToken
    && String(u.messageId) === String(ref.message_id) && String(u.message.chat_id) === chatId);
  if (!stored) return badRequest(res, 'no bot message with that chat id and message id');
  const callbackQuery = { // Fix: the package drops chat_instance and the message's fields
    id: String(nextCallbackId),
    from,
    message: messageJson(stored),
    chat_instance: `instance${chatId}`,
    data,
  };
  nextCallbackId += 1;
  await server.addUserUpdate({ botToken, time: Date.now(), callbackQuery });
  return res.json({ ok: true, result: callbackQuery.id });
});
app.post('/sendUpdate', async (req, res) => {
  const { botToken, update } = req.body;
  await server.addUserUpdate({ botToken, time: Date.now(), raw: update });
  res.json({ ok: true, result: true });
});
app.post('/setChatMember', (req, res) => {
  members.set(`${req.body.chatId}:${req.body.userId}`, req.body.status);
  res.json({ ok: true, result: true });
});
app.post('/failNext', (req, res) => {
  const { botToken, method, ...failure } = req.body;
  failures.set(`${botToken}:${method}`, failure);
  res.json({ ok: true, result: true });
});
app.use(server.webServer); // everything else: the package as shipped

const http = app.listen(Number(arg('port', '0')), arg('host', '127.0.0.1'), () => {
  console.log(`listening on ${http.address().port}`);
});
// Not started through the package, so its clean-up timer never drops messages after 60 s.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
