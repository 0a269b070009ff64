//! Runs the example merchant backend on its own: `capsule-merchant --platform URL --secrets FILE
//! [--listen ADDR] [--data FILE]` (`capsule serve` starts it in-process with the demo).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut platform, mut secrets, mut listen, mut data) =
        ("http://127.0.0.1:8787".to_string(), None, "127.0.0.1:8788".to_string(), None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--platform" => platform = value,
            "--secrets" => secrets = Some(PathBuf::from(value)),
            "--listen" => listen = value,
            "--data" => data = Some(PathBuf::from(value)),
            _ => anyhow::bail!("unknown flag {flag}"),
        }
    }
    let secrets = secrets.ok_or_else(|| anyhow::anyhow!("--secrets FILE (demo-secrets.json) is required"))?;
    let config = capsule_merchant::Config {
        platform,
        apps: capsule_merchant::read_secrets(&secrets)?,
        data_file: data,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        let origin = capsule_merchant::start(config, listener).await?;
        println!("merchant backend on {origin}");
        std::future::pending::<()>().await;
        Ok(())
    })
}
