//! `capsule app release`, `login`, `upload` and `app create --server` end to end: on a data
//! folder directly, and through a running `capsule serve` as a logged-in developer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value as Json;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn capsule(args: &[&str], credentials: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(args)
        .current_dir(repo())
        .env("CAPSULE_CREDENTIALS", credentials)
        .env("CAPSULE_PASSWORD", "correct horse")
        .output()
        .expect("capsule runs")
}

fn stdout_json(output: &Output) -> Json {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A project whose only page throws while loading.
fn broken_project(dir: &Path) {
    std::fs::create_dir_all(dir.join("pages/index")).unwrap();
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/index/index"]}"#).unwrap();
    std::fs::write(dir.join("app.js"), "App({})").unwrap();
    std::fs::write(dir.join("pages/index/index.wxml"), "<view>hi</view>").unwrap();
    std::fs::write(
        dir.join("pages/index/index.js"),
        "Page({ onLoad() { throw new Error('no stock list') } })",
    )
    .unwrap();
}

#[test]
fn release_on_a_data_folder_and_refuse_a_failing_check() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let credentials = data.path().join("credentials.json");
    let app = stdout_json(&capsule(&["app", "create", "--name", "Shop", "--data-dir", dir], &credentials));
    let appid = app["appid"].as_str().unwrap();

    let released = stdout_json(&capsule(
        &["app", "release", "examples/shop", "--appid", appid, "--data-dir", dir],
        &credentials,
    ));
    assert_eq!(released["status"], "released");
    assert!(released["checks"]["pages"].as_array().unwrap().len() >= 3, "{released}");
    assert!(data.path().join("packages/packages").is_dir());

    let broken = data.path().join("broken");
    broken_project(&broken);
    let failed = capsule(
        &["app", "release", broken.to_str().unwrap(), "--appid", appid, "--data-dir", dir],
        &credentials,
    );
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("failed the platform's checks")
            && stderr.contains("pages/index/index: ")
            && stderr.contains("no stock list"),
        "{stderr}"
    );
}

/// `capsule serve` on a free port; killed on drop.
struct Serve(Child, String);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &str) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir", data])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    Serve(child, url)
}

fn sign_up(server: &str, username: &str) {
    let addr = server.trim_start_matches("http://");
    let body = format!(r#"{{"username":"{username}","password":"correct horse"}}"#);
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /api/account/signup HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn developers_log_in_create_upload_and_release_through_the_server() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("platform");
    let server = serve(dir.to_str().unwrap());
    let url = server.1.as_str();
    let credentials = data.path().join("credentials.json");

    let not_logged_in = capsule(&["upload", "examples/shop", "--appid", "tt1"], &credentials);
    assert!(String::from_utf8_lossy(&not_logged_in.stderr).contains("capsule login"));
    sign_up(url, "ops");
    let wrong = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(["login", "--server", url, "--username", "ops"])
        .env("CAPSULE_CREDENTIALS", &credentials)
        .env("CAPSULE_PASSWORD", "wrong horse")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let login = capsule(&["login", "--server", url, "--username", "ops"], &credentials);
    assert!(login.status.success(), "{}", String::from_utf8_lossy(&login.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&credentials).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let app = stdout_json(&capsule(&["app", "create", "--name", "Tickets", "--server", url], &credentials));
    let appid = app["appid"].as_str().unwrap();
    assert_eq!(app["secret"].as_str().unwrap().len(), 40);

    let uploaded = stdout_json(&capsule(
        &["upload", "examples/tt-tickets", "--appid", appid, "--version", "0.1.0"],
        &credentials,
    ));
    assert_eq!(uploaded["status"], "checked");

    // Reviewing needs an operator or an admin: the owner alone is refused, clearly.
    let refused =
        capsule(&["app", "release", "examples/tt-tickets", "--appid", appid, "--server", url], &credentials);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot do that"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let admin = capsule(&["admin", "ops", "--data-dir", dir.to_str().unwrap()], &credentials);
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    let released = stdout_json(&capsule(
        &["app", "release", "examples/tt-tickets", "--appid", appid, "--version", "1.0.0", "--server", url],
        &credentials,
    ));
    assert_eq!(released["status"], "released");

    let broken = data.path().join("broken");
    broken_project(&broken);
    let failed = capsule(
        &["app", "release", broken.to_str().unwrap(), "--appid", appid, "--server", url],
        &credentials,
    );
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("no stock list"));
}
