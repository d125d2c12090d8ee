// The listening room's track, made in the page as a WAV file: nothing is
// fetched and no recording is kept in the repository. A click track at 120
// beats a minute in 4/4: each bar opens with an accented, higher click whose
// pitch climbs over a four-bar phrase (A5, C♯6, E6, A6), the other beats click
// lower and softer. Pages in sync click together; pages a beat or a bar apart
// are heard to differ. Pure: no DOM, so Node tests it too.

// The name the room carries (every member receives it from the server); each
// page maps it to its own copy of the clip (a blob: URL means nothing to
// another page).
export const CLICK_TRACK = Object.freeze({
  trackUrl: 'generated:click-track',
  title: 'Click track (120 bpm)',
  filename: 'click-track.wav',
});

export const CLICK_TRACK_FORMAT = Object.freeze({
  seconds: 600,        // long enough for a demo: ten minutes, 9.6 MB
  sampleRate: 8000,    // the highest pitch is 1760 Hz
  bpm: 120,
  beatsPerBar: 4,
});

const ACCENTS = [880, 1108.73, 1318.51, 1760];  // the bar's first beat, bar by bar through the phrase
const BEAT = 660;
const CLICK_SEC = 0.06;
const DECAY_SEC = 0.012;
const ATTACK_SEC = 0.001;  // a ramp, so the onset does not pop

function describeBeat(beat, format) {
  const inBar = beat % format.beatsPerBar;
  const bar = Math.floor(beat / format.beatsPerBar);
  return inBar === 0
    ? { hz: ACCENTS[bar % ACCENTS.length], gain: 0.8 }
    : { hz: BEAT, gain: 0.4 };
}

/** The whole track as a 16-bit mono PCM WAV file. */
export function clickTrackWav(format = CLICK_TRACK_FORMAT) {
  const { seconds, sampleRate, bpm } = format;
  const samples = Math.round(seconds * sampleRate);
  const buffer = new ArrayBuffer(44 + samples * 2);
  writeHeader(new DataView(buffer), samples, sampleRate);
  const pcm = new Int16Array(buffer, 44, samples);  // silence: zeros
  const beats = Math.ceil(seconds * bpm / 60);
  for (let beat = 0; beat < beats; beat++) {
    // The onset on the beat's exact sample, so position t s is beat t × bpm / 60.
    writeClick(pcm, Math.round(beat * 60 / bpm * sampleRate), describeBeat(beat, format), sampleRate);
  }
  return buffer;
}

function writeClick(pcm, first, { hz, gain }, sampleRate) {
  const length = Math.min(Math.round(CLICK_SEC * sampleRate), pcm.length - first);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    const envelope = Math.min(1, t / ATTACK_SEC) * Math.exp(-t / DECAY_SEC);
    pcm[first + i] = Math.round(32767 * gain * envelope * Math.sin(2 * Math.PI * hz * t));
  }
}

function writeHeader(view, samples, sampleRate) {
  const ascii = (offset, text) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);              // the fmt chunk's size
  view.setUint16(20, 1, true);               // PCM
  view.setUint16(22, 1, true);               // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);  // bytes a second
  view.setUint16(32, 2, true);               // bytes a frame
  view.setUint16(34, 16, true);              // bits a sample
  ascii(36, 'data');
  view.setUint32(40, samples * 2, true);
}
