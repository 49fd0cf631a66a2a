#include "indexer/lexicon_learn.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/analysis.h"
#include "common/record.h"
#include "common/text.h"

namespace abstrakt {

namespace {

// English function words: not units. They co-occur with everything, and a Chinese word linked to
// "of" or "for" would translate into noise.
const std::set<std::string, std::less<>> kEnglishStop{
    "a", "about", "across", "after", "all", "an", "and", "are", "as", "at", "be", "between", "beyond", "both",
    "by", "can", "do", "does", "for", "from", "how", "in", "into", "is", "it", "its", "more", "not", "of", "on",
    "or", "our", "over", "than", "that", "the", "their", "this", "through", "to", "toward", "towards", "under",
    "using", "via", "vs", "we", "what", "when", "where", "which", "while", "who", "why", "with", "within",
    "without", "you", "your"};

class Units {
  public:
    uint32_t id(const std::string& s) {
        auto [it, added] = ids_.emplace(s, static_cast<uint32_t>(strings_.size()));
        if (added) strings_.push_back(s);
        return it->second;
    }
    const std::string& str(uint32_t i) const { return strings_[i]; }
    size_t size() const { return strings_.size(); }

  private:
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<std::string> strings_;
};

struct Sentence {
    std::vector<uint32_t> zh, en;  // unit ids, each once, sorted
};

void unique_sorted(std::vector<uint32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}


class Extractor {
  public:
    explicit Extractor(const LearnOptions& o) : o_(o) {}

    std::vector<uint32_t> zh(std::string_view text) {
        tokens_.clear();
        analyzer_.analyze(text, tokens_);
        std::vector<uint32_t> out;
        std::string run;  // the current run of adjacent Han words, for bigrams
        auto flush_run = [&] {
            if (o_.zh_bigrams) {
                auto cps = utf8_code_points(run);
                for (size_t i = 0; i + 1 < cps.size(); ++i) out.push_back(zh_units.id(cps[i] + cps[i + 1]));
            }
            run.clear();
        };
        for (size_t i = 0; i < tokens_.size(); ++i) {
            const Token& t = tokens_[i];
            if (t.kind != TokenKind::kIdeograph) {
                flush_run();
                continue;
            }
            out.push_back(zh_units.id(t.folded));
            const bool adjacent = i > 0 && tokens_[i - 1].kind == TokenKind::kIdeograph && tokens_[i - 1].end == t.start;
            if (!adjacent) flush_run();
            run += t.folded;
            if (o_.phrases && adjacent) out.push_back(zh_units.id(tokens_[i - 1].folded + t.folded));
        }
        flush_run();
        unique_sorted(out);
        return out;
    }

    std::vector<uint32_t> en(std::string_view text) {
        tokens_.clear();
        analyzer_.analyze(text, tokens_);
        std::vector<uint32_t> out;
        const Token* prev = nullptr;
        std::string prev_stem;
        for (const Token& t : tokens_) {
            if (t.joined) continue;
            if (t.kind != TokenKind::kWord || kEnglishStop.count(t.folded)) {
                prev = nullptr;
                continue;
            }
            std::string s = analyzer_.stem("en", t);
            if (s.empty()) s = t.folded;
            const uint32_t u = en_units.id(s);
            out.push_back(u);
            note_surface(u, t.folded);
            if (o_.phrases && prev && prev->pos + 1 == t.pos) {
                const uint32_t p = en_units.id(prev_stem + " " + s);
                out.push_back(p);
                note_surface(p, prev->folded + " " + t.folded);
            }
            prev = &t;
            prev_stem = std::move(s);
        }
        unique_sorted(out);
        return out;
    }

    // The most frequent folded form of an English unit.
    std::string surface(uint32_t u) const {
        const auto& forms = surfaces_[u];
        std::string best;
        uint32_t n = 0;
        for (const auto& [form, c] : forms)
            if (c > n || (c == n && form < best)) {
                best = form;
                n = c;
            }
        return best;
    }

    Units zh_units, en_units;

  private:
    void note_surface(uint32_t u, const std::string& form) {
        if (surfaces_.size() <= u) surfaces_.resize(u + 1);
        ++surfaces_[u][form];
    }

