//! `webex-bot`: a bot's life cycle from the command line.
//!
//! ```sh
//! cargo install --path tools/cli
//! webex-bot register create --name Ops --email ops@webex.bot --description "Runs ops" \
//!     --logo ops.png --save ops.token --encrypt
//! WEBEX_ACCESS_TOKEN_FILE=ops.token webex-bot token check
//! webex-bot webhooks remove-stale --keep-url https://bot.example.com/webhook
//! webex-bot listing check listing.toml --download
//! webex-bot emulator --listen 127.0.0.1:8900
//! ```
//!
//! Exit codes: 0 done; 1 the work failed (Webex refused, a check found problems); 2 the
//! command could not run (bad arguments, no token, a missing file). `--json` prints one
//! JSON object on standard output for scripts; errors go to standard error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use webex_bot::models::UpdateApplication;
use webex_bot_cli::listing::{self, Images};
use webex_bot_cli::output::{Done, Failure, Outcome};
use webex_bot_cli::register::{self, Logo};
use webex_bot_cli::token::{self, Save};
use webex_bot_cli::{session, webhooks};

#[derive(Parser)]
#[command(
    name = "webex-bot",
    version,
    about = "A Webex bot's life cycle from the command line",
    after_help = "The token to act with: --token-file, else WEBEX_ACCESS_TOKEN, else WEBEX_ACCESS_TOKEN_FILE \
(encrypted files open with WEBEX_TOKEN_PASSPHRASE or WEBEX_TOKEN_KEY_FILE).\n\
Exit codes: 0 done, 1 the work failed, 2 the command could not run."
)]
struct Cli {
    /// The API to talk to [default: WEBEX_BASE_URL, else https://webexapis.com/v1].
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    /// Talk to Webex for Government (FedRAMP), https://api-usgov.webex.com/v1.
    #[arg(long, global = true)]
    fedramp: bool,
    /// The file holding the token to act with, plain or encrypted.
    #[arg(long, global = true, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Print the result as one JSON object, for scripts (and no progress bars).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Register and manage bots (the Applications API, with an administrator's token).
    Register {
        #[command(subcommand)]
        command: RegisterCommand,
    },
    /// Check a token without showing it, or encrypt one at rest.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// List, clean up and re-activate the webhooks a token owns.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// Webex App Hub listings.
    Listing {
        #[command(subcommand)]
        command: ListingCommand,
    },
    /// Serve the standalone Webex emulator until SIGINT or SIGTERM.
    Emulator {
        /// The address to listen on (port 0: any free port, printed).
        #[arg(long, default_value = "127.0.0.1:8900")]
        listen: String,
        /// A bot to create, NAME:EMAIL[:TOKEN] (repeatable) [default: Bot:bot@webex.bot].
        #[arg(long = "bot", value_name = "NAME:EMAIL[:TOKEN]")]
        bots: Vec<webex_emulator::Account>,
        /// A user to create, NAME:EMAIL[:TOKEN] (repeatable) [default: Alice:alice@example.com].
        #[arg(long = "user", value_name = "NAME:EMAIL[:TOKEN]")]
        users: Vec<webex_emulator::Account>,
        /// Failed deliveries in a row after which a webhook becomes inactive.
        #[arg(long, default_value_t = 5)]
        webhook_failures: u32,
    },
}

/// Where a new bot token goes.
#[derive(Args)]
struct SaveArgs {
    /// Write the new token to this file, readable by you only.
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,
    /// Encrypt the file (age): with --key-file, else WEBEX_TOKEN_PASSPHRASE, else a
    /// passphrase typed at the terminal.
    #[arg(long, requires = "save")]
    encrypt: bool,
    /// Encrypt to the recipient of this age identity file (implies --encrypt).
    #[arg(long, value_name = "PATH", requires = "save")]
    key_file: Option<PathBuf>,
    /// Print the new token on standard output (it cannot be seen again).
    #[arg(long)]
    print_token: bool,
}

impl SaveArgs {
    fn save(self) -> Save {
        Save {
            path: self.save,
            encrypt: self.encrypt,
            key_file: self.key_file,
            print_token: self.print_token,
        }
    }
}

