// The browser client (client/session-clock.js and its parts) and the demo
// page, compiled into the worker at build time (cmake/embed_files.cmake), so
// one binary serves them: nothing is read from disk at request time, and only
// the listed URL paths exist — a request cannot name any other file.
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <string_view>

namespace session_clock::worker::static_files {

struct File {
  std::string_view path;    // the URL path, e.g. "/session-clock.js"
  std::string_view source;  // the file it was made from, relative to the repository
  std::string_view body;
  std::string_view etag;    // a strong validator, quoted: a hash of the body
};

// The generated table (embedded_client_files.cpp in the build directory).
extern const File kFiles[];
extern const std::size_t kFileCount;

// The file served at exactly `path` (no query string), or nullptr.
const File* find(std::string_view path);

// By the source file's extension; text types carry charset=utf-8.
std::string_view content_type(std::string_view source);

// Does an If-None-Match header value name `etag` (or `*`)? Weak
// comparison (W/ prefixes ignored), as RFC 9110 asks for If-None-Match.
bool matches(std::string_view if_none_match, std::string_view etag);

// Fills `res` for a GET of `file`: 200 with the body, or 304 without one when
// `if_none_match` matches. Browsers revalidate every time (no-cache), so a
// new worker binary is picked up at once; the ETag makes that cheap.
void fill_response(const File& file, std::string_view if_none_match,
                   boost::beast::http::response<boost::beast::http::string_body>& res);

}  // namespace session_clock::worker::static_files
