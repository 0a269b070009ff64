//! Discovery search: one full-text index over published mini-programs (name, keywords,
//! category, description and the text of their pages rendered headless at upload) and over
//! videos (caption, author, anchor title). Text is segmented with jieba, so two-character
//! Chinese words match, then lower-cased and stemmed for English.
//!
//! The index lives in memory and is rebuilt from the database when the platform opens; every
//! release, rollback, unpublish, settings change and posted video updates it at once (the
//! `Platform` methods at the end).

use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, TokenStream};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::{App, Channel, Platform, PlatformError, Result, Video};

const TOKENIZER: &str = "capsule_jieba";

/// What a search result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    App,
    Video,
}

impl DocKind {
    fn as_str(self) -> &'static str {
        match self {
            DocKind::App => "app",
            DocKind::Video => "video",
        }
    }
}

/// A mini-program as the index sees it.
#[derive(Clone, Debug, Default)]
pub struct AppDoc<'a> {
    pub appid: &'a str,
    pub name: &'a str,
    pub keywords: &'a [String],
    pub category: &'a str,
    pub description: &'a str,
    pub page_text: &'a str,
}

/// A video as the index sees it.
#[derive(Clone, Debug, Default)]
pub struct VideoDoc<'a> {
    pub id: &'a str,
    pub caption: &'a str,
    pub author: &'a str,
    pub anchor_title: &'a str,
}

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    id: Field,
    name: Field,
    keywords: Field,
    category: Field,
    description: Field,
    page_text: Field,
    caption: Field,
    author: Field,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("documents", &self.reader.searcher().num_docs()).finish()
    }
}

fn index_error(error: tantivy::TantivyError) -> PlatformError {
    PlatformError::Search(error.to_string())
}

