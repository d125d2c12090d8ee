// The demo page: a live server clock with its sync quality, a session timer
// followed through session-clock.js, and a listening room. Reads
// `#token=…&session=…&room=…` from the URL (make demo prints such a link);
// the hash never reaches a server.
import { SessionClock, syncMedia } from '/session-clock.js';
import { CLICK_TRACK, clickTrackWav } from '/demo/click_track.js';

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token') || null;
const sessionId = params.get('session') || null;
const roomFromLink = params.get('room') || null;

const client = new SessionClock(location.origin, { token });
const timer = sessionId ? client.clock(sessionId) : null;
// A handle for the browser tests and for poking around in the console.
window.sessionClockDemo = { client, timer, room: null, roomStarts: [], audio: null };

// A new hash is a new page: simplest and obviously right.
addEventListener('hashchange', () => location.reload());

// --- formatting ---

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23',
});
const dateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long', year: 'numeric', month: 'long', day: 'numeric',
});
const zone = timeFormat.resolvedOptions().timeZone;
const zoneIsUtc = /^(UTC|Etc\/UTC|Etc\/GMT|GMT)$/.test(zone);
const utcFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC',
});

function ms(value, { signed = false, digits = 3 } = {}) {
  if (!Number.isFinite(value)) return '–';
  const sign = signed && value >= 0 ? '+' : '';
  if (Math.abs(value) >= 10_000) return `${sign}${(value / 1000).toFixed(2)} s`;
  return `${sign}${value.toFixed(digits)} ms`;
}

