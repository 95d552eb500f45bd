//! A recording [`Sink`] for tests and documentation examples.

use super::{FilePart, Flow, Kind, Limit, Sink, Surface};

/// One recorded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub surface: Surface,
    pub name: String,
    pub value: String,
    pub kind: Kind,
}

/// One recorded file part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub content: String,
}

/// Records everything it is given (lossy UTF-8).
#[derive(Clone, Debug, Default)]
pub struct Collect {
    pub items: Vec<Item>,
    pub docs: Vec<(Surface, String, usize)>,
    pub files: Vec<File>,
    pub limits: Vec<Limit>,
    /// Answer `Stop` once this many values were recorded.
    pub stop_after: Option<usize>,
}

impl Collect {
    /// `(name, value)` of the values (not keys).
    pub fn values(&self) -> Vec<(&str, &str)> {
        self.items
            .iter()
            .filter(|i| i.kind != Kind::Key)
            .map(|i| (i.name.as_str(), i.value.as_str()))
            .collect()
    }

    /// The names of the keys.
    pub fn keys(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|i| i.kind == Kind::Key)
            .map(|i| i.name.as_str())
            .collect()
    }

    /// `(surface:name, value)` of every value, as the inspector renders
    /// locations.
    pub fn located(&self) -> Vec<(String, &str)> {
        self.items
            .iter()
            .filter(|i| i.kind != Kind::Key)
            .map(|i| {
                let loc = if i.name.is_empty() {
                    i.surface.as_str().to_string()
                } else {
                    format!("{}:{}", i.surface.as_str(), i.name)
                };
                (loc, i.value.as_str())
            })
            .collect()
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Sink for Collect {
    fn value(&mut self, surface: Surface, name: &[u8], value: &[u8], kind: Kind) -> Flow {
        self.items.push(Item {
            surface,
            name: lossy(name),
            value: lossy(value),
            kind,
        });
        match self.stop_after {
            Some(n) if self.items.len() >= n => Flow::Stop,
            _ => Flow::Continue,
        }
    }

    fn xml_document(&mut self, surface: Surface, name: &[u8], doc: &[u8]) -> Flow {
        self.docs.push((surface, lossy(name), doc.len()));
        Flow::Continue
    }

    fn file(&mut self, part: &FilePart<'_>) -> Flow {
        self.files.push(File {
            field: lossy(part.field),
            filename: lossy(part.filename),
            content_type: lossy(part.content_type),
            content: lossy(part.content),
        });
        Flow::Continue
    }

    fn limit(&mut self, limit: Limit) -> Flow {
        self.limits.push(limit);
        Flow::Stop
    }
}
