use webex_bot::command;

struct Database;

#[command("status")]
fn status(db: Database) -> &'static str {
    let _ = db;
    "ok"
}

fn main() {}
