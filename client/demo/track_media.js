// A view of an <audio> element for syncMedia in which `src` is the room's
// track URL, not the element's. syncMedia sets media.src to the URL every
// member receives from the server; the demo's clip is made in each page under
// a blob: URL that means nothing to another page, so the room carries a name
// (generated:click-track) and `resolve` maps it to this page's own blob: URL.
// Everything syncMedia uses passes straight through to the element, so its
// timing is the element's own.

/**
 * `resolve(trackUrl)` returns the element's source, or null for a track this
 * page cannot play (the element is then left without one).
 */
export function trackMedia(element, resolve) {
  let trackUrl = '';
  return {
    get src() { return trackUrl; },
    set src(url) {
      trackUrl = String(url);
      const source = resolve(trackUrl);
      // The same source again would reload it from the start.
      if (source && element.src !== source) element.src = source;
      if (!source && element.hasAttribute('src')) {
        element.removeAttribute('src');
        element.load();  // drops the clip it had: without this it would play on
      }
    },
    get preload() { return element.preload; },
    set preload(value) { element.preload = value; },
    get currentTime() { return element.currentTime; },
    set currentTime(seconds) { element.currentTime = seconds; },
    get playbackRate() { return element.playbackRate; },
    set playbackRate(rate) { element.playbackRate = rate; },
    get paused() { return element.paused; },
    get readyState() { return element.readyState; },
    play: () => element.play(),
    pause: () => element.pause(),
    addEventListener: (...args) => element.addEventListener(...args),
    removeEventListener: (...args) => element.removeEventListener(...args),
  };
}
