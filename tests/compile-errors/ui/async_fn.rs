use webex_bot::command;

#[command("ping")]
async fn ping() -> &'static str {
    "pong"
}

fn main() {}
