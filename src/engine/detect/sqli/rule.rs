//! The rules of the detector ([`Rule`]: stable id, reason and strength, the
//! shape the other detectors copy) and a finding ([`Ev`]: a rule and the
//! span of its evidence).

/// What was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    BooleanTail,
    OperatorTail,
    UnionSelect,
    StackedQuery,
    CommentTruncation,
    TimeFunction,
    ErrorFunction,
    FileAccess,
    Subquery,
    SelectStatement,
    ClauseTail,
    Conditional,
    InfoFunction,
    CastError,
    TerminatedLiteral,
    CastExpression,
}

impl Rule {
    /// Stable rule id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::BooleanTail => "sqli.boolean_tail",
            Rule::OperatorTail => "sqli.operator_tail",
            Rule::UnionSelect => "sqli.union_select",
            Rule::StackedQuery => "sqli.stacked_query",
            Rule::CommentTruncation => "sqli.comment_truncation",
            Rule::TimeFunction => "sqli.time_function",
            Rule::ErrorFunction => "sqli.error_function",
            Rule::FileAccess => "sqli.file_access",
            Rule::Subquery => "sqli.subquery",
            Rule::SelectStatement => "sqli.select_statement",
            Rule::ClauseTail => "sqli.clause_tail",
            Rule::Conditional => "sqli.conditional",
            Rule::InfoFunction => "sqli.info_function",
            Rule::CastError => "sqli.cast_error",
            Rule::TerminatedLiteral => "sqli.terminated_literal",
            Rule::CastExpression => "sqli.cast_expression",
        }
    }

    /// Strong evidence stands on its own; weak evidence needed the whole
    /// value to parse.
    pub fn is_strong(self) -> bool {
        !matches!(
            self,
            Rule::BooleanTail
                | Rule::OperatorTail
                | Rule::CommentTruncation
                | Rule::ClauseTail
                | Rule::Conditional
                | Rule::InfoFunction
                | Rule::CastError
                | Rule::TerminatedLiteral
                | Rule::CastExpression
        )
    }

    /// Human-readable reason.
    pub fn reason(self) -> &'static str {
        match self {
            Rule::BooleanTail => {
                "the value closes its literal and appends a boolean condition (AND/OR …)"
            }
            Rule::OperatorTail => {
                "the value closes its string literal and joins it to another expression"
            }
            Rule::UnionSelect => "UNION SELECT appends a second query",
            Rule::StackedQuery => "a statement separator starts a second statement",
            Rule::CommentTruncation => {
                "the value closes its string literal and comments out the rest of the query"
            }
            Rule::TimeFunction => "a time-delay call (sleep, benchmark, pg_sleep, WAITFOR DELAY)",
            Rule::ErrorFunction => "an error-based extraction call (extractvalue, updatexml, …)",
            Rule::FileAccess => "file or command access (INTO OUTFILE, load_file, xp_cmdshell …)",
            Rule::Subquery => "a parenthesised SELECT subquery",
            Rule::SelectStatement => "a complete SELECT … FROM statement",
            Rule::ClauseTail => {
                "the value closes its literal and appends a query clause (ORDER BY, WHERE …)"
            }
            Rule::Conditional => {
                "a conditional (CASE WHEN … END, or a SQL function over a constant comparison)"
            }
            Rule::InfoFunction => {
                "server information read through nested SQL functions (version(), user() …)"
            }
            Rule::CastError => "a PostgreSQL cast to a number (`::int`) that leaks data in errors",
            Rule::TerminatedLiteral => {
                "the value closes its string literal and ends the statement with `;`"
            }
            Rule::CastExpression => {
                "a PostgreSQL cast of a literal or call (`'…'::jsonb`) inside an expression"
            }
        }
    }
}

/// A finding: the rule and the evidence span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ev {
    pub rule: Rule,
    pub start: usize,
    pub end: usize,
}
