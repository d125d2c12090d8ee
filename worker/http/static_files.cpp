#include "http/static_files.hpp"

#include <array>
#include <utility>

namespace session_clock::worker::static_files {

namespace http = boost::beast::http;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The demo page may run scripts, styles and images from this origin only,
// and talk to the worker's WebSocket; nothing is fetched from elsewhere. Its
// listening room plays a clip the page makes itself, under a blob: URL: the
// only media source allowed.
// COOP + COEP make it cross-origin isolated, which gives performance.now()
// 5 µs resolution instead of 100 µs (it is a secure context on 127.0.0.1 /
// localhost / HTTPS).
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src blob:; "
    "connect-src 'self' ws: wss:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace

const File* find(std::string_view path) {
  for (std::size_t i = 0; i < kFileCount; ++i)
    if (kFiles[i].path == path) return &kFiles[i];
  return nullptr;
}

std::string_view content_type(std::string_view source) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      // Before ".js": a declaration file is read by people and editors, not run.
      // TypeScript has no registered media type; text/plain shows in a browser.
      {".d.ts", "text/plain; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
  }};
  for (const auto& [extension, type] : kTypes)
    if (ends_with(source, extension)) return type;
  return "application/octet-stream";
}

bool matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    auto candidate = trim(if_none_match.substr(0, comma));
    if (candidate == "*") return true;
    if (candidate.substr(0, 2) == "W/") candidate.remove_prefix(2);
    if (candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void fill_response(const File& file, std::string_view if_none_match, http::response<http::string_body>& res) {
  auto type = content_type(file.source);
  res.set(http::field::etag, file.etag);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  if (type.substr(0, 9) == "text/html") {
    res.set("Content-Security-Policy", kPagePolicy);
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    res.set("Cross-Origin-Embedder-Policy", "require-corp");
    res.set("Referrer-Policy", "no-referrer");
  } else if (file.path.substr(0, 6) != "/demo/") {
    // The library: an app on another origin may import it (module scripts
    // are fetched with CORS). Public code, no credentials involved.
    res.set(http::field::access_control_allow_origin, "*");
  }
  if (!if_none_match.empty() && matches(if_none_match, file.etag)) {
    res.result(http::status::not_modified);
    res.erase(http::field::content_type);
    res.body().clear();
    return;
  }
  res.result(http::status::ok);
  res.set(http::field::content_type, type);
  res.body().assign(file.body.data(), file.body.size());
}

}  // namespace session_clock::worker::static_files
