//! Keyword and function-name classification.
//!
//! A bare word is looked up once, case-insensitively, when it is lexed. The
//! answer is either a [`Kw`] (a word with a grammatical role the analysis
//! needs) or, for plain identifiers, a [`Func`] class saying whether the
//! name is a function an injection typically calls.
//!
//! The word list is written once, as the rows of one `words!` invocation,
//! from which both the lookup `match` and the `WORDS` list (the source of
//! the length prefilter) are generated: the two cannot drift apart.

/// Words with a grammatical role. Everything else is an identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kw {
    // Literals.
    Null,
    True,
    False,
    Unknown,
    /// Niladic values usable without parentheses (`current_user`,
    /// `current_date`, `sysdate`, …).
    Niladic,
    // Logical connectives.
    And,
    Or,
    Xor,
    Not,
    // Word operators.
    Div,
    Mod,
    Like,
    Rlike,
    Regexp,
    Ilike,
    Glob,
    Similar,
    Sounds,
    Is,
    In,
    Between,
    Collate,
    Escape,
    Binary,
    Member,
    Of,
    // Statements.
    Select,
    Insert,
    Update,
    Delete,
    Drop,
    Create,
    Alter,
    Truncate,
    Exec,
    Declare,
    Set,
    Shutdown,
    Waitfor,
    If,
    Begin,
    Use,
    Grant,
    Load,
    Replace,
    Call,
    Show,
    Copy,
    Pragma,
    Attach,
    Kill,
    Handler,
    Rename,
    Merge,
    Prepare,
    Print,
    With,
    Values,
    Do,
    Goto,
    While,
    // Clauses.
    From,
    Where,
    Group,
    Order,
    By,
    Having,
    Limit,
    Offset,
    Fetch,
    Union,
    Intersect,
    Except,
    Minus,
    All,
    Distinct,
    Into,
    Outfile,
    Dumpfile,
    Procedure,
    For,
    As,
    Asc,
    Desc,
    On,
    Using,
    Join,
    JoinMod,
    Top,
    Case,
    When,
    Then,
    Else,
    End,
    Exists,
    Any,
    Interval,
    Delay,
    Table,
    Database,
    ObjectType,
    Lock,
    Share,
    Mode,
    Over,
    Partition,
    Separator,
    Window,
    Returning,
    Rows,
    Only,
    First,
    Next,
    Go,
}

/// Classes of function names, for the evidence a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Func {
    /// Not a function an injection typically needs.
    Plain,
    /// Delays execution: time-based blind injection.
    Time,
    /// Raises an error that carries data: error-based injection.
    Error,
    /// Reads or writes files, or runs commands.
    File,
    /// Reveals server information (`version()`, `database()`, `user()`).
    Info,
    /// String, conversion and conditional helpers (`char`, `concat`,
    /// `substring`, `ascii`, `if`, `cast`, …): common inside injections,
    /// harmless on their own.
    Helper,
}

/// Classifies `word` (any case): its keyword role, if any, and its class
/// as a function name (keywords such as `if`, `left` or `database` are
/// also functions when a `(` follows). Words longer than 32 bytes are plain
/// identifiers.
///
/// Most words of prose are rejected by [`LENGTHS`] (no listed word has
/// those first two letters and that length) before the table is searched.
pub(super) fn classify(word: &[u8]) -> (Option<Kw>, Func) {
    const PLAIN: (Option<Kw>, Func) = (None, Func::Plain);
    let Some(&first) = word.first() else {
        return PLAIN;
    };
    let len = word.len();
    if len > 32 {
        return PLAIN;
    }
    let second = word.get(1).copied().unwrap_or(0);
    let slot = usize::from(bucket(first.to_ascii_lowercase())) * 27
        + usize::from(bucket(second.to_ascii_lowercase()));
    let mask = LENGTHS.get(slot).copied().unwrap_or(0);
    if mask & (1u64 << len) == 0 {
        return PLAIN;
    }
    let mut buf = [0u8; 32];
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    let w = buf.get(..len).unwrap_or_default();
    lookup(w)
}

