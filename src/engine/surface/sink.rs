//! What the parsers hand to a [`Sink`]: the [`Surface`] a value comes from,
//! its [`Kind`], uploaded [`FilePart`]s, the [`Limit`]s a request can
//! exceed, and the [`Flow`] answer that stops a parser early.

use super::target::Target;

/// The part of the request a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Surface {
    /// The URL path (decoded), its segments and matrix parameters.
    Path,
    /// A query-string parameter.
    Query,
    /// A cookie.
    Cookie,
    /// A request header.
    Header,
    /// An `application/x-www-form-urlencoded` body field.
    Form,
    /// A JSON body key or string.
    Json,
    /// A `multipart/form-data` field, file name or part header.
    Multipart,
    /// XML body text or attribute value.
    Xml,
    /// A body inspected as plain text (no structure recognised).
    Body,
}

impl Surface {
    /// The prefix used in locations (`query`, `json`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Path => "path",
            Surface::Query => "query",
            Surface::Cookie => "cookie",
            Surface::Header => "header",
            Surface::Form => "form",
            Surface::Json => "json",
            Surface::Multipart => "multipart",
            Surface::Xml => "xml",
            Surface::Body => "body",
        }
    }

    /// The custom-rule target this surface belongs to.
    pub fn target(self) -> Target {
        match self {
            Surface::Path => Target::Path,
            Surface::Query => Target::Query,
            Surface::Cookie => Target::Cookies,
            Surface::Header => Target::Headers,
            Surface::Form | Surface::Json | Surface::Multipart | Surface::Xml | Surface::Body => {
                Target::Body
            }
        }
    }
}

/// What kind of item a value is within its surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A parameter value, JSON string, text node, header value.
    Value,
    /// A parameter name or JSON key.
    Key,
    /// The contents of an uploaded file (only with `inspect.file_contents`).
    FileContent,
}

/// Whether a parser should go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// A structural limit that a request exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// More parameters than `limits.max_params`.
    Params,
    /// Nesting deeper than `limits.max_depth`.
    Depth,
}

/// An uploaded file part of a multipart body.
#[derive(Clone, Copy, Debug)]
pub struct FilePart<'a> {
    /// The form field name.
    pub field: &'a [u8],
    /// The file name as the application will see it (`filename*` decoded
    /// when present, else `filename`).
    pub filename: &'a [u8],
    /// The raw `Content-Disposition` header value.
    pub disposition: &'a [u8],
    /// The part's `Content-Type` (empty when absent).
    pub content_type: &'a [u8],
    /// The file contents.
    pub content: &'a [u8],
}

/// Receives what the parsers extract.
pub trait Sink {
    /// One value with its surface, name (parameter name, JSON path, …) and
    /// kind. The value is decoded as its syntax requires (percent-decoding
    /// for query and form, unescaping for JSON, entities for XML) but not
    /// otherwise normalised.
    fn value(&mut self, surface: Surface, name: &[u8], value: &[u8], kind: Kind) -> Flow;

    /// A whole XML document (body or multipart part), for the XXE detector.
    fn xml_document(&mut self, surface: Surface, name: &[u8], doc: &[u8]) -> Flow;

    /// An uploaded file, for the upload detector.
    fn file(&mut self, part: &FilePart<'_>) -> Flow;

    /// A structural limit was exceeded; the parser stops after reporting it.
    fn limit(&mut self, limit: Limit) -> Flow;
}
