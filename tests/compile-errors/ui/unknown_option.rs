use webex_bot::command;

#[command("ping", hiden)]
fn ping() -> &'static str {
    "pong"
}

fn main() {}
