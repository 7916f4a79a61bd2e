use webex_bot::command;

struct Colour(u8);

#[command("paint <colour>")]
fn paint(colour: Colour) -> String {
    colour.0.to_string()
}

fn main() {}