#[derive(Subcommand)]
enum RegisterCommand {
    /// Create a bot; Webex gives its token once, saved or printed as asked.
    Create {
        /// The bot's display name.
        #[arg(long)]
        name: String,
        /// Its address, ending @webex.bot.
        #[arg(long)]
        email: String,
        /// What it does.
        #[arg(long)]
        description: String,
        /// Its logo, an https URL of a PNG or JPEG.
        #[arg(
            long,
            value_name = "URL",
            required_unless_present = "logo",
            conflicts_with = "logo"
        )]
        logo_url: Option<String>,
        /// Its logo, an image file to upload.
        #[arg(long, value_name = "FILE")]
        logo: Option<PathBuf>,
        #[command(flatten)]
        save: SaveArgs,
    },
    /// Change a bot's name, description or logo URL.
    Update {
        /// The application id.
        id: String,
        /// A new display name.
        #[arg(long)]
        name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// A new logo URL.
        #[arg(long, value_name = "URL")]
        logo_url: Option<String>,
    },
    /// Upload a new logo image.
    Logo {
        /// The application id.
        id: String,
        /// The image file.
        file: PathBuf,
    },
    /// Give a bot a new token; the old one stops working.
    RegenerateToken {
        /// The application id.
        id: String,
        #[command(flatten)]
        save: SaveArgs,
    },
    /// Delete a bot.
    Delete {
        /// The application id.
        id: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Say where the token was found and whose it is (GET /people/me), never showing it.
    Check,
    /// Encrypt a token (from --from, else standard input) into an age file.
    Encrypt {
        /// The encrypted file to write (mode 0600).
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// A plain token file to read instead of standard input.
        #[arg(long, value_name = "PATH")]
        from: Option<PathBuf>,
        /// Encrypt to the recipient of this age identity file instead of a passphrase.
        #[arg(long, value_name = "PATH")]
        key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// List the webhooks the token owns.
    List,
    /// Remove inactive webhooks, and with --keep-url every one pointing elsewhere.
    RemoveStale {
        /// A target URL still in use (repeatable): webhooks pointing elsewhere are stale.
        #[arg(long = "keep-url", value_name = "URL")]
        keep: Vec<String>,
        /// Say what would be removed, remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Re-activate webhooks Webex disabled: these ids, or every inactive one.
    Reactivate {
        /// Webhook ids [default: every inactive one].
        ids: Vec<String>,
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Emulator {
        listen,
        bots,
        users,
        webhook_failures,
    } = cli.command
    {
        webex_bot::logging::init();
        let options = webex_emulator::Options {
            listen,
            bots,
            users,
            webhook_failures,
        };
        return ExitCode::from(webex_emulator::serve(options, std::io::stdout()) as u8);
    }
    let json = cli.json;
    let base = cli
        .base_url
        .clone()
        .unwrap_or_else(|| session::base_url(None, cli.fedramp).unwrap_or_default());
    match run(cli).map_err(|f| f.at(&base)) {
        Ok(done) => {
            done.print(json);
            ExitCode::from(done.code)
        }
        Err(failure) => {
            if json {
                println!("{}", serde_json::json!({"error": failure.message}));
            }
            eprintln!("webex-bot: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Outcome {
    let progress = !cli.json;
    let base = || session::base_url(cli.base_url.as_deref(), cli.fedramp);
    let client = || {
        let base = base()?;
        let found = session::token(cli.token_file.as_deref())?;
        session::client(&base, &found.token)
    };
    match cli.command {
        Command::Register { command } => {
            let client = client()?;
            match command {
                RegisterCommand::Create {
                    name,
                    email,
                    description,
                    logo_url,
                    logo,
                    save,
                } => {
                    let logo = match (logo_url, logo) {
                        (Some(url), _) => Logo::Url(url),
                        (None, Some(file)) => Logo::File(file),
                        (None, None) => return Err(Failure::usage("give --logo-url or --logo")),
                    };
                    register::create(
                        &client,
                        &name,
                        &email,
                        &description,
                        logo,
                        &save.save(),
                        progress,
                    )
                }
                RegisterCommand::Update {
                    id,
                    name,
                    description,
                    logo_url,
                } => {
                    let mut u = UpdateApplication::default();
                    u.name = name;
                    u.description = description;
                    u.logo = logo_url;
                    register::update(&client, &id, &u)
                }
                RegisterCommand::Logo { id, file } => register::logo(&client, &id, &file, progress),
                RegisterCommand::RegenerateToken { id, save } => {
                    register::regenerate_token(&client, &id, &save.save())
                }
                RegisterCommand::Delete { id } => register::delete(&client, &id),
            }
        }
        Command::Token { command } => match command {
            TokenCommand::Check => token::check(cli.token_file.as_deref(), &base()?),
            TokenCommand::Encrypt {
                out,
                from,
                key_file,
            } => token::encrypt(from.as_deref(), &out, key_file.as_deref()),
        },
        Command::Webhooks { command } => {
            let client = client()?;
            match command {
                WebhooksCommand::List => webhooks::list(&client),
                WebhooksCommand::RemoveStale { keep, dry_run } => {
                    webhooks::remove_stale(&client, &keep, dry_run)
                }
                WebhooksCommand::Reactivate { ids } => webhooks::reactivate(&client, &ids),
            }
        }
        Command::Listing {
            command:
                ListingCommand::Check {
                    file,
                    images,
                    download,
                },
        } => check(&file, images, download, progress),
        Command::Emulator { .. } => unreachable!("served in main"),
    }
}

fn check(file: &Path, images: Option<PathBuf>, download: bool, progress: bool) -> Outcome {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
    let parsed: listing::Listing = toml::from_str(&text)
        .map_err(|e| Failure::usage(format!("{} is not a listing file: {e}", file.display())))?;
    let images = match (images, download) {
        (Some(dir), _) => Images::Folder(dir),
        (None, true) => Images::Download { progress },
        (None, false) => Images::Unread,
    };
    let problems = listing::check(&parsed, &images);
    let unchecked = listing::sizes_unchecked(&images);
    let list: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| serde_json::json!({"field": p.field, "rule": p.rule}))
        .collect();
    let mut done = Done::new(serde_json::json!({
        "ok": problems.is_empty(),
        "sizes_checked": !unchecked,
        "problems": list,
    }));
    for p in &problems {
        done = done.line(p.to_string());
    }
    if unchecked {
        eprintln!(
            "webex-bot: image sizes not checked: give --images DIR (local copies) or --download"
        );
    }
    if problems.is_empty() {
        Ok(done.line(format!("{}: the listing passes", file.display())))
    } else {
        // The report is the output; the exit code says that the check failed.
        Ok(done
            .line(format!("{}: {} problem(s)", file.display(), problems.len()))
            .exit_code(1))
    }
}
