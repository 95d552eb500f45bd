//! Keyword and function-name classification.
//!
//! A bare word is looked up once, case-insensitively, when it is lexed. The
//! answer is either a [`Kw`] (a word with a grammatical role the analysis
//! needs) or, for plain identifiers, a [`Func`] class saying whether the
//! name is a function an injection typically calls.

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
pub(super) fn classify(word: &[u8]) -> (Option<Kw>, Func) {
    let mut buf = [0u8; 32];
    if word.len() > buf.len() {
        return (None, Func::Plain);
    }
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    let w = buf.get(..word.len()).unwrap_or_default();
    (keyword(w), function(w))
}

fn keyword(w: &[u8]) -> Option<Kw> {
    use Kw::*;
    Some(match w {
        b"null" => Null,
        b"true" => True,
        b"false" => False,
        b"unknown" => Unknown,
        b"current_user" | b"current_date" | b"current_time" | b"current_timestamp"
        | b"localtime" | b"localtimestamp" | b"session_user" | b"system_user" | b"sysdate"
        | b"systimestamp" | b"current_schema" | b"current_role" | b"utc_date" | b"utc_time"
        | b"utc_timestamp" | b"rownum" => Niladic,
        b"and" => And,
        b"or" => Or,
        b"xor" => Xor,
        b"not" => Not,
        b"div" => Div,
        b"mod" => Mod,
        b"like" => Like,
        b"rlike" => Rlike,
        b"regexp" => Regexp,
        b"ilike" => Ilike,
        b"glob" => Glob,
        b"similar" => Similar,
        b"sounds" => Sounds,
        b"is" => Is,
        b"in" => In,
        b"between" => Between,
        b"collate" => Collate,
        b"escape" => Escape,
        b"binary" => Binary,
        b"member" => Member,
        b"of" => Of,
        b"select" => Select,
        b"insert" => Insert,
        b"update" => Update,
        b"delete" => Delete,
        b"drop" => Drop,
        b"create" => Create,
        b"alter" => Alter,
        b"truncate" => Truncate,
        b"exec" | b"execute" => Exec,
        b"declare" => Declare,
        b"set" => Set,
        b"shutdown" => Shutdown,
        b"waitfor" => Waitfor,
        b"if" => If,
        b"begin" => Begin,
        b"use" => Use,
        b"grant" | b"revoke" => Grant,
        b"load" => Load,
        b"replace" => Replace,
        b"call" => Call,
        b"show" => Show,
        b"copy" => Copy,
        b"pragma" => Pragma,
        b"attach" => Attach,
        b"kill" => Kill,
        b"handler" => Handler,
        b"rename" => Rename,
        b"merge" => Merge,
        b"prepare" => Prepare,
        b"print" => Print,
        b"with" => With,
        b"values" => Values,
        b"do" => Do,
        b"goto" => Goto,
        b"while" => While,
        b"from" => From,
        b"where" => Where,
        b"group" => Group,
        b"order" => Order,
        b"by" => By,
        b"having" => Having,
        b"limit" => Limit,
        b"offset" => Offset,
        b"fetch" => Fetch,
        b"union" => Union,
        b"intersect" => Intersect,
        b"except" => Except,
        b"minus" => Minus,
        b"all" => All,
        b"distinct" | b"distinctrow" => Distinct,
        b"into" => Into,
        b"outfile" => Outfile,
        b"dumpfile" => Dumpfile,
        b"procedure" => Procedure,
        b"for" => For,
        b"as" => As,
        b"asc" => Asc,
        b"desc" => Desc,
        b"on" => On,
        b"using" => Using,
        b"join" | b"straight_join" => Join,
        b"inner" | b"outer" | b"left" | b"right" | b"cross" | b"natural" | b"full" => JoinMod,
        b"top" => Top,
        b"case" => Case,
        b"when" => When,
        b"then" => Then,
        b"else" => Else,
        b"end" => End,
        b"exists" => Exists,
        b"any" | b"some" => Any,
        b"interval" => Interval,
        b"delay" => Delay,
        b"table" => Table,
        b"database" | b"schema" => Database,
        b"view" | b"index" | b"trigger" | b"function" | b"user" | b"login" | b"role"
        | b"sequence" | b"tablespace" | b"event" | b"column" | b"constraint" | b"synonym" => {
            ObjectType
        }
        b"lock" => Lock,
        b"share" => Share,
        b"mode" => Mode,
        b"over" => Over,
        b"partition" => Partition,
        b"separator" => Separator,
        b"window" => Window,
        b"returning" => Returning,
        b"rows" | b"row" => Rows,
        b"only" => Only,
        b"first" => First,
        b"next" => Next,
        b"go" => Go,
        _ => return None,
    })
}

