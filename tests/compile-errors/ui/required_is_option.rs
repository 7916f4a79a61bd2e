use webex_bot::command;

#[command("find <ticket>")]
fn find(ticket: Option<u32>) -> String {
    format!("{ticket:?}")
}

fn main() {}
