use webex_bot::command;

#[command("say <words...> <to>")]
fn say(words: String, to: String) -> String {
    format!("{words} {to}")
}

fn main() {}