fn function(w: &[u8]) -> Func {
    use Func::*;
    match w {
        b"sleep" | b"benchmark" | b"pg_sleep" | b"pg_sleep_for" | b"pg_sleep_until"
        | b"randomblob" | b"receive_message" | b"dbms_lock" | b"get_lock" => Time,
        b"extractvalue"
        | b"updatexml"
        | b"xmltype"
        | b"get_host_address"
        | b"get_host_name"
        | b"utl_inaddr"
        | b"ctxsys"
        | b"drithsx"
        | b"getmappingxpath"
        | b"name_const"
        | b"geometrycollection"
        | b"multipoint"
        | b"polygon"
        | b"multipolygon"
        | b"linestring"
        | b"multilinestring"
        | b"gtid_subset"
        | b"gtid_subtract"
        | b"json_keys"
        | b"st_latfromgeohash"
        | b"st_longfromgeohash"
        | b"st_pointfromgeohash"
        | b"xmlelement"
        | b"xmlagg"
        | b"dbms_xmlgen"
        | b"getxml"
        | b"ordsys"
        | b"ord_dicom"
        | b"getmappingxpathx"
        | b"xmlquery" => Error,
        b"load_file"
        | b"pg_read_file"
        | b"pg_ls_dir"
        | b"pg_read_binary_file"
        | b"lo_import"
        | b"lo_export"
        | b"lo_get"
        | b"xp_cmdshell"
        | b"xp_dirtree"
        | b"xp_fileexist"
        | b"xp_regread"
        | b"xp_servicecontrol"
        | b"xp_availablemedia"
        | b"xp_subdirs"
        | b"sp_oacreate"
        | b"sp_oamethod"
        | b"sp_executesql"
        | b"sp_makewebtask"
        | b"sp_addlogin"
        | b"sp_addsrvrolemember"
        | b"sp_configure"
        | b"sp_password"
        | b"openrowset"
        | b"opendatasource"
        | b"openquery"
        | b"utl_file"
        | b"utl_http"
        | b"httpuritype"
        | b"sys_eval"
        | b"sys_exec"
        | b"load_extension"
        | b"readfile"
        | b"writefile"
        | b"dbms_java"
        | b"dbms_scheduler"
        | b"dbms_export_extension" => File,
        b"version" | b"database" | b"schema" | b"user" | b"current_user" | b"session_user"
        | b"system_user" | b"db_name" | b"user_name" | b"suser_name" | b"suser_sname"
        | b"host_name" | b"connection_id" | b"last_insert_id" | b"row_count" | b"found_rows"
        | b"sqlite_version" | b"pg_backend_pid" | b"current_database" | b"inet_server_addr"
        | b"is_srvrolemember" | b"has_dbaccess" | b"object_id" | b"object_name" | b"col_name"
        | b"table_name" | b"banner" | b"serverproperty" | b"uuid" => Info,
        b"char" | b"chr" | b"nchar" | b"concat" | b"concat_ws" | b"group_concat"
        | b"string_agg" | b"listagg" | b"substring" | b"substr" | b"mid" | b"left" | b"right"
        | b"ascii" | b"ord" | b"unicode" | b"hex" | b"unhex" | b"md5" | b"sha1" | b"sha2"
        | b"if" | b"iif" | b"ifnull" | b"nullif" | b"isnull" | b"coalesce" | b"nvl" | b"decode"
        | b"cast" | b"convert" | b"count" | b"length" | b"len" | b"char_length" | b"lower"
        | b"upper" | b"lcase" | b"ucase" | b"reverse" | b"replace" | b"insert" | b"instr"
        | b"locate" | b"position" | b"strcmp" | b"elt" | b"make_set" | b"export_set" | b"field"
        | b"find_in_set" | b"conv" | b"bin" | b"oct" | b"floor" | b"rand" | b"exp" | b"round"
        | b"abs" | b"min" | b"max" | b"sum" | b"avg" | b"ceil" | b"ceiling" | b"pi" | b"sin"
        | b"cos" | b"tan" | b"sqrt" | b"pow" | b"power" | b"lpad" | b"rpad" | b"repeat"
        | b"space" | b"trim" | b"ltrim" | b"rtrim" | b"quote" | b"to_char" | b"to_number"
        | b"utl_raw" | b"cast_to_varchar2" | b"rawtohex" | b"soundex" | b"aes_encrypt"
        | b"aes_decrypt" | b"encode" | b"compress" | b"uncompress" | b"crc32" | b"password"
        | b"old_password" | b"encrypt" | b"from_base64" | b"to_base64" | b"regexp_substr"
        | b"regexp_like" | b"regexp_replace" | b"json_extract" | b"json_value"
        | b"xmlserialize" | b"typeof" | b"zeroblob" | b"unistr" | b"json_build_object"
        | b"array_agg" | b"query_to_xml" | b"datalength" | b"quotename" | b"stuff" | b"str"
        | b"space$" | b"string" | b"format" | b"weight_string" | b"bit_length"
        | b"octet_length" | b"least" | b"greatest" | b"charset" | b"collation"
        | b"coercibility" => Helper,
        _ => Plain,
    }
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
