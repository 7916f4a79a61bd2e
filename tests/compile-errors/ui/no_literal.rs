use webex_bot::command;

#[command("<a> <b>")]
fn pair(a: u32, b: u32) -> String {
    (a + b).to_string()
}

fn main() {}