/// Writes the word table once and emits both of its readings from it: the
/// `lookup` function (a `match` on the lower-case bytes, which compiles to
/// a length switch and word compares, much faster than a binary search
/// over slices, and runs on every word of every value) and the `WORDS`
/// list that [`LENGTHS`] is built from and the tests walk. A row is
/// `b"word" => keyword, function class;`, with `_` for "no keyword".
macro_rules! words {
    (@kw _) => {
        None
    };
    (@kw $kw:ident) => {
        Some(Kw::$kw)
    };
    ($($word:literal => $kw:tt, $func:ident;)*) => {
        /// The table lookup proper: `w` is lower case and at most 32 bytes.
        #[allow(clippy::too_many_lines)] // data: one arm per listed word
        fn lookup(w: &[u8]) -> (Option<Kw>, Func) {
            match w {
                $($word => (words!(@kw $kw), Func::$func),)*
                _ => (None, Func::Plain),
            }
        }

        /// Every word with a role: keyword and/or function class, sorted
        /// (checked by a unit test, which also looks each one up).
        static WORDS: &[(&[u8], Option<Kw>, Func)] =
            &[$(($word, words!(@kw $kw), Func::$func)),*];
    };
}

// Sorted, lower case, 2 to 32 bytes; every row has a keyword role or a
// function class (checked by `table_is_sorted_lowercase_and_short`).
words! {
    b"abs"                   => _,          Helper;
    b"aes_decrypt"           => _,          Helper;
    b"aes_encrypt"           => _,          Helper;
    b"all"                   => All,        Plain;
    b"alter"                 => Alter,      Plain;
    b"and"                   => And,        Plain;
    b"any"                   => Any,        Plain;
    b"array_agg"             => _,          Helper;
    b"as"                    => As,         Plain;
    b"asc"                   => Asc,        Plain;
    b"ascii"                 => _,          Helper;
    b"attach"                => Attach,     Plain;
    b"avg"                   => _,          Helper;
    b"banner"                => _,          Info;
    b"begin"                 => Begin,      Plain;
    b"benchmark"             => _,          Time;
    b"between"               => Between,    Plain;
    b"bin"                   => _,          Helper;
    b"binary"                => Binary,     Plain;
    b"bit_length"            => _,          Helper;
    b"by"                    => By,         Plain;
    b"call"                  => Call,       Plain;
    b"case"                  => Case,       Plain;
    b"cast"                  => _,          Helper;
    b"cast_to_varchar2"      => _,          Helper;
    b"ceil"                  => _,          Helper;
    b"ceiling"               => _,          Helper;
    b"char"                  => _,          Helper;
    b"char_length"           => _,          Helper;
    b"charset"               => _,          Helper;
    b"chr"                   => _,          Helper;
    b"coalesce"              => _,          Helper;
    b"coercibility"          => _,          Helper;
    b"col_name"              => _,          Info;
    b"collate"               => Collate,    Plain;
    b"collation"             => _,          Helper;
    b"column"                => ObjectType, Plain;
    b"compress"              => _,          Helper;
    b"concat"                => _,          Helper;
    b"concat_ws"             => _,          Helper;
    b"connection_id"         => _,          Info;
    b"constraint"            => ObjectType, Plain;
    b"conv"                  => _,          Helper;
    b"convert"               => _,          Helper;
    b"copy"                  => Copy,       Plain;
    b"cos"                   => _,          Helper;
    b"count"                 => _,          Helper;
    b"crc32"                 => _,          Helper;
    b"create"                => Create,     Plain;
    b"cross"                 => JoinMod,    Plain;
    b"ctxsys"                => _,          Error;
    b"current_database"      => _,          Info;
    b"current_date"          => Niladic,    Plain;
    b"current_role"          => Niladic,    Plain;
    b"current_schema"        => Niladic,    Plain;
    b"current_time"          => Niladic,    Plain;
    b"current_timestamp"     => Niladic,    Plain;
    b"current_user"          => Niladic,    Info;
    b"database"              => Database,   Info;
    b"datalength"            => _,          Helper;
    b"db_name"               => _,          Info;
    b"dbms_export_extension" => _,          File;
    b"dbms_java"             => _,          File;
    b"dbms_lock"             => _,          Time;
    b"dbms_scheduler"        => _,          File;
    b"dbms_xmlgen"           => _,          Error;
    b"declare"               => Declare,    Plain;
    b"decode"                => _,          Helper;
    b"delay"                 => Delay,      Plain;
    b"delete"                => Delete,     Plain;
    b"desc"                  => Desc,       Plain;
    b"distinct"              => Distinct,   Plain;
    b"distinctrow"           => Distinct,   Plain;
    b"div"                   => Div,        Plain;
    b"do"                    => Do,         Plain;
    b"drithsx"               => _,          Error;
    b"drop"                  => Drop,       Plain;
    b"dumpfile"              => Dumpfile,   Plain;
    b"else"                  => Else,       Plain;
    b"elt"                   => _,          Helper;
    b"encode"                => _,          Helper;
    b"encrypt"               => _,          Helper;
    b"end"                   => End,        Plain;
    b"escape"                => Escape,     Plain;
    b"event"                 => ObjectType, Plain;
    b"except"                => Except,     Plain;
    b"exec"                  => Exec,       Plain;
    b"execute"               => Exec,       Plain;
    b"exists"                => Exists,     Plain;
    b"exp"                   => _,          Helper;
    b"export_set"            => _,          Helper;
    b"extractvalue"          => _,          Error;
    b"false"                 => False,      Plain;
    b"fetch"                 => Fetch,      Plain;
    b"field"                 => _,          Helper;
    b"find_in_set"           => _,          Helper;
    b"first"                 => First,      Plain;
    b"floor"                 => _,          Helper;
    b"for"                   => For,        Plain;
    b"format"                => _,          Helper;
    b"found_rows"            => _,          Info;
    b"from"                  => From,       Plain;
    b"from_base64"           => _,          Helper;
    b"full"                  => JoinMod,    Plain;
    b"function"              => ObjectType, Plain;
    b"geometrycollection"    => _,          Error;
    b"get_host_address"      => _,          Error;
    b"get_host_name"         => _,          Error;
    b"get_lock"              => _,          Time;
    b"getmappingxpath"       => _,          Error;
    b"getmappingxpathx"      => _,          Error;
    b"getxml"                => _,          Error;
    b"glob"                  => Glob,       Plain;
    b"go"                    => Go,         Plain;
    b"goto"                  => Goto,       Plain;
    b"grant"                 => Grant,      Plain;
    b"greatest"              => _,          Helper;
    b"group"                 => Group,      Plain;
    b"group_concat"          => _,          Helper;
    b"gtid_subset"           => _,          Error;
    b"gtid_subtract"         => _,          Error;
    b"handler"               => Handler,    Plain;
    b"has_dbaccess"          => _,          Info;
    b"having"                => Having,     Plain;
    b"hex"                   => _,          Helper;
    b"host_name"             => _,          Info;
    b"httpuritype"           => _,          File;
    b"if"                    => If,         Helper;
    b"ifnull"                => _,          Helper;
    b"iif"                   => _,          Helper;
    b"ilike"                 => Ilike,      Plain;
    b"in"                    => In,         Plain;
    b"index"                 => ObjectType, Plain;
    b"inet_server_addr"      => _,          Info;
    b"inner"                 => JoinMod,    Plain;
    b"insert"                => Insert,     Helper;
    b"instr"                 => _,          Helper;
    b"intersect"             => Intersect,  Plain;
    b"interval"              => Interval,   Plain;
    b"into"                  => Into,       Plain;
    b"is"                    => Is,         Plain;
    b"is_srvrolemember"      => _,          Info;
    b"isnull"                => _,          Helper;
    b"join"                  => Join,       Plain;
    b"json_build_object"     => _,          Helper;
    b"json_extract"          => _,          Helper;
    b"json_keys"             => _,          Error;
    b"json_value"            => _,          Helper;
    b"kill"                  => Kill,       Plain;
    b"last_insert_id"        => _,          Info;
    b"lcase"                 => _,          Helper;
    b"least"                 => _,          Helper;
    b"left"                  => JoinMod,    Helper;
    b"len"                   => _,          Helper;
    b"length"                => _,          Helper;
    b"like"                  => Like,       Plain;
    b"limit"                 => Limit,      Plain;
    b"linestring"            => _,          Error;
    b"listagg"               => _,          Helper;
    b"lo_export"             => _,          File;
    b"lo_get"                => _,          File;
    b"lo_import"             => _,          File;
    b"load"                  => Load,       Plain;
    b"load_extension"        => _,          File;
    b"load_file"             => _,          File;
    b"localtime"             => Niladic,    Plain;
    b"localtimestamp"        => Niladic,    Plain;
    b"locate"                => _,          Helper;
    b"lock"                  => Lock,       Plain;
    b"login"                 => ObjectType, Plain;
    b"lower"                 => _,          Helper;
    b"lpad"                  => _,          Helper;
    b"ltrim"                 => _,          Helper;
    b"make_set"              => _,          Helper;
    b"max"                   => _,          Helper;
    b"md5"                   => _,          Helper;
    b"member"                => Member,     Plain;
    b"merge"                 => Merge,      Plain;
    b"mid"                   => _,          Helper;
    b"min"                   => _,          Helper;
    b"minus"                 => Minus,      Plain;
    b"mod"                   => Mod,        Plain;
    b"mode"                  => Mode,       Plain;
    b"multilinestring"       => _,          Error;
    b"multipoint"            => _,          Error;
    b"multipolygon"          => _,          Error;
    b"name_const"            => _,          Error;
    b"natural"               => JoinMod,    Plain;
    b"nchar"                 => _,          Helper;
    b"next"                  => Next,       Plain;
    b"not"                   => Not,        Plain;
    b"null"                  => Null,       Plain;
    b"nullif"                => _,          Helper;
    b"nvl"                   => _,          Helper;
    b"object_id"             => _,          Info;
    b"object_name"           => _,          Info;
    b"oct"                   => _,          Helper;
    b"octet_length"          => _,          Helper;
    b"of"                    => Of,         Plain;
    b"offset"                => Offset,     Plain;
    b"old_password"          => _,          Helper;
    b"on"                    => On,         Plain;
    b"only"                  => Only,       Plain;
    b"opendatasource"        => _,          File;
    b"openquery"             => _,          File;
    b"openrowset"            => _,          File;
    b"or"                    => Or,         Plain;
    b"ord"                   => _,          Helper;
    b"ord_dicom"             => _,          Error;
    b"order"                 => Order,      Plain;
    b"ordsys"                => _,          Error;
    b"outer"                 => JoinMod,    Plain;
    b"outfile"               => Outfile,    Plain;
    b"over"                  => Over,       Plain;
    b"partition"             => Partition,  Plain;
    b"password"              => _,          Helper;
    b"pg_backend_pid"        => _,          Info;
    b"pg_ls_dir"             => _,          File;
    b"pg_read_binary_file"   => _,          File;
    b"pg_read_file"          => _,          File;
    b"pg_sleep"              => _,          Time;
    b"pg_sleep_for"          => _,          Time;
    b"pg_sleep_until"        => _,          Time;
    b"pi"                    => _,          Helper;
    b"polygon"               => _,          Error;
    b"position"              => _,          Helper;
    b"pow"                   => _,          Helper;
    b"power"                 => _,          Helper;
    b"pragma"                => Pragma,     Plain;
    b"prepare"               => Prepare,    Plain;
    b"print"                 => Print,      Plain;
    b"procedure"             => Procedure,  Plain;
    b"query_to_xml"          => _,          Helper;
    b"quote"                 => _,          Helper;
    b"quotename"             => _,          Helper;
    b"rand"                  => _,          Helper;
    b"randomblob"            => _,          Time;
    b"rawtohex"              => _,          Helper;
    b"readfile"              => _,          File;
    b"receive_message"       => _,          Time;
    b"regexp"                => Regexp,     Plain;
    b"regexp_like"           => _,          Helper;
    b"regexp_replace"        => _,          Helper;
    b"regexp_substr"         => _,          Helper;
    b"rename"                => Rename,     Plain;
    b"repeat"                => _,          Helper;
    b"replace"               => Replace,    Helper;
    b"returning"             => Returning,  Plain;
    b"reverse"               => _,          Helper;
    b"revoke"                => Grant,      Plain;
    b"right"                 => JoinMod,    Helper;
    b"rlike"                 => Rlike,      Plain;
    b"role"                  => ObjectType, Plain;
    b"round"                 => _,          Helper;
    b"row"                   => Rows,       Plain;
    b"row_count"             => _,          Info;
    b"rownum"                => Niladic,    Plain;
    b"rows"                  => Rows,       Plain;
    b"rpad"                  => _,          Helper;
    b"rtrim"                 => _,          Helper;
    b"schema"                => Database,   Info;
    b"select"                => Select,     Plain;
    b"separator"             => Separator,  Plain;
    b"sequence"              => ObjectType, Plain;
    b"serverproperty"        => _,          Info;
    b"session_user"          => Niladic,    Info;
    b"set"                   => Set,        Plain;
    b"sha1"                  => _,          Helper;
    b"sha2"                  => _,          Helper;
    b"share"                 => Share,      Plain;
    b"show"                  => Show,       Plain;
    b"shutdown"              => Shutdown,   Plain;
    b"similar"               => Similar,    Plain;
    b"sin"                   => _,          Helper;
    b"sleep"                 => _,          Time;
    b"some"                  => Any,        Plain;
    b"soundex"               => _,          Helper;
    b"sounds"                => Sounds,     Plain;
    b"sp_addlogin"           => _,          File;
    b"sp_addsrvrolemember"   => _,          File;
    b"sp_configure"          => _,          File;
    b"sp_executesql"         => _,          File;
    b"sp_makewebtask"        => _,          File;
    b"sp_oacreate"           => _,          File;
    b"sp_oamethod"           => _,          File;
    b"sp_password"           => _,          File;
    b"space"                 => _,          Helper;
    b"space$"                => _,          Helper;
    b"sqlite_version"        => _,          Info;
    b"sqrt"                  => _,          Helper;
    b"st_latfromgeohash"     => _,          Error;
    b"st_longfromgeohash"    => _,          Error;
    b"st_pointfromgeohash"   => _,          Error;
    b"str"                   => _,          Helper;
    b"straight_join"         => Join,       Plain;
    b"strcmp"                => _,          Helper;
    b"string"                => _,          Helper;
    b"string_agg"            => _,          Helper;
    b"stuff"                 => _,          Helper;
    b"substr"                => _,          Helper;
    b"substring"             => _,          Helper;
    b"sum"                   => _,          Helper;
    b"suser_name"            => _,          Info;
    b"suser_sname"           => _,          Info;
    b"synonym"               => ObjectType, Plain;
    b"sys_eval"              => _,          File;
    b"sys_exec"              => _,          File;
    b"sysdate"               => Niladic,    Plain;
    b"system_user"           => Niladic,    Info;
    b"systimestamp"          => Niladic,    Plain;
    b"table"                 => Table,      Plain;
    b"table_name"            => _,          Info;
    b"tablespace"            => ObjectType, Plain;
    b"tan"                   => _,          Helper;
    b"then"                  => Then,       Plain;
    b"to_base64"             => _,          Helper;
    b"to_char"               => _,          Helper;
    b"to_number"             => _,          Helper;
    b"top"                   => Top,        Plain;
    b"trigger"               => ObjectType, Plain;
    b"trim"                  => _,          Helper;
    b"true"                  => True,       Plain;
    b"truncate"              => Truncate,   Plain;
    b"typeof"                => _,          Helper;
    b"ucase"                 => _,          Helper;
    b"uncompress"            => _,          Helper;
    b"unhex"                 => _,          Helper;
    b"unicode"               => _,          Helper;
    b"union"                 => Union,      Plain;
    b"unistr"                => _,          Helper;
    b"unknown"               => Unknown,    Plain;
    b"update"                => Update,     Plain;
    b"updatexml"             => _,          Error;
    b"upper"                 => _,          Helper;
    b"use"                   => Use,        Plain;
    b"user"                  => ObjectType, Info;
    b"user_name"             => _,          Info;
    b"using"                 => Using,      Plain;
    b"utc_date"              => Niladic,    Plain;
    b"utc_time"              => Niladic,    Plain;
    b"utc_timestamp"         => Niladic,    Plain;
    b"utl_file"              => _,          File;
    b"utl_http"              => _,          File;
    b"utl_inaddr"            => _,          Error;
    b"utl_raw"               => _,          Helper;
    b"uuid"                  => _,          Info;
    b"values"                => Values,     Plain;
    b"version"               => _,          Info;
    b"view"                  => ObjectType, Plain;
    b"waitfor"               => Waitfor,    Plain;
    b"weight_string"         => _,          Helper;
    b"when"                  => When,       Plain;
    b"where"                 => Where,      Plain;
    b"while"                 => While,      Plain;
    b"window"                => Window,     Plain;
    b"with"                  => With,       Plain;
    b"writefile"             => _,          File;
    b"xmlagg"                => _,          Error;
    b"xmlelement"            => _,          Error;
    b"xmlquery"              => _,          Error;
    b"xmlserialize"          => _,          Helper;
    b"xmltype"               => _,          Error;
    b"xor"                   => Xor,        Plain;
    b"xp_availablemedia"     => _,          File;
    b"xp_cmdshell"           => _,          File;
    b"xp_dirtree"            => _,          File;
    b"xp_fileexist"          => _,          File;
    b"xp_regread"            => _,          File;
    b"xp_servicecontrol"     => _,          File;
    b"xp_subdirs"            => _,          File;
    b"zeroblob"              => _,          Helper;
}

