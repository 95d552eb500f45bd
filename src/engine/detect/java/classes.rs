//! Gadget classes: the Java and .NET types that deserialization and
//! expression-language exploits instantiate, and where a value names one.
//!
//! Two kinds of names:
//!
//! * **gadget-only** names (commons-collections functors, `JdbcRowSetImpl`,
//!   Groovy's `MethodClosure`, ysoserial's own packages, BCEL-encoded class
//!   names `$$BCEL$$`) exist in requests only to be abused; they count
//!   anywhere in a value;
//! * **dangerous types** (`java.lang.Runtime`, `java.lang.ProcessBuilder`,
//!   `javax.script.ScriptEngineManager`, `java.beans.XMLDecoder`,
//!   `System.Windows.Data.ObjectDataProvider`, …) are ordinary classes
//!   that show up in stack traces, logs and documentation; they count only
//!   where a deserializer or evaluator reads a type: as the whole value (a
//!   JSON `"@type"` / `"$type"` value, an XML `class` attribute as the XML
//!   surface extracts it), after `class="`, `<` (an XStream element),
//!   `!!` (a SnakeYAML tag), a type key (`"@type":`, `"$type":`,
//!   `"__type":`, `"@class":`) or `forName("`, before `(` with a quoted
//!   argument (WebLogic's `handle=…FileSystemXmlApplicationContext('http://…')`),
//!   or, for .NET, with an assembly qualifier (`…ObjectDataProvider,
//!   PresentationFramework`). `at java.lang.ProcessBuilder.start(ProcessBuilder.java:1048)`
//!   and "use System.Diagnostics.Process to …" pass.

use super::bytes::{at, before, dotted, find_from, ident_end, is_ident, skip_ws, starts_at};
use crate::engine::detect::Hit;

/// How a listed name counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Anywhere in a value.
    Gadget,
    /// Only where a type is read (see the module docs).
    Type,
}

/// Java names. An entry ending with `.` is a package: every class in it.
#[allow(clippy::too_many_lines)] // data: the gadget table
pub(super) static JAVA: &[(&str, Kind)] = &[
    // Gadget chains (ysoserial, marshalsec): never ordinary request data.
    ("org.apache.commons.collections.functors.", Kind::Gadget),
    ("org.apache.commons.collections4.functors.", Kind::Gadget),
    ("com.sun.rowset.JdbcRowSetImpl", Kind::Gadget),
    ("org.codehaus.groovy.runtime.MethodClosure", Kind::Gadget),
    ("org.codehaus.groovy.runtime.ConvertedClosure", Kind::Gadget),
    (
        "javax.management.BadAttributeValueExpException",
        Kind::Gadget,
    ),
    ("com.sun.jndi.rmi.registry.ReferenceWrapper", Kind::Gadget),
    (
        "org.apache.xbean.propertyeditor.JndiConverter",
        Kind::Gadget,
    ),
    (
        "com.mchange.v2.c3p0.JndiRefForwardingDataSource",
        Kind::Gadget,
    ),
    ("com.tangosol.coherence.mvel2.sh.ShellSession", Kind::Gadget),
    (
        "oracle.toplink.internal.sessions.UnitOfWorkChangeSet",
        Kind::Gadget,
    ),
    (
        "com.sun.org.apache.bcel.internal.util.ClassLoader",
        Kind::Gadget,
    ),
    ("org.apache.bcel.util.ClassLoader", Kind::Gadget),
    ("ysoserial.", Kind::Gadget),
    ("marshalsec.", Kind::Gadget),
    // Classes that run commands, scripts or loaders, or look up JNDI:
    // ordinary names, dangerous where a type is read.
    ("java.lang.Runtime", Kind::Type),
    ("java.lang.ProcessBuilder", Kind::Type),
    ("java.lang.ProcessImpl", Kind::Type),
    ("java.lang.UNIXProcess", Kind::Type),
    ("javax.script.ScriptEngineManager", Kind::Type),
    ("java.beans.XMLDecoder", Kind::Type),
    ("java.beans.EventHandler", Kind::Type),
    ("java.net.URLClassLoader", Kind::Type),
    ("javax.naming.InitialContext", Kind::Type),
    ("javax.el.ELProcessor", Kind::Type),
    ("javax.management.remote.rmi.RMIConnector", Kind::Type),
    ("org.apache.naming.factory.BeanFactory", Kind::Type),
    (
        "sun.reflect.annotation.AnnotationInvocationHandler",
        Kind::Type,
    ),
    (
        "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
        Kind::Type,
    ),
    ("org.apache.xalan.xsltc.trax.TemplatesImpl", Kind::Type),
    (
        "com.mchange.v2.c3p0.WrapperConnectionPoolDataSource",
        Kind::Type,
    ),
    (
        "org.apache.commons.configuration.JNDIConfiguration",
        Kind::Type,
    ),
    (
        "org.apache.commons.configuration2.JNDIConfiguration",
        Kind::Type,
    ),
    ("org.apache.commons.beanutils.BeanComparator", Kind::Type),
    ("com.sun.syndication.feed.impl.ObjectBean", Kind::Type),
    ("com.sun.syndication.feed.impl.ToStringBean", Kind::Type),
    ("com.rometools.rome.feed.impl.ObjectBean", Kind::Type),
    ("com.rometools.rome.feed.impl.ToStringBean", Kind::Type),
    (
        "org.springframework.beans.factory.config.PropertyPathFactoryBean",
        Kind::Type,
    ),
    (
        "org.springframework.beans.factory.config.MethodInvokingFactoryBean",
        Kind::Type,
    ),
    (
        "org.springframework.aop.config.MethodLocatingFactoryBean",
        Kind::Type,
    ),
    (
        "org.springframework.context.support.ClassPathXmlApplicationContext",
        Kind::Type,
    ),
    (
        "org.springframework.context.support.FileSystemXmlApplicationContext",
        Kind::Type,
    ),
    (
        "com.bea.core.repackaged.springframework.context.support.ClassPathXmlApplicationContext",
        Kind::Type,
    ),
    (
        "com.bea.core.repackaged.springframework.context.support.FileSystemXmlApplicationContext",
        Kind::Type,
    ),
    (
        "org.springframework.transaction.jta.JtaTransactionManager",
        Kind::Type,
    ),
    ("ch.qos.logback.core.db.JNDIConnectionSource", Kind::Type),
    ("br.com.anteros.dbcp.AnterosDBCPConfig", Kind::Type),
    (
        "org.apache.ibatis.datasource.jndi.JndiDataSourceFactory",
        Kind::Type,
    ),
    ("org.apache.shiro.jndi.JndiObjectFactory", Kind::Type),
    ("org.apache.shiro.realm.jndi.JndiRealmFactory", Kind::Type),
    ("org.hibernate.jmx.StatisticsService", Kind::Type),
    ("bsh.Interpreter", Kind::Type),
    ("bsh.XThis", Kind::Type),
    ("groovy.lang.GroovyShell", Kind::Type),
    ("groovy.lang.GroovyClassLoader", Kind::Type),
    ("groovy.util.Eval", Kind::Type),
];

