use webex_bot::command;

/// Find a ticket.
#[command("find <ticket")]
fn find(ticket: u32) -> String {
    ticket.to_string()
}

fn main() {}
