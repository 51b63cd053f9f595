// Loads a page in headless Chromium over the DevTools protocol and prints one JSON line: the time
// from navigation start to the second animation frame after load (the first frame that shows the
// laid-out page), and any uncaught script exceptions. Node 20's WebSocket needs
// --experimental-websocket. usage: node --experimental-websocket page_render_ms.js CHROMIUM URL PROFILE_DIR
// (PROFILE_DIR: an empty folder the caller removes)
const { spawn } = require('child_process');
const [browser, url, profile] = process.argv.slice(2);
if (!profile) { console.log(JSON.stringify({ error: 'usage: CHROMIUM URL PROFILE_DIR' })); process.exit(2); }
const chrome = spawn(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--remote-debugging-port=0', '--user-data-dir=' + profile, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
const fail = (why) => { console.log(JSON.stringify({ error: why })); chrome.kill('SIGKILL'); process.exit(1); };
const timer = setTimeout(() => fail('timed out after 60 s'), 60000);
let stderr = '';
chrome.stderr.on('data', async (chunk) => {
  stderr += chunk;
  const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
  if (!m || chrome.started) return;
  chrome.started = true;
  const port = new URL(m[1]).port;
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t) => t.type === 'page');
  if (!page) return fail('no page target');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  let id = 0; const waiting = new Map(); const exceptions = []; let loaded;
  const loadedP = new Promise((r) => { loaded = r; });
  const send = (method, params = {}) => new Promise((resolve) => { waiting.set(++id, resolve); ws.send(JSON.stringify({ id, method, params })); });
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
    if (msg.method === 'Runtime.exceptionThrown') exceptions.push(msg.params.exceptionDetails.text);
    if (msg.method === 'Page.loadEventFired') loaded();
  };
  ws.onopen = async () => {
    await send('Page.enable'); await send('Runtime.enable');
    await send('Page.navigate', { url });
    await loadedP;
    const r = await send('Runtime.evaluate', { awaitPromise: true, returnByValue: true, expression:
      'new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))' });
    clearTimeout(timer);
    console.log(JSON.stringify({ rendered_ms: Math.round(r.result.result.value), exceptions }));
    ws.close(); chrome.kill('SIGKILL');
    process.exit(exceptions.length ? 1 : 0);
  };
});
chrome.on('exit', (code) => { if (!chrome.started) fail('chromium exited with ' + code); });