/// .NET types of the ysoserial.net gadgets (all [`Kind::Type`]).
pub(super) static DOTNET: &[&str] = &[
    "System.Windows.Data.ObjectDataProvider",
    "System.Diagnostics.Process",
    "System.Diagnostics.ProcessStartInfo",
    "System.Configuration.Install.AssemblyInstaller",
    "System.Activities.Presentation.WorkflowDesigner",
    "System.Windows.ResourceDictionary",
    "System.Windows.Markup.XamlReader",
    "System.Windows.Forms.BindingSource",
    "System.Windows.Forms.AxHost+State",
    "System.Management.Automation.PSObject",
    "System.Data.Services.Internal.ExpandedWrapper",
    "System.IdentityModel.Tokens.SessionSecurityToken",
    "System.Web.Security.RolePrincipal",
    "System.Security.Principal.WindowsIdentity",
    "System.Security.Principal.WindowsPrincipal",
    "System.Security.Claims.ClaimsIdentity",
    "System.Security.Claims.ClaimsPrincipal",
    "System.Runtime.Serialization.Formatters.Binary.BinaryFormatter",
    "System.Web.UI.LosFormatter",
    "System.Web.UI.ObjectStateFormatter",
    "System.CodeDom.Compiler.TempFileCollection",
    "System.UnitySerializationHolder",
    "System.DelegateSerializationHolder",
    "Microsoft.VisualStudio.Text.Formatting.TextFormattingRunProperties",
];

/// One compiled list entry.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub name: Vec<u8>,
    pub kind: Kind,
    pub dotnet: bool,
}

/// The lists in force: the built-in ones and the configured extras.
#[derive(Clone, Debug)]
pub(super) struct Classes {
    entries: Vec<Entry>,
    /// First segments (`java`, `org`, `System`, …): a dotted name whose
    /// first segment is not here is not looked up.
    firsts: Vec<Vec<u8>>,
    /// Flag a value that is nothing but a dangerous type name.
    pub whole_values: bool,
}

