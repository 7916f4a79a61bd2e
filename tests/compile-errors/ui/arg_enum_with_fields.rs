use webex_bot::ArgEnum;

#[derive(ArgEnum)]
enum Target {
    Room(String),
    Everyone,
}

fn main() {}
