//! The PHP functions the detector knows, and how a call of each counts.

/// How a call of a listed function counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tier {
    /// Runs code or commands, writes or leaks files (`eval`, `system`,
    /// `shell_exec`, `file_put_contents`): a code argument is enough.
    Exec,
    /// Only exists in PHP but does nothing dangerous by itself
    /// (`base64_decode`, `gzinflate`, `print_r`): counts as a statement of
    /// its own, never inside a sentence.
    Php,
}

/// `(name, tier, php_only)`. `php_only`: the name means nothing outside
/// PHP (no other language, no English word), so an empty call
/// `shell_exec()` standing alone is PHP too.
#[allow(clippy::too_many_lines)] // data: the function table
pub(super) static FUNCTIONS: &[(&str, Tier, bool)] = &[
    ("eval", Tier::Exec, false),
    ("assert", Tier::Exec, false),
    ("system", Tier::Exec, false),
    ("exec", Tier::Exec, false),
    ("popen", Tier::Exec, false),
    ("include", Tier::Exec, false),
    ("include_once", Tier::Exec, true),
    ("require", Tier::Exec, false),
    ("require_once", Tier::Exec, true),
    ("passthru", Tier::Exec, true),
    ("shell_exec", Tier::Exec, true),
    ("proc_open", Tier::Exec, true),
    ("pcntl_exec", Tier::Exec, true),
    ("expect_popen", Tier::Exec, true),
    ("ssh2_exec", Tier::Exec, true),
    ("create_function", Tier::Exec, true),
    ("call_user_func", Tier::Exec, true),
    ("call_user_func_array", Tier::Exec, true),
    ("forward_static_call", Tier::Exec, true),
    ("forward_static_call_array", Tier::Exec, true),
    ("register_shutdown_function", Tier::Exec, true),
    ("register_tick_function", Tier::Exec, true),
    ("file_put_contents", Tier::Exec, true),
    ("move_uploaded_file", Tier::Exec, true),
    ("highlight_file", Tier::Exec, true),
    ("show_source", Tier::Exec, true),
    ("phpinfo", Tier::Exec, true),
    ("php_uname", Tier::Exec, true),
    ("fsockopen", Tier::Exec, true),
    ("pfsockopen", Tier::Exec, true),
    ("unserialize", Tier::Exec, true),
    ("ini_set", Tier::Exec, true),
    ("ini_alter", Tier::Exec, true),
    ("dl", Tier::Exec, true),
    ("apache_setenv", Tier::Exec, true),
    ("mb_ereg_replace", Tier::Exec, true),
    ("preg_replace", Tier::Php, true),
    ("preg_replace_callback", Tier::Php, true),
    ("base64_decode", Tier::Php, true),
    ("base64_encode", Tier::Php, true),
    ("gzinflate", Tier::Php, true),
    ("gzuncompress", Tier::Php, true),
    ("gzdecode", Tier::Php, true),
    ("gzdeflate", Tier::Php, true),
    ("gzcompress", Tier::Php, true),
    ("gzencode", Tier::Php, true),
    ("bzdecompress", Tier::Php, true),
    ("str_rot13", Tier::Php, true),
    ("strrev", Tier::Php, true),
    ("convert_uudecode", Tier::Php, true),
    ("hex2bin", Tier::Php, true),
    ("zlib_decode", Tier::Php, true),
    ("file_get_contents", Tier::Php, true),
    ("readfile", Tier::Php, true),
    ("fpassthru", Tier::Php, true),
    ("stream_get_contents", Tier::Php, true),
    ("stream_socket_client", Tier::Php, true),
    ("curl_init", Tier::Php, true),
    ("curl_exec", Tier::Php, true),
    ("curl_multi_exec", Tier::Php, true),
    ("get_defined_functions", Tier::Php, true),
    ("get_defined_vars", Tier::Php, true),
    ("get_defined_constants", Tier::Php, true),
    ("get_current_user", Tier::Php, true),
    ("getmypid", Tier::Php, true),
    ("phpversion", Tier::Php, true),
    ("posix_getpwuid", Tier::Php, true),
    ("posix_getpwnam", Tier::Php, true),
    ("posix_getuid", Tier::Php, true),
    ("posix_geteuid", Tier::Php, true),
    ("posix_getgid", Tier::Php, true),
    ("posix_getegid", Tier::Php, true),
    ("posix_uname", Tier::Php, true),
    ("posix_getlogin", Tier::Php, true),
    ("posix_kill", Tier::Php, true),
    ("posix_mkfifo", Tier::Php, true),
    ("posix_setuid", Tier::Php, true),
    ("print_r", Tier::Php, true),
    ("var_dump", Tier::Php, true),
    ("var_export", Tier::Php, true),
    ("ini_get", Tier::Php, true),
    ("ini_get_all", Tier::Php, true),
    ("ini_restore", Tier::Php, true),
    ("set_time_limit", Tier::Php, true),
    ("error_reporting", Tier::Php, true),
    ("assert_options", Tier::Php, true),
    ("array_map", Tier::Php, true),
    ("array_filter", Tier::Php, true),
    ("array_walk", Tier::Php, true),
    ("usort", Tier::Php, true),
    ("uasort", Tier::Php, true),
    ("uksort", Tier::Php, true),
    ("iterator_apply", Tier::Php, true),
    ("ob_start", Tier::Php, true),
    ("parse_str", Tier::Php, true),
    ("file_exists", Tier::Php, true),
    ("is_writable", Tier::Php, true),
    ("scandir", Tier::Php, true),
];

