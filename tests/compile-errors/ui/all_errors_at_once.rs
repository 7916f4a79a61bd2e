use webex_bot::command;

#[command("assign <who <tiket>", alias = "<a>")]
fn assign(ticket: u32, who: String) -> String {
    format!("{who} {ticket}")
}

fn main() {
    // The function is still emitted: calling it adds no error.
    let _ = assign(1, String::new());
}