impl SearchIndex {
    /// An empty index in memory.
    pub fn new() -> Result<SearchIndex> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            kind: schema.add_text_field("kind", STRING),
            id: schema.add_text_field("id", STRING | STORED),
            name: schema.add_text_field("name", text.clone()),
            keywords: schema.add_text_field("keywords", text.clone()),
            category: schema.add_text_field("category", text.clone()),
            description: schema.add_text_field("description", text.clone()),
            page_text: schema.add_text_field("page_text", text.clone()),
            caption: schema.add_text_field("caption", text.clone()),
            author: schema.add_text_field("author", text),
        };
        let index = Index::create_in_ram(schema.build());
        let analyzer = TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(Stemmer::default())
            .build();
        index.tokenizers().register(TOKENIZER, analyzer);
        // One indexing thread: documents are few and small; the budget is tantivy's minimum range.
        let writer = index.writer_with_num_threads(1, 20_000_000).map_err(index_error)?;
        let reader = index.reader().map_err(index_error)?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(kind: DocKind, id: &str) -> String {
        format!("{}:{id}", kind.as_str())
    }

    /// Makes the index's changes visible to searches.
    fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        writer.commit().map_err(index_error)?;
        self.reader.reload().map_err(index_error)
    }

    fn app_document(&self, app: &AppDoc<'_>) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, DocKind::App.as_str());
        doc.add_text(f.id, Self::key(DocKind::App, app.appid));
        doc.add_text(f.name, app.name);
        doc.add_text(f.keywords, app.keywords.join(" "));
        doc.add_text(f.category, app.category);
        doc.add_text(f.description, app.description);
        doc.add_text(f.page_text, app.page_text);
        doc
    }

    fn video_document(&self, video: &VideoDoc<'_>) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, DocKind::Video.as_str());
        doc.add_text(f.id, Self::key(DocKind::Video, video.id));
        doc.add_text(f.caption, video.caption);
        doc.add_text(f.author, video.author);
        doc.add_text(f.name, video.anchor_title);
        doc
    }

    /// Adds or replaces a mini-program.
    pub fn put_app(&self, app: &AppDoc<'_>) -> Result<()> {
        self.replace(DocKind::App, app.appid, self.app_document(app))
    }

    /// Adds or replaces a video.
    pub fn put_video(&self, video: &VideoDoc<'_>) -> Result<()> {
        self.replace(DocKind::Video, video.id, self.video_document(video))
    }

    /// Replaces everything with `apps` and `videos` in one commit (one commit per document
    /// would cost a segment each).
    pub fn rebuild(&self, apps: &[AppDoc<'_>], videos: &[VideoDoc<'_>]) -> Result<()> {
        let mut writer = self.writer();
        writer.delete_all_documents().map_err(index_error)?;
        for app in apps {
            writer.add_document(self.app_document(app)).map_err(index_error)?;
        }
        for video in videos {
            writer.add_document(self.video_document(video)).map_err(index_error)?;
        }
        self.commit(&mut writer)
    }

    fn replace(&self, kind: DocKind, id: &str, doc: TantivyDocument) -> Result<()> {
        let mut writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.id, &Self::key(kind, id)));
        writer.add_document(doc).map_err(index_error)?;
        self.commit(&mut writer)
    }

    /// Takes a document out (an unpublished app).
    pub fn remove(&self, kind: DocKind, id: &str) -> Result<()> {
        let mut writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.id, &Self::key(kind, id)));
        self.commit(&mut writer)
    }

    /// The ids of the `kind` documents that match `text`, best first. The text is segmented
    /// like the documents and each word is looked up on its own (any may match; more matches
    /// rank higher; the name weighs most). There is no query syntax, so nothing a person
    /// types can fail a search.
    pub fn search(&self, kind: DocKind, text: &str, limit: usize) -> Result<Vec<String>> {
        let f = self.fields;
        let searched: &[(Field, f32)] = match kind {
            DocKind::App => &[
                (f.name, 4.0),
                (f.keywords, 3.0),
                (f.category, 2.0),
                (f.description, 1.5),
                (f.page_text, 1.0),
            ],
            DocKind::Video => &[(f.caption, 2.0), (f.name, 1.5), (f.author, 1.0)],
        };
        let words = self.words(text)?;
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut any_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            for &(field, boost) in searched {
                let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
                any_word.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost))));
            }
        }
        let of_kind: Box<dyn Query> =
            Box::new(TermQuery::new(Term::from_field_text(f.kind, kind.as_str()), IndexRecordOption::Basic));
        let query = BooleanQuery::new(vec![
            (Occur::Must, of_kind),
            (Occur::Must, Box::new(BooleanQuery::new(any_word))),
        ]);
        let searcher = self.reader.searcher();
        let hits =
            searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()).map_err(index_error)?;
        let prefix = format!("{}:", kind.as_str());
        let mut ids = Vec::with_capacity(hits.len());
        for (_score, address) in hits {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            if let Some(id) =
                doc.get_first(f.id).and_then(|v| v.as_str()).and_then(|k| k.strip_prefix(&prefix))
            {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }

    /// The distinct words of `text` as the index stores them (segmented, lower-cased, stemmed),
    /// without spaces and punctuation.
    fn words(&self, text: &str) -> Result<Vec<String>> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(TOKENIZER)
            .ok_or_else(|| PlatformError::Search(format!("no tokenizer {TOKENIZER}")))?;
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<String> = Vec::new();
        while let Some(token) = stream.next() {
            let word = token.text.trim();
            if word.chars().any(char::is_alphanumeric) && !words.iter().any(|w| w == word) {
                words.push(word.to_string());
            }
        }
        Ok(words)
    }
}

fn app_doc<'a>(app: &'a App, page_text: &'a str) -> AppDoc<'a> {
    let s = &app.settings;
    AppDoc {
        appid: &app.appid,
        name: &s.name,
        keywords: &s.keywords,
        category: &s.category,
        description: &s.description,
        page_text,
    }
}

fn video_doc(video: &Video) -> VideoDoc<'_> {
    VideoDoc {
        id: &video.id,
        caption: &video.caption,
        author: &video.author_name,
        anchor_title: video.anchor.as_ref().map_or("", |a| a.title.as_str()),
    }
}

impl Platform {
    /// Puts `appid` in the search index with its release's page text, or takes it out when it
    /// is not published.
    pub async fn reindex_app(&self, appid: &str) -> Result<()> {
        let app = self.app(appid).await?;
        self.index_app(&app).await
    }

    async fn index_app(&self, app: &App) -> Result<()> {
        match self.released_page_text(&app.appid).await? {
            Some(page_text) => self.search.put_app(&app_doc(app, &page_text)),
            None => self.search.remove(DocKind::App, &app.appid),
        }
    }