function duration(totalMs) {
  if (totalMs == null) return '--:--:--.-';
  const tenths = Math.floor(totalMs / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor(tenths / 600) % 60;
  const s = Math.floor(tenths / 10) % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${tenths % 10}`;
}

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

// --- connection and sync ---

function renderStatus() {
  const live = client.status === 'live';
  const pill = $('status');
  pill.className = `pill ${live ? 'live' : 'offline'}`;
  pill.textContent = live ? 'Live' : 'Offline';
  renderPresence();
}

function renderSync() {
  const s = client.sync;
  setText('sync-offset', s.synced ? ms(s.offsetMs, { signed: true }) : '–');
  setText('sync-error', s.synced ? `± ${ms(s.maxErrorMs)}` : '–');
  setText('sync-rtt', ms(s.rttMs));
  setText('sync-samples', String(s.samples));
  // The worker serves the database's clock, measured over its own
  // connections: this is how far its time may be off it (TIME_PONG maxErrorMs).
  const dbError = s.serverMaxErrorMs;
  setText('database-clock', `server clock = database clock ± ${ms(dbError)}`);
  $('server-warning').hidden = !s.serverSyncWarning;
}

client.addEventListener('status', renderStatus);
client.addEventListener('sync', renderSync);
setInterval(renderSync, 500);  // the bound grows between samples

// --- the session timer ---

function stateOf(t) {
  if (!t.ready) return { label: 'Loading…', cls: '' };
  if (t.isEnded) return { label: 'Ended', cls: 'ended' };
  if (t.autoPaused) return { label: 'Auto-paused', cls: 'paused' };
  if (t.isPaused) return { label: 'Paused', cls: 'paused' };
  return { label: 'Running', cls: 'running' };
}

function renderTimerState() {
  const { label, cls } = stateOf(timer);
  const badge = $('timer-state');
  badge.textContent = label;
  badge.className = `badge ${cls}`;
  setText('timer-participants', timer.ready ? String(timer.participants ?? 0) : '–');
  setText('timer-version', timer.ready ? String(timer.version) : '–');
}

function renderGrace() {
  if (!timer || !timer.ready) return;
  let text = '';
  if (timer.graceDeadlineMs != null && !timer.isPaused) {
    const left = Math.max(0, (timer.graceDeadlineMs - client.now()) / 1000);
    text = `too few participants: pauses in ${left.toFixed(0)} s unless they return`;
  } else if (timer.autoPaused) {
    text = 'resumes by itself when enough participants are back';
  }
  setText('timer-grace', text);
}

function renderPresence() {
  if (!timer) return;
  const usable = client.status === 'live' && Boolean(token);
  $('join-button').disabled = !usable || timer.joined;
  $('leave-button').disabled = !usable || !timer.joined;
  setText('timer-presence', timer.joined ? 'joined' : 'not joined');
  renderControls();
}

// Start / Pause / Resume. What the page knows only narrows the choice (a
// paused clock offers Resume); whether the user may is the server's rule, so
// an unknown state (not a member: no state arrives) leaves them enabled and
// the refusal is shown.
let commandInFlight = null;

function renderControls() {
  const usable = client.status === 'live' && Boolean(token) && !commandInFlight;
  const known = timer.ready;
  $('start-button').disabled = !usable || (known && !timer.isEnded);
  $('pause-button').disabled = !usable || (known && (timer.isPaused || timer.isEnded));
  $('resume-button').disabled = !usable || (known && (!timer.isPaused || timer.isEnded));
  $('clock-actions').setAttribute('aria-busy', String(Boolean(commandInFlight)));
}

async function drive(label, request) {
  if (commandInFlight) return;
  commandInFlight = label;
  showError('');
  renderControls();
  try {
    await request();
  } catch (e) {
    showError(`${label} refused — ${e.code ?? 'error'}: ${e.message}`);
  } finally {
    commandInFlight = null;
    renderControls();
  }
}

function showError(text) {
  const el = $('timer-error');
  el.textContent = text;
  el.hidden = !text;
}

if (timer) {
  $('timer-view').hidden = false;
  setText('timer-session', sessionId);
  $('timer-session').title = sessionId;
  $('control-sql').textContent = [
    `SELECT * FROM session_clock_pause('${sessionId}', 'coffee');`,
    `SELECT * FROM session_clock_resume('${sessionId}', 'back');`,
    `SELECT * FROM session_clock_stop('${sessionId}', 'done');`,
  ].join('\n');
  timer.addEventListener('change', () => { showError(''); renderTimerState(); renderGrace(); renderControls(); });
  timer.addEventListener('joined', renderPresence);
  timer.addEventListener('left', renderPresence);
  timer.addEventListener('error', (e) => showError(`${e.detail.code}: ${e.detail.message}`));
  $('join-button').addEventListener('click', () => timer.join());
  $('leave-button').addEventListener('click', () => timer.leave());
  $('start-button').addEventListener('click', () => drive('Start', () => client.startClock(sessionId)));
  $('pause-button').addEventListener('click', () => drive('Pause', () => timer.pause('demo page')));
  $('resume-button').addEventListener('click', () => drive('Resume', () => timer.resume('demo page')));
  $('copy-sql').addEventListener('click', async () => {
    const button = $('copy-sql');
    try {
      await navigator.clipboard.writeText($('control-sql').textContent);
      button.textContent = 'Copied';
    } catch {
      getSelection().selectAllChildren($('control-sql'));  // no clipboard access: select it instead
      button.textContent = 'Selected';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
  if (!token) showError('No token in the link: the timer needs one (#token=…&session=…).');
  renderTimerState();
  renderPresence();
} else {
  const form = $('connect-form');
  form.hidden = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams({ token: $('token-input').value.trim(), session: $('session-input').value.trim() });
    location.hash = next.toString();
  });
}

// --- the listening room ---

// The track: a click track made in this page (click_track.js), played by a
// real <audio> element that syncMedia drives. The room carries the track's
// name (every member receives it); resolveSource maps it to this page's own
// blob: URL, which would mean nothing to another page.
let clickTrackUrl = null;
const audio = $('room-audio');
let room = null;
let roomSync = null;
let lastDrift = null;
window.sessionClockDemo.audio = audio;

// Made once, when a room is first opened: ~30 ms for ten minutes of audio,
// kept out of the short lead before a start.
function makeClickTrack() {
  clickTrackUrl ??= URL.createObjectURL(new Blob([clickTrackWav()], { type: 'audio/wav' }));
  return clickTrackUrl;
}

// A track set from SQL or another app has no source here (the page's CSP
// loads blob: media only): syncMedia drops the clip and calls onError.
function sourceOf(track) {
  return track.url === CLICK_TRACK.trackUrl ? makeClickTrack() : null;
}

function showRoomError(text) {
  const el = $('room-error');
  el.textContent = text;
  el.hidden = !text;
}

// The "tap to start" control: shown with the action a tap runs, hidden with null.
function showTap(action) {
  $('room-autoplay').hidden = !action;
  $('room-tap').onclick = action && (() => { showTap(null); action(); });
}

function position(seconds) {
  if (seconds == null) return '--:--.-';
  const tenths = Math.floor(seconds * 10);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(tenths / 600))}:${pad(Math.floor(tenths / 10) % 60)}.${tenths % 10}`;
}

function renderRoomForm() {
  const usable = client.status === 'live' && Boolean(token) && !(room && !room.state && !room.closed);
  $('room-join').disabled = !usable;
  $('room-create').disabled = !usable;
}

function renderRoom() {
  const inRoom = Boolean(room && !room.closed && room.state);
  $('room-form').hidden = inRoom;
  $('room-view').hidden = !inRoom;
  renderRoomForm();
  if (!inRoom) return;
  const s = room.state;
  setText('room-code', s.code);
  setText('room-host', room.isHost ? `${s.host} (you)` : s.host);
  setText('room-members', String(s.memberCount));
  const track = room.currentTrack;
  setText('room-track', track.status === 'idle' ? '' : track.title || track.url || '');
  $('room-host-controls').hidden = !room.isHost;
  $('room-leave').hidden = room.isHost;  // the host cannot leave (hand-over is in SQL)
  $('room-pause').disabled = !(track.status === 'playing' || track.status === 'preparing');
  $('room-resume').disabled = track.status !== 'paused';
  $('room-stop').disabled = track.status === 'idle';
  if (track.status === 'idle' || track.status === 'paused') showTap(null);  // nothing to start
}

function renderRoomStatus() {
  if (!room || !room.state || room.closed) return;
  const status = room.status;
  const badge = $('room-status');
  const labels = { idle: 'Idle', preparing: 'Starting…', playing: 'Playing', paused: 'Paused' };
  if (badge.textContent !== labels[status]) {
    badge.textContent = labels[status];
    badge.className = `badge ${status === 'playing' ? 'running' : status === 'paused' ? 'paused' : ''}`;
  }
  setText('room-position', position(room.positionSec()));
  setText('room-drift', lastDrift == null || audio.paused ? '–' : ms(lastDrift, { signed: true, digits: 1 }));
}

function openRoom(create, code) {
  showRoomError('');
  if (roomSync) roomSync.detach();
  try {
    room = create ? client.createRoom(code || undefined) : client.room(code);
  } catch (e) {
    showRoomError(e.message);
    return;
  }
  const current = room;
  window.sessionClockDemo.room = current;
  showTap(null);
  makeClickTrack();
  roomSync = syncMedia(current, audio, {
    resolveSource: sourceOf,
    onStart: (start) => {
      window.sessionClockDemo.roomStarts.push(start);
      showTap(null);
    },
    // The browser refused play() without a user gesture: a tap starts the
    // audio at the schedule's position then (resume() seeks to it).
    onAutoplayBlocked: ({ resume }) => showTap(() => resume().catch((e) => showRoomError(`audio: ${e.message}`))),
    onError: (e) => showRoomError(e.code === 'no_source'
      ? `This page plays only its own click track, not ${e.track.url}.`
      : `audio: ${e.message}`),
    onDrift: (d) => { lastDrift = d.driftMs; },
  });
  current.addEventListener('state', renderRoom);
  current.addEventListener('error', (e) => showRoomError(`${e.detail.ref?.t ?? 'room'} refused — ${e.detail.code}: ${e.detail.message}`));
  current.addEventListener('left', () => {
    if (room === current) audio.pause();
    renderRoom();
  });
  current.joined.then(() => { $('room-code-input').value = current.code; }, () => {});
  renderRoom();
}

client.addEventListener('status', renderRoomForm);
$('room-form').addEventListener('submit', (e) => {
  e.preventDefault();
  openRoom(false, $('room-code-input').value.trim());
});
$('room-create').addEventListener('click', () => openRoom(true, $('room-code-input').value.trim()));
$('room-leave').addEventListener('click', () => room?.leave());
$('room-play').addEventListener('click', () => {
  showRoomError('');
  room.play({ ...CLICK_TRACK, startPositionSec: 0, requestId: crypto.randomUUID() });
});
$('room-pause').addEventListener('click', () => { showRoomError(''); room.pause(undefined, crypto.randomUUID()); });
$('room-resume').addEventListener('click', () => {
  showRoomError('');
  const track = room.currentTrack;
  room.play({ trackUrl: track.url, title: track.title, filename: track.filename,
    startPositionSec: room.positionSec(), requestId: crypto.randomUUID() });
});
$('room-stop').addEventListener('click', () => { showRoomError(''); room.stop(crypto.randomUUID()); });
if (!token) showRoomError('Rooms need a token in the link (#token=…).');
else if (roomFromLink) openRoom(false, roomFromLink);

// --- the frame loop: everything time-dependent is derived from now() ---

function frame() {
  const s = client.sync;
  if (s.synced) {
    const now = client.now();
    const date = new Date(now);
    setText('server-time', timeFormat.format(date));
    const utc = zoneIsUtc ? '' : ` · ${utcFormat.format(date)} UTC`;
    setText('server-date', `${dateFormat.format(date)} · ${zone}${utc}`);
  } else {
    setText('server-time', '--:--:--.---');
    setText('server-date', client.status === 'live' ? 'syncing…' : 'connecting…');
  }
  if (timer) {
    // A paused or ended timer needs no sync: its position is fixed by the server.
    const known = timer.ready && (s.synced || timer.isPaused || timer.isEnded);
    setText('timer-elapsed', duration(known ? timer.elapsedMs() : null));
    renderGrace();
  }
  renderRoomStatus();
  requestAnimationFrame(frame);
}

renderStatus();
renderSync();
renderRoomForm();
requestAnimationFrame(frame);
