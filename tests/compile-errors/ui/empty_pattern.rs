use webex_bot::command;

#[command("")]
fn nothing() {}

fn main() {}
