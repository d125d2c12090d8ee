// An app's use of the React bindings (client/react.js), compiled (never run)
// by `tsc --noEmit` like usage.ts: every export, prop, option and field, in
// JSX as an app writes it. `@ts-expect-error` lines are misuses the
// declarations must reject.

import {
  ServerClock, SessionClockProvider, serverTimeData, useRoom, useServerNow, useServerTime, useSessionClock,
  useSessionTimer,
} from '../../client/react.js';
import type {
  RoomView, ServerClockProps, ServerTime, SessionClockProviderProps, SessionTimerView, TimeData,
} from '../../client/react.js';
import type { SessionClock } from '../../client/session-clock.js';

declare function show(...values: unknown[]): void;

function Header() {
  const { serverTime, timeData, isConnected, isSynced, isBeforeServerTime, isAfterServerTime }: ServerTime =
    useServerTime();
  const berlin = useServerTime({ timeZone: 'Europe/Berlin' });
  const today: Date = serverTime || new Date();  // seed 002's own fallback still compiles
  const data: TimeData | null = timeData;
  show(today.getTime(), data?.formatted, data?.time_24h, data?.timestamp_ms, data?.utc_offset, berlin.timeData?.datetime);
  show(isConnected, isSynced, isBeforeServerTime('2025-12-04T10:00:00'), isAfterServerTime(new Date()),
    isBeforeServerTime(Date.now()));
  // @ts-expect-error: a time is a string, Date or number
  isAfterServerTime({});
  const now: number = useServerNow(100) + useServerNow();
  const clock: SessionClock | null = useSessionClock();
  const props: ServerClockProps = { compact: true, showDate: false, showTime: true, className: 'x', timeZone: 'UTC' };
  return (
    <header title={String(now + (clock?.now() ?? 0))}>
      <ServerClock compact={true} />
      <ServerClock {...props} />
      <ServerClock />
      {/* @ts-expect-error: compact is a boolean */}
      <ServerClock compact="yes" />
    </header>
  );
}

function Timer({ id }: { id: string }) {
  const t: SessionTimerView = useSessionTimer(id, { join: true, resolutionMs: 100 });
  useSessionTimer(null);
  const seconds = t.elapsedMs == null ? '' : Math.floor(t.elapsedMs / 1000);
  show(t.ready, t.isPaused, t.isEnded, t.participants, t.joined, t.error?.code, t.state?.version, t.timer?.sessionId);
  const pause = () => t.pause('coffee').then(({ changed, version }) => show(changed, version));
  return <button onClick={() => (t.isPaused ? t.resume() : pause()).then(() => t.stop)}>{seconds}</button>;
}

function Party({ code }: { code: string }) {
  const r: RoomView = useRoom(code, { create: true });
  useRoom(undefined);
  const ref: number = r.play({ trackUrl: '/a.mp3', title: 'A', startPositionSec: 0 }) + r.pause() + r.seek(3) +
    r.stop() + r.ready() + r.leave();
  // @ts-expect-error: play needs a trackUrl
  r.play({ title: 'A' });
  show(ref, r.status, r.isHost, r.closed, r.error?.message, r.state?.currentTrack.title, r.room?.positionSec());
  return null;
}

const provider: SessionClockProviderProps = { url: 'http://127.0.0.1:8080', token: null, options: { burstSize: 8 } };
const data: TimeData = serverTimeData(Date.now(), 'UTC');
show(data.weekday, serverTimeData(0).datetime);

export const app = (
  <SessionClockProvider {...provider}>
    <SessionClockProvider url={new URL('ws://127.0.0.1:8080/ws')} token="jwt">
      <Header />
      <Timer id="6f1c" />
      <Party code="K7Q2PX" />
    </SessionClockProvider>
  </SessionClockProvider>
);

// @ts-expect-error: the token goes in `token`, not options
export const wrong = <SessionClockProvider url="x" options={{ token: 'jwt' }} />;
