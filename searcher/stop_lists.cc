#include "searcher/stop_lists.h"

namespace abstrakt {

namespace {

struct StopList {
    const char* lang;
    const char* words;  // one space between words
};

constexpr StopList kStopLists[] =
#include "searcher/stop_lists.inc"
    ;

}  // namespace

std::vector<std::string> stop_list_languages() {
    std::vector<std::string> out;
    for (const StopList& l : kStopLists) out.emplace_back(l.lang);
    return out;
}

std::vector<std::string_view> stop_list(std::string_view lang) {
    std::vector<std::string_view> out;
    for (const StopList& l : kStopLists) {
        if (lang != l.lang) continue;
        std::string_view words(l.words);
        while (!words.empty()) {
            const size_t space = words.find(' ');
            if (space != 0) out.push_back(words.substr(0, space));
            if (space == std::string_view::npos) break;
            words.remove_prefix(space + 1);
        }
    }
    return out;
}

}  // namespace abstrakt
