use webex_bot::command;

/// Adds.
#[command("add <a> <bb>")]
fn add(a: i64, b: i64) -> String {
    (a + b).to_string()
}

fn main() {}
