use webex_bot::command;

#[command("find <ticket>", alias = "f", alias = "F")]
fn find(ticket: u32) -> String {
    ticket.to_string()
}

fn main() {}
