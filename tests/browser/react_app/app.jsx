// The React test app: client/react.js as an app uses it (JSX, bundled by
// esbuild in react.test.mjs), under StrictMode. The test drives it through
// window.app and reads the DOM; commits are counted with <Profiler>.
import { Profiler, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

import {
  ServerClock, SessionClockProvider, serverTimeData, useRoom, useServerNow, useServerTime, useSessionClock,
  useSessionTimer,
} from '../../../client/react.js';

// Every socket the provider opens, to see it closed on unmount.
const sockets = [];
class TrackedWebSocket extends WebSocket {
  constructor(url) {
    super(url);
    sockets.push(this);
  }
}

const commits = {};  // Profiler id -> [{ at: server ms, text }]
function Counted({ id, children }) {
  const onRender = () => {
    const text = document.querySelector(`[data-part="${id}"]`)?.textContent ?? '';
    (commits[id] ??= []).push({ at: window.app.clock?.now() ?? null, text });
  };
  return <Profiler id={id} onRender={onRender}><div data-part={id}>{children}</div></Profiler>;
}

// The provider's clock, for the test to read (identity, now()).
function ExposeClock() {
  const clock = useSessionClock();
  useEffect(() => { window.app.clock = clock; }, [clock]);
  return null;
}

// useServerTime's result, kept for the test to call.
function TimeProbe() {
  const time = useServerTime();
  useEffect(() => { window.app.time = time; });
  return <span data-part="time-probe">{time.timeData ? time.timeData.time_24h : 'none'}</span>;
}

function QuarterSeconds() {
  return <span>{useServerNow(250)}</span>;
}

function Timer({ sessionId }) {
  const t = useSessionTimer(sessionId, { join: true });
  const [refusal, setRefusal] = useState('');
  useEffect(() => { window.app.timer = t; });
  const act = (command) => () => command().then(() => setRefusal(''), (e) => setRefusal(e.code));
  return (
    <div>
      <output data-field="elapsed">{t.elapsedMs == null ? '' : Math.floor(t.elapsedMs / 1000)}</output>
      <span data-field="paused">{String(t.isPaused)}</span>
      <span data-field="participants">{String(t.participants)}</span>
      <span data-field="joined">{String(t.joined)}</span>
      <button data-action="pause" onClick={act(() => t.pause('coffee'))}>Pause</button>
      <button data-action="resume" onClick={act(() => t.resume())}>Resume</button>
      <span data-field="refusal">{refusal}</span>
    </div>
  );
}

function Party({ code }) {
  const r = useRoom(code, { create: true });
  useEffect(() => { window.app.room = r; });
  return (
    <div>
      <span data-field="room-status">{String(r.status)}</span>
      <span data-field="room-host">{String(r.isHost)}</span>
      <span data-field="room-title">{r.state?.currentTrack.title ?? ''}</span>
      <span data-field="room-error">{r.error?.code ?? ''}</span>
      <button data-action="play" onClick={() => r.play({ trackUrl: '/a.mp3', title: 'Track A' })}>Play</button>
      <button data-action="room-pause" onClick={() => r.pause()}>Pause</button>
      <button data-action="room-stop" onClick={() => r.stop()}>Stop</button>
    </div>
  );
}

function App({ url, token, parts, sessionId, roomCode }) {
  return (
    <SessionClockProvider url={url} token={token} options={{ WebSocket: TrackedWebSocket }}>
      <ExposeClock />
      {parts.includes('clock') && <Counted id="compact"><ServerClock compact /></Counted>}
      {parts.includes('clock') && <Counted id="full"><ServerClock /></Counted>}
      {parts.includes('time') && <TimeProbe />}
      {parts.includes('now') && <Counted id="now"><QuarterSeconds /></Counted>}
      {parts.includes('timer') && <Counted id="timer"><Timer sessionId={sessionId} /></Counted>}
      {parts.includes('room') && <Party code={roomCode} />}
    </SessionClockProvider>
  );
}

let root = null;
window.app = {
  sockets, commits, serverTimeData, clock: null, time: null, timer: null, room: null,
  // Mounts (or re-renders with new props: a new token, say).
  render(props) {
    root ??= createRoot(document.getElementById('root'));
    root.render(<StrictMode><App {...props} /></StrictMode>);
  },
  unmount() {
    root?.unmount();
    root = null;
    window.app.clock = null;
  },
};
