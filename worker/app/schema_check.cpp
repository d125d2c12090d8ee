#include "app/schema_check.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "build_info.hpp"

namespace session_clock::worker {
namespace {

// Dotted versions compared part by part as numbers: 1.10 > 1.9.
int compare_versions(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  while (x.good() || y.good()) {
    long p = 0, q = 0;
    char dot;
    if (x.good()) x >> p;
    if (y.good()) y >> q;
    if (p != q) return p < q ? -1 : 1;
    if (x.good()) x >> dot;
    if (y.good()) y >> dot;
  }
  return 0;
}

std::string supported_list() {
  std::string out;
  for (const char* v : kSupportedVersions) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

struct Installed {
  std::string error;
  std::vector<std::optional<std::string>> found;
};

}  // namespace

SchemaVerdict judge_schema(const std::vector<std::optional<std::string>>& found) {
  for (std::size_t i = 0; i < kEditions.size() && i < found.size(); ++i) {
    if (!found[i]) continue;
    const auto& version = *found[i];
    const Edition& edition = kEditions[i];
    for (const char* supported : kSupportedVersions)
      if (version == supported)
        return {SchemaVerdict::Outcome::supported, std::string("database: ") + edition.name + " " + version};
    if (compare_versions(version, kSupportedVersions.back()) > 0)
      return {SchemaVerdict::Outcome::too_new,
              std::string("the database has ") + edition.name + " " + version + ", newer than this worker (" +
                  build_info::kVersion + ", for " + supported_list() + ") knows: install the worker of the same release"};
    return {SchemaVerdict::Outcome::too_old,
            std::string("the database has ") + edition.name + " " + version + "; this worker (" + build_info::kVersion +
                ") needs " + supported_list() + ": run " + edition.update_hint +
                "; as its owner or a superuser, in the database the worker connects to"};
  }
  return {SchemaVerdict::Outcome::missing,
          std::string("the database has no session_clock: run CREATE EXTENSION session_clock; as a superuser, in "
                      "the database the worker connects to (the extension comes from make install or the package "
                      "postgresql-15-session-clock); where no C library can be loaded (hosted Supabase, RDS), run "
                      "portable/session_clock.sql as the database's owner instead")};
}

void SchemaCheck::start() {
  pool_.run<Installed>(
      [self = shared_from_this()](Installed installed) {
        if (!installed.error.empty()) {
          spdlog::warn("schema check: cannot ask the database ({}); will try again after the next reconnect",
                       installed.error);
          return;
        }
        auto verdict = judge_schema(installed.found);
        if (verdict.outcome == SchemaVerdict::Outcome::supported) {
          if (!self->passed_.exchange(true)) spdlog::info("{}", verdict.message);
          return;
        }
        spdlog::critical("{}", verdict.message);
        self->fail_();
      },
      [](pqxx::connection& c, Installed& out) {
        for (const auto& edition : kEditions) {
          pqxx::nontransaction tx(c);
          try {
            auto rows = tx.exec(edition.version_query);
            if (!rows.empty() && !rows[0][0].is_null())
              out.found.emplace_back(rows[0][0].c_str());
            else
              out.found.emplace_back();
          } catch (const pqxx::undefined_function&) {
            out.found.emplace_back();  // its marker function or schema is not there: not this edition
          } catch (const pqxx::sql_error& e) {
            auto state = db::sqlstate_of(e);
            if (state != "3F000" && state != "42P01") throw;  // invalid_schema_name, undefined_table
            out.found.emplace_back();
          }
        }
      });
}

}  // namespace session_clock::worker