    /// The text of the released version's pages, when the app has a release.
    async fn released_page_text(&self, appid: &str) -> Result<Option<String>> {
        let Some(release) = self.channel(appid, Channel::Release).await? else { return Ok(None) };
        Ok(Some(self.version(appid, &release.version_id).await?.page_text))
    }

    pub(crate) fn index_video(&self, video: &Video) -> Result<()> {
        self.search.put_video(&video_doc(video))
    }

    /// Builds the search index afresh from the database (when the platform opens).
    pub async fn rebuild_search(&self) -> Result<()> {
        let mut apps = Vec::new();
        for app in self.published_apps().await? {
            if let Some(page_text) = self.released_page_text(&app.appid).await? {
                apps.push((app, page_text));
            }
        }
        let videos = self.videos(i64::MAX).await?;
        let app_docs: Vec<AppDoc<'_>> = apps.iter().map(|(app, page_text)| app_doc(app, page_text)).collect();
        let video_docs: Vec<VideoDoc<'_>> = videos.iter().map(video_doc).collect();
        self.search.rebuild(&app_docs, &video_docs)
    }

    /// The appids of published mini-programs matching `text`, best first.
    pub fn search_apps(&self, text: &str, limit: usize) -> Result<Vec<String>> {
        self.search.search(DocKind::App, text, limit)
    }

    /// Videos matching `text`, best first.
    pub async fn search_videos(&self, text: &str, limit: usize) -> Result<Vec<Video>> {
        let mut found = Vec::new();
        for id in self.search.search(DocKind::Video, text, limit)? {
            // The index follows posts at once; a miss here is a video deleted meanwhile.
            if let Ok(video) = self.video(&id).await {
                found.push(video);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app<'a>(appid: &'a str, name: &'a str, description: &'a str, page_text: &'a str) -> AppDoc<'a> {
        AppDoc { appid, name, description, page_text, ..AppDoc::default() }
    }

    #[test]
    fn two_character_chinese_words_match() {
        let index = SearchIndex::new().unwrap();
        index.put_app(&app("tt1", "美团外卖", "美食外卖，送到家", "")).unwrap();
        index.put_app(&app("tt2", "电影票", "看电影，选座位", "")).unwrap();
        assert_eq!(index.search(DocKind::App, "外卖", 10).unwrap(), ["tt1"]);
        assert_eq!(index.search(DocKind::App, "电影", 10).unwrap(), ["tt2"]);
        assert!(index.search(DocKind::App, "火车", 10).unwrap().is_empty());
    }

    #[test]
    fn names_outrank_page_text_and_english_is_stemmed() {
        let index = SearchIndex::new().unwrap();
        index.put_app(&app("tt-page", "Notes", "", "We sell mugs on the second page")).unwrap();
        index.put_app(&app("tt-name", "Mug World", "", "")).unwrap();
        assert_eq!(index.search(DocKind::App, "mugs", 10).unwrap(), ["tt-name", "tt-page"]);
    }

    #[test]
    fn kinds_are_kept_apart_and_documents_replaced_or_removed() {
        let index = SearchIndex::new().unwrap();
        index.put_app(&app("tt1", "Cinema", "films", "")).unwrap();
        index
            .put_video(&VideoDoc { id: "v1", caption: "Cinema night", author: "@a", anchor_title: "" })
            .unwrap();
        assert_eq!(index.search(DocKind::App, "cinema", 10).unwrap(), ["tt1"]);
        assert_eq!(index.search(DocKind::Video, "cinema", 10).unwrap(), ["v1"]);
        index.put_app(&app("tt1", "Theatre", "plays", "")).unwrap();
        assert!(index.search(DocKind::App, "cinema", 10).unwrap().is_empty());
        assert_eq!(index.search(DocKind::App, "theatre", 10).unwrap(), ["tt1"]);
        index.remove(DocKind::App, "tt1").unwrap();
        assert!(index.search(DocKind::App, "theatre", 10).unwrap().is_empty());
    }

    #[test]
    fn query_syntax_typed_by_accident_does_not_fail() {
        let index = SearchIndex::new().unwrap();
        index.put_app(&app("tt1", "Tea", "green tea", "")).unwrap();
        for text in ["\"tea", "tea:", "-", "name:tea)", "((", "*"] {
            assert!(index.search(DocKind::App, text, 10).is_ok(), "{text}");
        }
        assert_eq!(index.search(DocKind::App, "  ", 10).unwrap(), Vec::<String>::new());
    }
}
