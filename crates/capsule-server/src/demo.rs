//! The demo content seeded on first run: a publisher organisation and, as its apps, the example
//! mini-programs the host shows. Their AppSecrets exist only at creation, so they are written
//! once to a file in the data folder for the example merchant backend to read.

use std::path::Path;

use capsule_platform::{AppSettings, Platform, PlatformError};
use serde_json::{Map, Value as Json_};

use crate::Catalog;

pub const DEMO_ORG: &str = "o-capsule-demo";

/// Registers every catalog app with the platform (once), adding new secrets to `secrets_file`.
pub async fn seed(
    platform: &Platform,
    catalog: &Catalog,
    secrets_file: Option<&Path>,
) -> Result<(), PlatformError> {
    platform.ensure_org(DEMO_ORG, "Capsule Demo").await?;
    let mut secrets: Map<String, Json_> = secrets_file
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut added = false;
    for app in &catalog.apps {
        let settings = AppSettings {
            name: app.name.clone(),
            icon: app.icon.clone(),
            description: app.description.clone(),
            category: app.category.clone(),
            keywords: app.keywords.clone(),
            request_domains: Vec::new(),
            notify_url: String::new(),
            allow_mount: true,
        };
        if let Some(created) = platform.seed_app(DEMO_ORG, &app.appid, settings).await? {
            secrets.insert(
                app.appid.clone(),
                serde_json::json!({ "secret": created.secret, "payment_salt": created.app.payment_salt }),
            );
            added = true;
        }
    }
    if added && let Some(file) = secrets_file {
        let text = serde_json::to_string_pretty(&secrets).unwrap_or_default();
        std::fs::write(file, text).map_err(|e| {
            PlatformError::Invalid(format!("cannot write the demo apps' secrets to {}: {e}", file.display()))
        })?;
    }
    Ok(())
}
