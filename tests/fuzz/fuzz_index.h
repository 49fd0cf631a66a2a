// A small index for the fuzz targets that plan and build queries (fuzz_query.cc) or highlight
// with them (fuzz_snippet.cc): two real records, so that queries run against terms, positions,
// values and a German vocabulary as abstrakt-index writes them, and the German compound splitter the
// searcher would learn from it.
#ifndef ABSTRAKT_TESTS_FUZZ_FUZZ_INDEX_H
#define ABSTRAKT_TESTS_FUZZ_FUZZ_INDEX_H

#include <stdlib.h>
#include <xapian.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "common/analysis.h"
#include "common/compound.h"
#include "common/record.h"
#include "common/schema.h"
#include "indexer/document.h"
#include "tests/fuzz/fuzz_util.h"

namespace abstrakt::fuzz {

// Byte-identical lines of the project's data/: chatpaper-2024-02-29-04 from
// data/seed/chatpaper-2024-02-29.jsonl (German and English titles, a German abstract) and 2401.01326
// from data/arxiv-slice.jsonl.gz (English and Chinese).
inline constexpr const char* kIndexRecords[] = {
    R"json({"id": "chatpaper-2024-02-29-04", "title": {"en": "Panda-70M: Captioning 70M Videos with Multiple Cross-Modality Teachers", "de": "Panda-70M: Beschriftung von 70 Millionen Videos mit mehreren Cross-Modality-Lehrern"}, "abstract": {"de": "Die Qualität der Daten und Annotationen bestimmt die Obergrenze für die Qualität eines nachgelagerten Modells. Während es große Textkorpora und Bild-Text-Paare gibt, ist die Sammlung hochwertiger Video-Text-Daten wesentlich schwieriger. Erstens ist die manuelle Beschriftung zeitaufwendiger, da ein Annotator das gesamte Video ansehen muss. Zweitens besitzen Videos eine zeitliche Dimension, die aus mehreren zusammenhängenden Szenen besteht und mehrere Aktionen zeigt. Um ein Videodatensatz mit hochwertigen Beschriftungen zu erstellen, schlagen wir daher einen automatisierten Ansatz vor, der multimodale Eingaben wie textuelle Videobeschreibungen, Untertitel und einzelne Videobilder nutzt. Konkret kuratieren wir 3,8 Millionen hochauflösende Videos aus dem öffentlich verfügbaren HD-VILA-100M-Datensatz. Diese teilen wir in semantisch konsistente Videoclips auf und wenden mehrere Cross-Modality-Lehrermodelle an, um Beschriftungen für jedes Video zu erhalten. Anschließend feintunen wir ein Retrieval-Modell auf einer kleinen Teilmenge, bei der die beste Beschriftung für jedes Video manuell ausgewählt wird, und setzen das Modell dann auf den gesamten Datensatz ein, um die beste Beschriftung als Annotation auszuwählen. Auf diese Weise erhalten wir 70 Millionen Videos, die mit hochwertigen Textbeschriftungen gepaart sind. Wir nennen diesen Datensatz Panda-70M. Wir demonstrieren den Wert des vorgeschlagenen Datensatzes anhand von drei nachgelagerten Aufgaben: Videobeschriftung, Video- und Text-Retrieval sowie textgesteuerte Videogenerierung. Die auf den vorgeschlagenen Daten trainierten Modelle erzielen bei der Mehrheit der Metriken über alle Aufgaben hinweg deutlich bessere Ergebnisse."}, "authors": ["Tsai-Shien Chen", "Aliaksandr Siarohin", "Willi Menapace", "Ekaterina Deyneka", "Hsiang-wei Chao", "Byung Eun Jeon", "Yuwei Fang", "Hsin-Ying Lee", "Jian Ren", "Ming-Hsuan Yang", "Sergey Tulyakov"], "published": "2024-02-29", "upvotes": 35, "comments": 3})json",
    R"json({"id": "2401.01326", "title": {"en": "An Autoregressive Text-to-Graph Framework for Joint Entity and Relation Extraction"}, "abstract": {"en": "In this paper, we propose a novel method for joint entity and relation\nextraction from unstructured text by framing it as a conditional sequence\ngeneration problem. In contrast to conventional generative information\nextraction models that are left-to-right token-level generators, our approach\nis \\textit{span-based}. It generates a linearized graph where nodes represent\ntext spans and edges represent relation triplets. Our method employs a\ntransformer encoder-decoder architecture with pointing mechanism on a dynamic\nvocabulary of spans and relation types. Our model can capture the structural\ncharacteristics and boundaries of entities and relations through span\nrepresentations while simultaneously grounding the generated output in the\noriginal text thanks to the pointing mechanism. Evaluation on benchmark\ndatasets validates the effectiveness of our approach, demonstrating competitive\nresults. Code is available at https://github.com/urchade/ATG.", "zh": "本论文提出了一种 Autoregressive Text-to-Graph 框架，将联合实体和关系提取任务框架化为条件序列生成问题，采用 span-based 方法生成线性化图，其中节点表示文本 span，边表示关系三元组。框架使用 Transformer 编码器-解码器架构结合 pointing mechanism，在动态词汇表上操作，从而捕捉实体和关系的结构特征和边界，同时确保输出锚定到原始文本。该方法在基准数据集上表现出色，取得了竞争性的结果，代码已在 GitHub 上公开。"}, "authors": ["Urchade Zaratiana", "Nadi Tomeh", "Pierre Holat", "Thierry Charnois"], "categories": ["cs.CL", "cs.AI", "cs.LG"], "published": "2024-01-02", "url": "https://arxiv.org/abs/2401.01326"})json",
};

// Made once per process, in a temporary folder removed when the process ends normally (a crash
// leaves /tmp/abstrakt-fuzz-XXXXXX behind). A glass database, as abstrakt-index writes, rather than
// Xapian's in-memory backend: the posting lists the queries run on are the real ones.
struct SmallIndex {
    std::string dir = make_dir();
    Xapian::WritableDatabase db{dir + "/index", Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS};
    CompoundSplitter compounds;

    static std::string make_dir() {
        std::string path = std::filesystem::temp_directory_path() / "abstrakt-fuzz-XXXXXX";
        FUZZ_CHECK(mkdtemp(path.data()) != nullptr, "mkdtemp failed");
        return path;
    }
    ~SmallIndex() {
        db.close();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    SmallIndex(const SmallIndex&) = delete;
    SmallIndex& operator=(const SmallIndex&) = delete;

    explicit SmallIndex(Analyzer& analyzer) {
        for (const char* line : kIndexRecords) {
            Result<Record> r = parse_record(line);
            FUZZ_CHECK(r.is_ok(), "a record of the small index does not parse: " + r.message());
            db.add_document(build_document(r.value(), analyzer));
        }
        db.commit();
        // As the searcher learns it (searcher/engine.cc: german_compounds).
        CompoundSplitter::Vocabulary vocabulary;
        const std::string p = schema::kPrefixGermanWord;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t)
            vocabulary.emplace_back((*t).substr(p.size()), t.get_termfreq());
        compounds = CompoundSplitter(vocabulary);
    }
};

}  // namespace abstrakt::fuzz

#endif  // ABSTRAKT_TESTS_FUZZ_FUZZ_INDEX_H
