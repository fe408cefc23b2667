//! Server URLs taken apart and put together again: the test's own
//! database in the server's URL, another host, other credentials, another
//! parameter.

/// `url` with `key=value` added to its query (replacing an earlier `key`).
pub fn url_with_param(url: &str, key: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(key))
        .map(str::to_string)
        .collect();
    pairs.push(format!("{key}={value}"));
    format!("{base}?{}", pairs.join("&"))
}

/// The parts of a server URL: `scheme://`, user info (without `@`), host
/// and port, `/path`, and `?query` (with its `?`).
fn url_parts(url: &str) -> (&str, Option<&str>, &str, &str, &str) {
    let (scheme, rest) = url.split_at(url.find("://").expect("a server URL") + 3);
    let (rest, query) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, authority),
    };
    (scheme, user, host, path, query)
}

/// The `host:port` of a server URL, for a test that connects to it itself.
pub fn url_address(url: &str) -> String {
    let (_, _, host, _, _) = url_parts(url);
    match host.contains(':') {
        true => host.to_string(),
        false => format!("{host}:5432"),
    }
}

/// `url` naming database `name` instead of its own.
pub fn url_with_database(url: &str, name: &str) -> String {
    let (scheme, user, host, _, query) = url_parts(url);
    let user = user.map(|user| format!("{user}@")).unwrap_or_default();
    format!("{scheme}{user}{host}/{name}{query}")
}

/// `url` with its host (not its port) replaced by `new_host`.
pub fn url_with_host(url: &str, new_host: &str) -> String {
    let (scheme, user, host, path, query) = url_parts(url);
    let port = host.rsplit_once(':').map(|(_, port)| port);
    let user = user.map(|user| format!("{user}@")).unwrap_or_default();
    let port = port.map(|port| format!(":{port}")).unwrap_or_default();
    format!("{scheme}{user}{new_host}{port}{path}{query}")
}

/// `url` with its port replaced by `port` (e.g. one nothing listens on).
pub fn url_with_port(url: &str, port: u16) -> String {
    let (scheme, user, host, path, query) = url_parts(url);
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let user = user.map(|user| format!("{user}@")).unwrap_or_default();
    format!("{scheme}{user}{name}:{port}{path}{query}")
}

/// `url` logging in as `user` with `password`.
pub fn url_with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, _, host, path, query) = url_parts(url);
    format!("{scheme}{user}:{password}@{host}{path}{query}")
}

#[test]
fn server_urls_are_rewritten_part_by_part() {
    let url = "mysql://root:pw@127.0.0.1:3306/test?ssl-mode=DISABLED";
    assert_eq!(
        url_with_database(url, "other"),
        "mysql://root:pw@127.0.0.1:3306/other?ssl-mode=DISABLED"
    );
    assert_eq!(
        url_with_host(url, "localhost"),
        "mysql://root:pw@localhost:3306/test?ssl-mode=DISABLED"
    );
    assert_eq!(
        url_with_user("postgres://postgres@127.0.0.1/test", "bob", "secret"),
        "postgres://bob:secret@127.0.0.1/test"
    );
    assert_eq!(
        url_with_param("postgres://h/test?sslmode=disable", "search_path", "s"),
        "postgres://h/test?sslmode=disable&search_path=s"
    );
    assert_eq!(
        url_with_param("postgres://h/test?search_path=a", "search_path", "b"),
        "postgres://h/test?search_path=b"
    );
}
