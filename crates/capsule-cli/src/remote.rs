//! Talking to a running platform for `capsule login`, `upload` and `app … --server`: the saved
//! session (cookie and CSRF token) and JSON requests whose errors read as the server wrote them.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value as Json, json};

/// Where `capsule login` keeps the session: `$CAPSULE_CREDENTIALS`, else
/// `$HOME/.config/capsule/credentials.json`.
fn credentials_file() -> Result<PathBuf> {
    if let Some(file) = std::env::var_os("CAPSULE_CREDENTIALS") {
        return Ok(PathBuf::from(file));
    }
    let home = std::env::var_os("HOME").context("HOME is not set; set CAPSULE_CREDENTIALS to a file")?;
    Ok(PathBuf::from(home).join(".config/capsule/credentials.json"))
}

/// A logged-in connection to a platform.
#[derive(Debug)]
pub struct Remote {
    pub server: String,
    session: String,
    csrf: String,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    // Error statuses come back as answers, so the server's own message can be shown.
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn read_answer(what: &str, response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Json> {
    let mut response = response.with_context(|| format!("{what}: the server did not answer"))?;
    let status = response.status();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let body: Json = serde_json::from_str(&text).unwrap_or(Json::String(text));
    if !status.is_success() {
        let message = body["error"].as_str().map(str::to_string).unwrap_or_else(|| body.to_string());
        bail!("{what}: {message} (HTTP {})", status.as_u16());
    }
    Ok(body)
}

impl Remote {
    /// Logs in at `server` and saves the session for later commands.
    pub fn log_in(server: &str, username: &str, password: &str) -> Result<Remote> {
        let server = server.trim_end_matches('/').to_string();
        let agent = agent();
        let response = agent
            .post(&format!("{server}/api/account/login"))
            .send_json(json!({ "username": username, "password": password }));
        let mut response =
            response.with_context(|| format!("logging in at {server}: the server did not answer"))?;
        let session =
            response.headers().get_all("set-cookie").iter().filter_map(|value| value.to_str().ok()).find_map(
                |cookie| cookie.strip_prefix("capsule_session=")?.split(';').next().map(str::to_string),
            );
        let status = response.status();
        let body: Json = response.body_mut().read_json().unwrap_or(Json::Null);
        if !status.is_success() {
            bail!("logging in at {server}: {}", body["error"].as_str().unwrap_or("refused"));
        }
        let session =
            session.ok_or_else(|| anyhow!("logging in at {server}: no session cookie came back"))?;
        let csrf = body["csrf"].as_str().unwrap_or_default().to_string();
        let remote = Remote { server, session, csrf, agent };
        remote.save()?;
        Ok(remote)
    }

    fn save(&self) -> Result<()> {
        let file = credentials_file()?;
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = json!({ "server": self.server, "session": self.session, "csrf": self.csrf }).to_string();
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The session is a password's equal: only its owner may read it.
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }

    /// The saved session, for `server` when given (it must be the one logged in to).
    pub fn saved(server: Option<&str>) -> Result<Remote> {
        let file = credentials_file()?;
        let text = std::fs::read_to_string(&file).with_context(|| {
            format!("not logged in (no {}); run `capsule login --server URL` first", file.display())
        })?;
        let saved: Json =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
        let field = |name: &str| saved[name].as_str().unwrap_or_default().to_string();
        let remote = Remote {
            server: field("server"),
            session: field("session"),
            csrf: field("csrf"),
            agent: agent(),
        };
        if let Some(server) = server
            && server.trim_end_matches('/') != remote.server
        {
            bail!("logged in to {}, not {server}; run `capsule login --server {server}`", remote.server);
        }
        Ok(remote)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    fn cookie(&self) -> String {
        format!("capsule_session={}", self.session)
    }

    pub fn get(&self, path: &str) -> Result<Json> {
        let response = self.agent.get(&self.url(path)).header("cookie", &self.cookie()).call();
        read_answer(&format!("GET {path}"), response)
    }

    pub fn post(&self, path: &str, body: &Json) -> Result<Json> {
        let response = self
            .agent
            .post(&self.url(path))
            .header("cookie", &self.cookie())
            .header("x-csrf-token", &self.csrf)
            .send_json(body);
        read_answer(&format!("POST {path}"), response)
    }

    pub fn post_bytes(&self, path: &str, bytes: &[u8]) -> Result<Json> {
        let response = self
            .agent
            .post(&self.url(path))
            .header("cookie", &self.cookie())
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/octet-stream")
            .send(bytes);
        read_answer(&format!("POST {path}"), response)
    }
}
