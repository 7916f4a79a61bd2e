use webex_bot::command;

#[command("list [status]")]
fn list(status: String) -> String {
    status
}

fn main() {}