/// Functions that run code or commands when a call names them in a
/// string: callbacks (`array_map('system', …)`), string callees
/// (`'system'('id')`) and names assembled by concatenation
/// (`'sys'.'tem'`).
pub(super) static CALLABLE: &[&str] = &[
    "system",
    "exec",
    "passthru",
    "shell_exec",
    "popen",
    "proc_open",
    "pcntl_exec",
    "assert",
    "eval",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "phpinfo",
    "file_put_contents",
    "base64_decode",
];

/// Superglobals (without the `$`).
pub(super) static SUPERGLOBALS: &[&str] = &[
    "_GET",
    "_POST",
    "_REQUEST",
    "_COOKIE",
    "_SERVER",
    "_FILES",
    "_ENV",
    "_SESSION",
    "GLOBALS",
    "HTTP_RAW_POST_DATA",
];

/// Statement keywords a PHP block starts with.
pub(super) static KEYWORDS: &[&str] = &[
    "echo",
    "print",
    "include",
    "include_once",
    "require",
    "require_once",
    "eval",
    "exit",
    "die",
    "return",
    "if",
    "foreach",
    "for",
    "while",
    "function",
    "class",
    "namespace",
    "use",
    "global",
    "static",
    "new",
    "throw",
    "try",
    "switch",
    "declare",
    "const",
];

/// Words after which an expression starts (`echo system(…)`,
/// `return"system"(…)`).
pub(super) static EXPR_WORDS: &[&str] = &[
    "echo", "print", "return", "or", "and", "xor", "else", "do", "not", "die", "exit", "throw",
];

/// Cast names: `(string)` before a string changes nothing of its value.
pub(super) static CASTS: &[&str] = &[
    "string", "array", "object", "int", "integer", "bool", "boolean", "float", "double", "real",
    "binary",
];

/// `w` is one of `list`, ASCII case-insensitively (PHP function names are).
pub(super) fn listed(w: &[u8], list: &[&str]) -> bool {
    list.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(w))
}

/// The tier and `php_only` of the function named `w`.
pub(super) fn function(w: &[u8]) -> Option<(Tier, bool)> {
    FUNCTIONS
        .iter()
        .find(|(n, _, _)| n.as_bytes().eq_ignore_ascii_case(w))
        .map(|&(_, t, only)| (t, only))
}
