use webex_bot::command;

#[command("bytes")]
fn bytes() -> Vec<u8> {
    vec![1, 2, 3]
}

fn main() {}
