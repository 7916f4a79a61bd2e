use webex_bot::{command, commands};

#[command("find <ticket>")]
fn find(ticket: u32) -> String {
    ticket.to_string()
}

#[command("FIND <name>")]
fn find_by_name(name: String) -> String {
    name
}

fn main() {
    let _ = commands![find, find_by_name];
}
