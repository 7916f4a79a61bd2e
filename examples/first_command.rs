//! The echo bot with commands of one's own added: the file the quick start builds, whole.
//!
//! Run it with `cargo run -p webex-bot-examples --bin first_command`, then type
//! `roll 6`, `roll six`, `greet Ada` or `help`.

// ANCHOR: whole
use webex_bot::{Bot, command, commands};

/// Repeat the text back.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// Say hello to someone.
#[command("greet <name>")]
fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

/// Roll a die with the given number of sides.
#[command("roll <sides>")]
fn roll(sides: u32) -> String {
    if sides == 0 {
        return "A die needs at least one side.".into();
    }
    // No dependency for randomness: the clock's nanoseconds will do for a die.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("You rolled {} (1 to {sides}).", nanos % sides + 1)
}

fn bot() -> webex_bot::BotBuilder {
    Bot::builder(commands![echo, greet, roll])
}

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(bot())
}
// ANCHOR_END: whole

#[cfg(test)]
mod tests {
    // ANCHOR: test
    use webex_bot::testing::TestBot;

    #[test]
    fn greets_and_rolls() {
        let b = TestBot::start(super::bot()).unwrap();
        b.say("greet Ada").assert_text("Hello, Ada!");
        b.say("roll 1").assert_text("You rolled 1 (1 to 1).");
        b.say("roll six")
            .assert_contains("I couldn't read `<sides>`: `six` is not a whole number");
        b.say("help").assert_contains("roll <sides>");
    }
    // ANCHOR_END: test
}
