#include "common/config.h"

#include <cstdlib>

namespace abstrakt {

std::string resolve_db_path(const std::string& flag) {
    if (!flag.empty()) return flag;
    auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? v : "";
    };
    if (std::string v = env("ABSTRAKT_DB"); !v.empty()) return v;
    if (std::string v = env("XDG_DATA_HOME"); !v.empty()) return v + "/abstrakt/index";
    if (std::string v = env("HOME"); !v.empty()) return v + "/.local/share/abstrakt/index";
    return "abstrakt-index";
}

}  // namespace abstrakt
