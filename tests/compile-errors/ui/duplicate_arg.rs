use webex_bot::command;

#[command("move <id> <id>")]
fn mv(id: u32) -> String {
    id.to_string()
}

fn main() {}
