//! Paths and query strings: encoding a value into a URL, and the local paths the login may
//! send a browser on to.

/// Percent-encodes a query-string value (everything but letters, digits, `-._`).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `p` if it is a path of this site to send the browser to after logging in: one leading
/// `/` (not `//`, which a browser reads as another host), no backslash, no control
/// character or space, not a login step. Anything else is refused, so that no link can send
/// an operator elsewhere through the login page.
pub fn safe_local_path(p: &str) -> Option<&str> {
    let rest = p.strip_prefix('/')?;
    let login_step = ["/login", "/logout", "/password", "/totp", "/ente"]
        .iter()
        .any(|step| {
            p == *step || p.starts_with(&format!("{step}?")) || p.starts_with(&format!("{step}/"))
        });
    (!rest.starts_with('/')
        && p.len() <= 2000
        && !p
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && !login_step)
        .then_some(p)
}
