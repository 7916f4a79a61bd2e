//! Files: the bot sends a generated CSV, and inspects files people send it (name, type and
//! size from a HEAD request, then a streamed download to count lines).

use std::io::Write;
use webex_bot::{Bot, BotBuilder, Context, Reply, command, commands};

// ANCHOR: report
/// Send a CSV report.
#[command("report [rows]")]
fn report(rows: Option<u32>) -> Reply {
    let rows = rows.unwrap_or(3).min(10_000);
    let mut csv = String::from("id,value\n");
    for i in 1..=rows {
        csv.push_str(&format!("{i},{}\n", i * i));
    }
    Reply::bytes("report.csv", csv.into_bytes())
        .with_text(format!("Here is the report ({rows} rows)."))
}
// ANCHOR_END: report

/// Counts bytes and lines of what is written to it, keeping nothing.
struct Counter {
    bytes: u64,
    lines: u64,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.lines += buf.iter().filter(|b| **b == b'\n').count() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// ANCHOR: inspect
/// Describe the file sent with this message.
#[command("inspect")]
fn inspect(ctx: &Context) -> Result<String, webex_bot::client::Error> {
    let Some(url) = ctx.message().and_then(|m| m.files.first()) else {
        return Ok("Send me a file with the word `inspect`.".into());
    };
    let info = ctx.client().files().info(url)?;
    let mut counter = Counter { bytes: 0, lines: 0 };
    ctx.client().files().download(url, &mut counter)?;
    Ok(format!(
        "{}: {}, {} bytes, {} lines",
        info.name.unwrap_or_else(|| "file".into()),
        info.content_type.unwrap_or_else(|| "unknown type".into()),
        counter.bytes,
        counter.lines
    ))
}
// ANCHOR_END: inspect

/// The files bot.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![report, inspect])
}

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(bot())
}

#[cfg(test)]
mod tests {
    // The cards and files examples through the harness.

    use webex_bot::testing::TestBot;

    #[test]
    fn files_go_both_ways() {
        let b = TestBot::start(super::bot()).unwrap();
        let r = b.say("report 4");
        assert_eq!(r.messages.len(), 1);
        let m = &r.messages[0];
        assert_eq!(m.text.as_deref(), Some("Here is the report (4 rows)."));
        let mut csv = Vec::new();
        b.user_client()
            .files()
            .download(&m.files[0], &mut csv)
            .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "id,value\n1,1\n2,4\n3,9\n4,16\n"
        );
        b.say_with_file("inspect", "notes.txt", b"one\ntwo\nthree\n")
            .assert_text("notes.txt: text/plain, 14 bytes, 3 lines");
        b.say("inspect")
            .assert_text("Send me a file with the word `inspect`.");
    }
}