/// The [`LENGTHS`] bucket of a lower-case first byte.
const fn bucket(b: u8) -> u8 {
    if b.is_ascii_lowercase() {
        b - b'a'
    } else {
        26
    }
}

/// Per first two letters (`a`–`z`, then everything else, for each): bit
/// `n` is set when some word of [`WORDS`] starting so has length `n`.
static LENGTHS: [u64; 27 * 27] = lengths();

#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
const fn lengths() -> [u64; 27 * 27] {
    let mut m = [0u64; 27 * 27];
    let mut i = 0;
    while i < WORDS.len() {
        let w = WORDS[i].0;
        m[bucket(w[0]) as usize * 27 + bucket(w[1]) as usize] |= 1u64 << w.len();
        i += 1;
    }
    m
}

/// How a FROM name relates to the system catalogs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Catalog {
    /// An ordinary table.
    None,
    /// A schema that holds catalogs (`mysql`, `sys`, `master`): a catalog
    /// only when qualified (`mysql.user`).
    Schema,
    /// A catalog table or schema no application names its data after
    /// (`information_schema`, `sysobjects`, `pg_shadow`, `sqlite_master`).
    Table,
}

/// Classifies a FROM name (any case).
pub(super) fn catalog(word: &[u8]) -> Catalog {
    let mut buf = [0u8; 32];
    if word.len() > buf.len() {
        return Catalog::None;
    }
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    let w = buf.get(..word.len()).unwrap_or_default();
    match w {
        b"mysql"
        | b"master"
        | b"sys"
        | b"dual"
        | b"domain"
        | b"msdb"
        | b"tempdb"
        | b"performance_schema"
        | b"dbo" => Catalog::Schema,
        b"information_schema"
        | b"sysobjects"
        | b"syscolumns"
        | b"sysdatabases"
        | b"syslogins"
        | b"sysprocesses"
        | b"sysxlogins"
        | b"pg_catalog"
        | b"pg_shadow"
        | b"pg_user"
        | b"pg_database"
        | b"pg_tables"
        | b"pg_class"
        | b"pg_namespace"
        | b"pg_proc"
        | b"all_tables"
        | b"all_tab_columns"
        | b"all_users"
        | b"user_tables"
        | b"user_tab_columns"
        | b"dba_users"
        | b"dba_tables"
        | b"sqlite_master"
        | b"sqlite_schema"
        | b"sqlite_temp_master"
        | b"msysobjects"
        | b"msysaccessobjects"
        | b"v$version"
        | b"sysibm"
        | b"syscat"
        | b"rdb$database"
        | b"rdb$relations"
        | b"rdb$relation_fields"
        | b"rdb$fields"
        | b"rdb$types"
        | b"rdb$collations"
        | b"rdb$functions"
        | b"sysmaster"
        | b"systables" => Catalog::Table,
        _ => Catalog::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_lowercase_and_short() {
        for pair in WORDS.windows(2) {
            if let [a, b] = pair {
                assert!(a.0 < b.0, "{:?} !< {:?}", a.0, b.0);
            }
        }
        for (w, k, f) in WORDS {
            assert!(w.len() >= 2 && w.len() <= 32);
            assert!(w.iter().all(|b| !b.is_ascii_uppercase()));
            assert!(k.is_some() || *f != Func::Plain);
            // Through the length prefilter and the case folding, in any case.
            assert_eq!(classify(w), (*k, *f), "{:?}", w);
            assert_eq!(classify(&w.to_ascii_uppercase()), (*k, *f));
        }
    }

    #[test]
    fn classification() {
        assert_eq!(classify(b"UNION"), (Some(Kw::Union), Func::Plain));
        assert_eq!(classify(b"Sleep"), (None, Func::Time));
        assert_eq!(classify(b"left"), (Some(Kw::JoinMod), Func::Helper));
        assert_eq!(classify(b"brien"), (None, Func::Plain));
        assert_eq!(catalog(b"INFORMATION_SCHEMA"), Catalog::Table);
        assert_eq!(catalog(b"mysql"), Catalog::Schema);
        assert_eq!(catalog(b"users"), Catalog::None);
    }
}
