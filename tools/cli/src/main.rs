//! `webex-bot`: a bot's life cycle from the command line. Today: `listing check`.
//!
//! ```sh
//! cargo install --path tools/cli
//! webex-bot listing check listing.toml --images ./images
//! ```
//!
//! Exit codes: 0 the check passed; 1 it found problems; 2 the command could not run (a
//! missing file, a listing that is not TOML, bad arguments).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use webex_bot_cli::listing::{self, Images};

#[derive(Parser)]
#[command(
    name = "webex-bot",
    version,
    about = "A Webex bot's life cycle from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Webex App Hub listings.
    Listing {
        #[command(subcommand)]
        command: ListingCommand,
    },
}

#[derive(Subcommand)]
enum ListingCommand {
    /// Checks a listing file (TOML) against App Hub's submission rules, reporting every
    /// problem at once.
    Check {
        /// The listing file.
        file: PathBuf,
        /// A folder holding the listing's images (named like the last part of their URLs),
        /// to check their sizes.
        #[arg(long, conflicts_with = "download")]
        images: Option<PathBuf>,
        /// Download the images from their URLs to check their sizes.
        #[arg(long)]
        download: bool,
        /// Print the result as JSON: {"ok": bool, "problems": [{"field", "rule"}]}.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Listing {
            command:
                ListingCommand::Check {
                    file,
                    images,
                    download,
                    json,
                },
        } => check(&file, images, download, json),
    }
}

fn check(file: &PathBuf, images: Option<PathBuf>, download: bool, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("webex-bot: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let parsed: listing::Listing = match toml::from_str(&text) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("webex-bot: {} is not a listing file: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let images = match (images, download) {
        (Some(dir), _) => Images::Folder(dir),
        (None, true) => Images::Download,
        (None, false) => Images::Unread,
    };
    let problems = listing::check(&parsed, &images);
    if json {
        let list: Vec<serde_json::Value> = problems
            .iter()
            .map(|p| serde_json::json!({"field": p.field, "rule": p.rule}))
            .collect();
        let out = serde_json::json!({
            "ok": problems.is_empty(),
            "sizes_checked": !listing::sizes_unchecked(&images),
            "problems": list,
        });
        println!("{out}");
    } else {
        for p in &problems {
            println!("{p}");
        }
        if listing::sizes_unchecked(&images) {
            eprintln!(
                "webex-bot: image sizes not checked: give --images DIR (local copies) or --download"
            );
        }
        if problems.is_empty() {
            println!("{}: the listing passes", file.display());
        } else {
            println!("{}: {} problem(s)", file.display(), problems.len());
        }
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
