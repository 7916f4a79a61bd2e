use webex_bot::command;

#[command("list [status")]
fn list(status: Option<String>) -> String {
    status.unwrap_or_default()
}

fn main() {}