/// What a lookup found.
struct Found {
    kind: Kind,
    dotnet: bool,
    /// The name matched exactly (not a package prefix or a member).
    exact: bool,
}

impl Classes {
    pub fn new(extra: &[String], dotnet: bool, whole_values: bool) -> Classes {
        let mut entries: Vec<Entry> = JAVA
            .iter()
            .map(|&(n, kind)| Entry {
                name: n.as_bytes().to_vec(),
                kind,
                dotnet: false,
            })
            .collect();
        if dotnet {
            entries.extend(DOTNET.iter().map(|n| Entry {
                name: n.as_bytes().to_vec(),
                kind: Kind::Type,
                dotnet: true,
            }));
        }
        entries.extend(extra.iter().map(|n| Entry {
            name: n.as_bytes().to_vec(),
            kind: Kind::Type,
            dotnet: false,
        }));
        let mut firsts: Vec<Vec<u8>> = entries
            .iter()
            .map(|e| {
                let n = &e.name;
                let end = n.iter().position(|&b| b == b'.').unwrap_or(n.len());
                n.get(..end).unwrap_or_default().to_vec()
            })
            .collect();
        firsts.sort();
        firsts.dedup();
        Classes {
            entries,
            firsts,
            whole_values,
        }
    }

    /// The entry naming the dotted name `name` (exactly, as a package
    /// prefix, or as a class whose member `name` is).
    fn lookup(&self, name: &[u8]) -> Option<Found> {
        let first_end = name.iter().position(|&b| b == b'.').unwrap_or(name.len());
        let first = name.get(..first_end).unwrap_or_default();
        // Fastjson's descriptor spelling `Lcom.sun.…;`.
        if self
            .firsts
            .binary_search_by(|f| f.as_slice().cmp(first))
            .is_err()
        {
            let stripped = name.strip_prefix(b"L")?;
            return self.lookup(stripped);
        }
        self.entries.iter().find_map(|e| {
            let n = e.name.as_slice();
            if name == n {
                return Some(Found {
                    kind: e.kind,
                    dotnet: e.dotnet,
                    exact: true,
                });
            }
            // A package entry names every class in it; a class entry
            // followed by `.member` names a member, not the type.
            let package = n.last() == Some(&b'.') && name.starts_with(n);
            let member = name.starts_with(n) && name.get(n.len()) == Some(&b'.');
            (package || member).then_some(Found {
                kind: e.kind,
                dotnet: e.dotnet,
                exact: package,
            })
        })
    }

    /// The first gadget-only name, or dangerous type in a type position.
    /// `dots`: the value has a `.` (no dotted name otherwise).
    pub fn scan(&self, v: &[u8], dots: bool) -> Option<Hit> {
        if let Some(p) = find_from(v, 0, b"$$BCEL$$") {
            return Some(Hit::new(
                "java.gadget",
                "BCEL-encoded class name ($$BCEL$$): bytecode loaded from the value",
                p,
                v.len(),
            ));
        }
        let mut i = if dots { 0 } else { v.len() };
        while i < v.len() {
            let c = at(v, i);
            let starts = (c.is_ascii_alphabetic() || c == b'_')
                && !is_ident(before(v, i))
                && before(v, i) != b'.';
            if !starts {
                i += 1;
                continue;
            }
            let Some((end, dots)) = dotted(v, i) else {
                i += 1;
                continue;
            };
            // .NET nested types (`AxHost+State`) and generics (`` `1[[``).
            let mut e = end;
            if at(v, e) == b'+' && ident_end(v, e + 1) > e + 1 {
                e = ident_end(v, e + 1);
            }
            if dots >= 1 {
                if let Some(f) = v.get(i..e).and_then(|n| self.lookup(n)) {
                    if let Some(h) = self.judge(v, i, e, &f) {
                        return Some(h);
                    }
                }
            }
            i = e.max(i + 1);
        }
        None
    }

    fn judge(&self, v: &[u8], s: usize, e: usize, f: &Found) -> Option<Hit> {
        if f.kind == Kind::Gadget {
            return Some(Hit::new(
                "java.gadget",
                "deserialization gadget class (commons-collections functors, JdbcRowSetImpl, …)",
                s,
                e,
            ));
        }
        if !f.exact {
            return None;
        }
        let (rule, reason) = if f.dotnet {
            (
                "dotnet.type_gadget",
                ".NET gadget type where a deserializer reads a type ($type, assembly-qualified)",
            )
        } else {
            (
                "java.gadget",
                "class that runs commands or loads code where a deserializer reads a type",
            )
        };
        let typed = type_before(v, s)
            || type_after(v, e, f.dotnet)
            || (self.whole_values && whole(v, s, e));
        typed.then(|| Hit::new(rule, reason, s, e))
    }
}

