//! The `capsule` command line: a thin layer over the library crates.

mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "capsule", version, about = "Capsule: an open mini-program platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a WXML/TTML file with page data and print the tree as JSON.
    Render {
        /// The template file (`.wxml` or `.ttml`).
        file: PathBuf,
        /// The page data, a JSON object.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Render this many times (for timing) and print once.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render { file, data, repeat } => render::run(&file, data.as_deref(), repeat),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