    const LearnOptions& o_;
    Analyzer analyzer_;
    std::vector<Token> tokens_;
    std::vector<std::unordered_map<std::string, uint32_t>> surfaces_;
};

uint64_t key(uint32_t z, uint32_t e) { return (static_cast<uint64_t>(z) << 32) | e; }

}  // namespace

void add_parallel(const Record& r, const LearnOptions& options, LearnStats& stats, std::vector<ParallelText>& out) {
    ++stats.records;
    if (options.holdout.count(r.id)) {
        ++stats.held_out;
        return;
    }
    const LangText* zt = Record::find(r.title, "zh");
    const LangText* et = Record::find(r.title, "en");
    if (zt && et) out.push_back({zt->text, et->text});
    if (options.summaries) {
        const LangText* za = Record::find(r.abstract, "zh");
        const LangText* ea = Record::find(r.abstract, "en");
        auto head = [](const std::string& s, size_t n) {
            if (s.size() <= n) return s;
            while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
            return s.substr(0, n);
        };
        if (za && ea) out.push_back({head(za->text, 300), head(ea->text, 600)});
    }
    stats.pairs = out.size();
}

Result<std::vector<ParallelText>> read_parallel(const std::vector<std::string>& paths, const LearnOptions& options,
                                                LearnStats& stats, const std::function<void(const std::string&)>& report) {
    std::vector<ParallelText> out;
    for (const std::string& path : paths) {
        auto reader = RecordReader::open(path);
        if (!reader.is_ok()) return reader.status();
        Record r;
        std::string error;
        while (true) {
            auto outcome = reader.value()->next(r, error);
            if (outcome == RecordReader::Outcome::kEnd) break;
            if (outcome == RecordReader::Outcome::kReadError) return Status(ErrorCode::kUnavailable, error);
            if (outcome != RecordReader::Outcome::kRecord) {
                if (outcome == RecordReader::Outcome::kMalformed) {
                    ++stats.skipped;
                    if (report) report(error);
                }
                continue;
            }
            add_parallel(r, options, stats, out);
        }
    }
    stats.pairs = out.size();
    return out;
}

LearnedLexicons learn_lexicon(const std::vector<ParallelText>& pairs, const LearnOptions& o,
                              const std::function<void(const std::string&)>& progress) {
    auto say = [&](const std::string& m) {
        if (progress) progress(m);
    };
    Extractor x(o);
    std::vector<Sentence> sents;
    sents.reserve(pairs.size());
    for (const ParallelText& p : pairs) sents.push_back({x.zh(p.zh), x.en(p.en)});

    // Unit counts; rare units are dropped from every sentence.
    std::vector<uint32_t> zc(x.zh_units.size()), ec(x.en_units.size());
    for (const Sentence& s : sents) {
        for (uint32_t z : s.zh) ++zc[z];
        for (uint32_t e : s.en) ++ec[e];
    }
    for (Sentence& s : sents) {
        s.zh.erase(std::remove_if(s.zh.begin(), s.zh.end(), [&](uint32_t z) { return zc[z] < o.min_count; }), s.zh.end());
        s.en.erase(std::remove_if(s.en.begin(), s.en.end(), [&](uint32_t e) { return ec[e] < o.min_count; }), s.en.end());
    }
    say("units: " + std::to_string(x.zh_units.size()) + " Chinese, " + std::to_string(x.en_units.size()) + " English");

    // Co-occurrence counts, by sorting the pairs of every sentence.
    std::unordered_map<uint64_t, uint32_t> cooc;
    {
        std::vector<uint64_t> keys;
        size_t n = 0;
        for (const Sentence& s : sents) n += s.zh.size() * s.en.size();
        keys.reserve(n);
        for (const Sentence& s : sents)
            for (uint32_t z : s.zh)
                for (uint32_t e : s.en) keys.push_back(key(z, e));
        std::sort(keys.begin(), keys.end());
        for (size_t i = 0; i < keys.size();) {
            size_t j = i;
            while (j < keys.size() && keys[j] == keys[i]) ++j;
            if (j - i >= o.min_count) cooc.emplace(keys[i], static_cast<uint32_t>(j - i));
            i = j;
        }
        say("co-occurring pairs: " + std::to_string(keys.size()) + ", kept " + std::to_string(cooc.size()));
    }

    LearnedLexicons out;
    auto note = [&](Lexicon& lex) {
        lex.notes().push_back(std::string("method: ") + (o.method == LearnOptions::Method::kDice ? "dice+competitive-linking" : "ibm1") +
                              ", zh units: words" + (o.zh_bigrams ? "+char-bigrams" : "") + (o.phrases ? "+phrases" : "") +
                              ", pairs: " + std::to_string(pairs.size()) + ", min count " + std::to_string(o.min_count));
    };
    note(out.zh_en);
    note(out.en_zh);

    if (o.method == LearnOptions::Method::kDice) {
        std::unordered_map<uint64_t, uint32_t> links;
        std::vector<std::pair<float, uint64_t>> cand;
        std::vector<uint32_t> used_z, used_e;
        for (const Sentence& s : sents) {
            cand.clear();
            for (uint32_t z : s.zh)
                for (uint32_t e : s.en) {
                    auto it = cooc.find(key(z, e));
                    if (it == cooc.end()) continue;
                    const float dice = 2.0f * static_cast<float>(it->second) / static_cast<float>(zc[z] + ec[e]);
                    cand.emplace_back(dice, key(z, e));
                }
            std::sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) {
                return a.first != b.first ? a.first > b.first : a.second < b.second;
            });
            used_z.clear();
            used_e.clear();
            for (const auto& [dice, k] : cand) {
                const uint32_t z = static_cast<uint32_t>(k >> 32), e = static_cast<uint32_t>(k);
                if (std::find(used_z.begin(), used_z.end(), z) != used_z.end() ||
                    std::find(used_e.begin(), used_e.end(), e) != used_e.end())
                    continue;
                used_z.push_back(z);
                used_e.push_back(e);
                ++links[k];
            }
        }
        for (const auto& [k, n] : links) {
            if (n < o.min_count) continue;
            const uint32_t z = static_cast<uint32_t>(k >> 32), e = static_cast<uint32_t>(k);
            const std::string surface = x.surface(e);
            out.zh_en.add(x.zh_units.str(z), surface, static_cast<double>(n) / zc[z]);
            out.en_zh.add(surface, x.zh_units.str(z), static_cast<double>(n) / ec[e]);
        }
    } else {
        // IBM Model 1 in one direction: t(target | source) over the kept pairs.
        auto train = [&](bool zh_source, Lexicon& lex) {
            std::unordered_map<uint64_t, float> t, c;
            for (const auto& [k, n] : cooc) {
                const uint32_t z = static_cast<uint32_t>(k >> 32), e = static_cast<uint32_t>(k);
                t.emplace(zh_source ? key(z, e) : key(e, z), 1.0f);
            }
            std::unordered_map<uint32_t, float> t_null, c_null;  // the empty source word, by target
            for (int it = 0; it < o.iterations; ++it) {
                c.clear();
                c_null.clear();
                std::unordered_map<uint32_t, float> total;
                float total_null = 0;
                for (const Sentence& s : sents) {
                    const auto& src = zh_source ? s.zh : s.en;
                    const auto& tgt = zh_source ? s.en : s.zh;
                    for (uint32_t e : tgt) {
                        auto tn = t_null.find(e);
                        const float null_t = it == 0 ? 1.0f : (tn == t_null.end() ? 0.0f : tn->second);
                        float denom = null_t;
                        for (uint32_t z : src) {
                            auto f = t.find(key(z, e));
                            if (f != t.end()) denom += f->second;
                        }
                        if (denom <= 0) continue;
                        for (uint32_t z : src) {
                            auto f = t.find(key(z, e));
                            if (f == t.end()) continue;
                            const float p = f->second / denom;
                            c[key(z, e)] += p;
                            total[z] += p;
                        }
                        c_null[e] += null_t / denom;
                        total_null += null_t / denom;
                    }
                }
                for (auto& [k, v] : t) {
                    auto f = c.find(k);
                    v = f == c.end() ? 0.0f : f->second / total[static_cast<uint32_t>(k >> 32)];
                }
                t_null.clear();
                for (const auto& [e, v] : c_null) t_null[e] = total_null > 0 ? v / total_null : 0;
                say(std::string("IBM Model 1 ") + (zh_source ? "zh->en" : "en->zh") + ", iteration " + std::to_string(it + 1));
            }
            for (const auto& [k, v] : t) {
                const uint32_t a = static_cast<uint32_t>(k >> 32), b = static_cast<uint32_t>(k);
                if (v <= 0) continue;
                if (zh_source) lex.add(x.zh_units.str(a), x.surface(b), v);
                else lex.add(x.surface(a), x.zh_units.str(b), v);
            }
        };
        train(true, out.zh_en);
        train(false, out.en_zh);
    }
    out.zh_en.finish(o.top_k, o.min_prob);
    out.en_zh.finish(o.top_k, o.min_prob);
    return out;
}

}  // namespace abstrakt
