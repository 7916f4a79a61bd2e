use webex_bot::command;

#[command("find")]
fn find(ticket: u32) -> String {
    ticket.to_string()
}

fn main() {}