/// The name fills the value, but for whitespace, quotes, a Fastjson `[`
/// or `;` and a trailing `()`.
fn whole(v: &[u8], s: usize, e: usize) -> bool {
    let pre = v.get(..s).unwrap_or_default();
    let post = v.get(e..).unwrap_or_default();
    let pre_ok = pre
        .iter()
        .all(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'['));
    let post = post.strip_prefix(b"()").unwrap_or(post);
    let post_ok = post
        .iter()
        .all(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b']'));
    pre_ok && post_ok
}

/// What precedes the name marks a type: `class="`, `<`, `!!`, a type key,
/// `forName("`, `loadClass("`.
fn type_before(v: &[u8], s: usize) -> bool {
    let mut p = s;
    // One opening quote, then blanks.
    if matches!(before(v, p), b'"' | b'\'') {
        p -= 1;
    }
    while before(v, p).is_ascii_whitespace() {
        p -= 1;
    }
    let head = v.get(..p).unwrap_or_default();
    let c = before(v, p);
    if c == b'<' || head.ends_with(b"</") || head.ends_with(b"!!") {
        return true;
    }
    if c == b'(' {
        let h = head.get(..head.len().saturating_sub(1)).unwrap_or_default();
        let h = h.trim_ascii_end();
        return h.ends_with(b"forName") || h.ends_with(b"loadClass");
    }
    if c == b'=' {
        // An attribute `class=` / `type=` (XMLDecoder, XStream, JNDI
        // references), not any `key=value`.
        let h = head.get(..head.len().saturating_sub(1)).unwrap_or_default();
        let h = h.trim_ascii_end();
        return [&b"class"[..], b"type", b"resolves-to"]
            .iter()
            .any(|k| h.ends_with(k) && !is_ident(before(h, h.len() - k.len())));
    }
    if c == b':' {
        // A JSON type key: `"@type": "…"`, `"$type":`, `"__type":`, `"@class":`.
        let h = head.get(..head.len().saturating_sub(1)).unwrap_or_default();
        let h = h.trim_ascii_end();
        let h = h.strip_suffix(b"\"").unwrap_or(h);
        return [
            &b"@type"[..],
            b"$type",
            b"__type",
            b"@class",
            b"@c",
            b"\"class",
        ]
        .iter()
        .any(|k| h.ends_with(k));
    }
    false
}

/// What follows the name marks a type: a quoted constructor argument
/// (`…ApplicationContext("http://…")`), OGNL's `@`, a class literal
/// `.class`, or for .NET an assembly qualifier (`, PresentationFramework`)
/// or generic arguments.
fn type_after(v: &[u8], e: usize, dotnet: bool) -> bool {
    let c = at(v, e);
    if c == b'@' || starts_at(v, e, b".class") && !is_ident(at(v, e + 6)) {
        return true;
    }
    if c == b'(' {
        let a = skip_ws(v, e + 1);
        return matches!(at(v, a), b'"' | b'\'');
    }
    if dotnet {
        if c == b'`' {
            return true;
        }
        if c == b',' {
            let a = skip_ws(v, e + 1);
            return ident_end(v, a) > a;
        }
    }
    false
}

/// XAML that makes WPF call a method: an `ObjectDataProvider` with a
/// `MethodName`, or `{x:Type …Process}`.
pub(super) fn xaml(v: &[u8]) -> Option<Hit> {
    if let Some(p) = find_from(v, 0, b"ObjectDataProvider") {
        if find_from(v, p, b"MethodName").is_some() {
            return Some(Hit::new(
                "dotnet.type_gadget",
                "XAML ObjectDataProvider calling a method (MethodName)",
                p,
                v.len(),
            ));
        }
    }
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"x:Type") {
        from = p + 6;
        let a = skip_ws(v, p + 6);
        let mut s = a;
        let mut e = ident_end(v, a);
        if at(v, e) == b':' {
            s = e + 1;
            e = ident_end(v, s);
        }
        if v.get(s..e) == Some(&b"Process"[..]) && at(v, e) == b'}' {
            return Some(Hit::new(
                "dotnet.type_gadget",
                "XAML type reference to System.Diagnostics.Process",
                p,
                e + 1,
            ));
        }
    }
    None
}
