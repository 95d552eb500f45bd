//! The detector table: every detector of the engine, listed once.
//!
//! [`with_detectors!`] hands the table to a macro, which turns it into what
//! the rest of the engine needs: the [`AttackType`](super::AttackType)
//! variants and names (`attack.rs`), the compiled [`Detectors`](super::Detectors)
//! set and its scan loop (`set.rs`), the detector sections of the
//! configuration (`config/mod.rs`, `config/detectors.rs`) and their JSON
//! Schema notes (`rasp-explain`). Adding a detector is one folder that
//! implements [`Detector`](super::Detector) plus one line here.
//!
//! Each row: the field name of the compiled set, the configuration section
//! (also the attack type's name in events and metrics), the
//! [`AttackType`](super::AttackType) variant, the doc line of the
//! configuration field, and the type. Value detectors run in this order on every
//! value; a blocking hit stops the scan, so the order is part of the
//! verdict (`rasp-eval --verdicts` shows what a reordering changes).
//!
//! The order gives each payload one clear type: the detectors of a
//! specific language (JNDI lookups, Java expression languages, Node.js,
//! template engines) come before the generic ones that see the same payload from
//! outside (`T(java.lang.Runtime).getRuntime().exec('id')` is also an
//! exec-style call to `cmdi`), and PHP before the file readings
//! (`php://filter/…` is also a wrapper to `path_traversal`, a serialized
//! object naming `/etc/passwd` an absolute path). SQL, HTML and shell come
//! before PHP: a shell line that writes a PHP file (`; echo "<?php …" >
//! x.php`) and markup with a PHP tag inside attack the shell and the page.

/// Calls `$callback! { rows }` with the detector table.
macro_rules! with_detectors {
    ($callback:ident) => {
        $callback! {
            jndi jndi_injection JndiInjection
                "Log4Shell-style lookup injection (`${jndi:…}` and its nested-lookup obfuscations), on every surface and every request header."
                $crate::engine::detect::jndi::Jndi;
            java java_injection JavaInjection
                "Java expression-language (OGNL, SpEL, EL), Spring4Shell, serialized objects and gadget classes; .NET `$type` gadgets."
                $crate::engine::detect::java::Java;
            node node_injection NodeInjection
                "Node.js code injection: node-serialize function markers, the Function constructor, process internals, React Flight prototype references, empty infinite loops."
                $crate::engine::detect::node::Node;
            ssti ssti Ssti
                "Server-side template injection (Jinja2/Twig, Freemarker, Velocity, ERB, Thymeleaf, Handlebars, Smarty, Mako)."
                $crate::engine::detect::ssti::Ssti;
            sqli sql_injection SqlInjection
                "SQL injection detector (`action`, `min_length`, `whitelist`)."
                $crate::engine::detect::sqli::Sqli;
            xss xss Xss
                "Cross-site scripting detector."
                $crate::engine::detect::xss::Xss;
            cmdi command_injection CommandInjection
                "OS command injection detector (`action`, `blacklist` of commands)."
                $crate::engine::detect::cmdi::Cmdi;
            php php_injection PhpInjection
                "PHP object injection, code in parameters and stream wrappers."
                $crate::engine::detect::php::Php;
            traversal path_traversal PathTraversal
                "Path traversal / local file inclusion detector (`action`, `whitelist` of directories)."
                $crate::engine::detect::traversal::Traversal;
            ssrf ssrf Ssrf
                "Server-side request forgery detector (`action`, `blacklist` of CIDRs, `whitelist` of hosts, `schemes`)."
                $crate::engine::detect::ssrf::Ssrf;
            xxe xxe Xxe
                "XML external entity detector (`action`, `reject_doctype`)."
                $crate::engine::detect::xxe::Xxe;
            upload file_upload FileUpload
                "Malicious upload detector (`action`, `blacklist` of extensions)."
                $crate::engine::detect::upload::Upload;
            nosqli nosql_injection NosqlInjection
                "NoSQL (MongoDB) operator injection in keys and `$where` JavaScript."
                $crate::engine::detect::nosqli::Nosqli;
            ldap ldap_injection LdapInjection
                "LDAP filter injection (break-outs that close a filter and open another)."
                $crate::engine::detect::ldap::Ldap;
            prototype_pollution prototype_pollution PrototypePollution
                "Prototype pollution (`__proto__`, `constructor.prototype` in keys)."
                $crate::engine::detect::prototype_pollution::PrototypePollution;
            crlf header_injection HeaderInjection
                "Header injection and response / request splitting, on every surface and every request header."
                $crate::engine::detect::crlf::Crlf;
            scanner scanner Scanner
                "Attack-tool signatures in `User-Agent` and tool-only headers."
                $crate::engine::detect::scanner::Scanner;
            sensitive_path sensitive_path SensitivePath
                "Requests for VCS metadata, secrets, backups, server and editor configuration by path."
                $crate::engine::detect::sensitive_path::SensitivePath;
        }
    };
}
pub(crate) use with_detectors;
