//! Why a test bot did not start.

use crate::bot::BotError;

/// Why a test bot did not start.
///
/// ```
/// use webex_bot::testing::TestError;
/// let e = TestError::Emulator(std::io::Error::other("no port"));
/// assert_eq!(e.to_string(), "the emulator did not start: no port");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TestError {
    /// The emulator did not start.
    Emulator(std::io::Error),
    /// The bot did not start.
    Bot(BotError),
    /// Setting up the test rooms failed.
    Client(crate::client::Error),
}

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestError::Emulator(e) => write!(f, "the emulator did not start: {e}"),
            TestError::Bot(e) => write!(f, "the bot did not start: {e}"),
            TestError::Client(e) => write!(f, "setting up the test rooms failed: {e}"),
        }
    }
}

impl std::error::Error for TestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TestError::Emulator(e) => Some(e),
            TestError::Bot(e) => Some(e),
            TestError::Client(e) => Some(e),
        }
    }
}

impl From<crate::client::Error> for TestError {
    fn from(e: crate::client::Error) -> Self {
        TestError::Client(e)
    }
}
