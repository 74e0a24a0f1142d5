//! The HTTP client towards providers and trust anchors: https only (plain http on the loopback
//! interface only when the configuration allows it, for tests), timeouts, no redirects followed,
//! bounded bodies.

use std::time::Duration;

use url::{Host, Url};

use crate::OidcError;

const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Entity statements, tokens and userinfo responses are a few kilobytes.
const MAX_BODY_BYTES: usize = 512 * 1024;

/// Whether plain http is accepted, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UrlPolicy {
    pub(crate) allow_insecure_localhost: bool,
}

impl UrlPolicy {
    /// Parses `text` and checks it is https, or http on loopback when allowed.
    pub(crate) fn check(self, text: &str) -> Result<Url, OidcError> {
        let url = Url::parse(text).map_err(|_| OidcError::InsecureUrl(text.to_owned()))?;
        let loopback = match url.host() {
            Some(Host::Domain(d)) => d == "localhost",
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        let ok = url.username().is_empty()
            && url.password().is_none()
            && url.host().is_some()
            && match url.scheme() {
                "https" => true,
                "http" => self.allow_insecure_localhost && loopback,
                _ => false,
            };
        if ok {
            Ok(url)
        } else {
            Err(OidcError::InsecureUrl(text.to_owned()))
        }
    }
}

/// What came back from a successful (2xx) or refused (4xx) exchange.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Response {
    /// The unexpected answer as an error, with the start of the body for the log.
    pub(crate) fn into_error(self, url: &str) -> OidcError {
        OidcError::HttpStatus {
            url: url.to_owned(),
            status: self.status,
            body: self.body.chars().take(300).collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    pub(crate) policy: UrlPolicy,
}

impl HttpClient {
    pub(crate) fn new(policy: UrlPolicy) -> Result<Self, OidcError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .https_only(!policy.allow_insecure_localhost)
            .user_agent(concat!("sportello-oidc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OidcError::Config(format!("HTTP client: {e}")))?;
        Ok(Self { client, policy })
    }

    /// GET `url` (optionally with a bearer token); any non-2xx status is an error.
    pub(crate) async fn get(&self, url: &str, bearer: Option<&str>) -> Result<String, OidcError> {
        let checked = self.policy.check(url)?;
        let mut request = self.client.get(checked);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = self.send(url, request).await?;
        if (200..300).contains(&response.status) {
            Ok(response.body)
        } else {
            Err(response.into_error(url))
        }
    }

    /// POST a form to `url`; 2xx and 4xx answers are returned (OAuth errors come as 400/401).
    pub(crate) async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<Response, OidcError> {
        let checked = self.policy.check(url)?;
        let response = self.send(url, self.client.post(checked).form(form)).await?;
        if (200..500).contains(&response.status) && !(300..400).contains(&response.status) {
            Ok(response)
        } else {
            Err(response.into_error(url))
        }
    }

    async fn send(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Response, OidcError> {
        let http = |detail: String| OidcError::Http {
            url: url.to_owned(),
            detail,
        };
        let mut response = request.send().await.map_err(|e| http(e.to_string()))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            return Err(http(format!("redirect ({status}) not followed")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| http(e.to_string()))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(http("response too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| http("response is not UTF-8".into()))?;
        Ok(Response { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_accepted_only_on_loopback_and_only_when_allowed() {
        let strict = UrlPolicy {
            allow_insecure_localhost: false,
        };
        let lax = UrlPolicy {
            allow_insecure_localhost: true,
        };
        assert!(strict.check("https://id.example/op").is_ok());
        assert!(strict.check("http://127.0.0.1:8080/op").is_err());
        assert!(lax.check("http://127.0.0.1:8080/op").is_ok());
        assert!(lax.check("http://[::1]:8080/op").is_ok());
        assert!(lax.check("http://localhost/op").is_ok());
        assert!(lax.check("http://10.0.0.1/op").is_err());
        assert!(lax.check("http://example.org/op").is_err());
        assert!(lax.check("ftp://127.0.0.1/op").is_err());
        assert!(strict.check("https://user:pw@id.example/op").is_err());
        assert!(strict.check("not a url").is_err());
    }
}
