//! Who may use the bot, or one of its commands.

use std::collections::HashSet;

/// Who may use the bot, or one command: people by email, email domains, rooms. Empty lists
/// allow everyone.
///
/// ```
/// use webex_bot::Access;
/// let a = Access::default().domain("example.com").person("contractor@other.org");
/// assert!(a.allows("alice@EXAMPLE.com", "room-1"));
/// assert!(!a.allows("mallory@evil.test", "room-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    people: HashSet<String>,
    domains: HashSet<String>,
    rooms: HashSet<String>,
}

impl Access {
    /// Allows this email address.
    ///
    /// ```
    ///
    /// use webex_bot::Access;
    /// assert!(Access::default().person("a@b.c").allows("A@b.c", "r"));
    /// ```
    pub fn person(mut self, email: &str) -> Self {
        self.people.insert(email.trim().to_lowercase());
        self
    }

    /// Allows every address of this domain.
    ///
    /// ```
    ///
    /// use webex_bot::Access;
    /// assert!(!Access::default().domain("b.c").allows("a@x.y", "r"));
    /// ```
    pub fn domain(mut self, domain: &str) -> Self {
        self.domains
            .insert(domain.trim().trim_start_matches('@').to_lowercase());
        self
    }

    /// Allows commands in this room (whoever sends them, if no people or domains are set).
    ///
    /// ```
    ///
    /// use webex_bot::Access;
    /// assert!(!Access::default().room("r1").allows("a@b.c", "r2"));
    /// ```
    pub fn room(mut self, room_id: &str) -> Self {
        self.rooms.insert(room_id.to_owned());
        self
    }

    /// Whether a message from `email` in `room_id` passes.
    ///
    /// ```
    ///
    /// use webex_bot::Access;
    /// assert!(Access::default().allows("anyone@any.where", "any-room"));
    /// ```
    pub fn allows(&self, email: &str, room_id: &str) -> bool {
        let room_ok = self.rooms.is_empty() || self.rooms.contains(room_id);
        if !room_ok {
            return false;
        }
        // Open to everyone (the default): no lower-cased copy of the address to make.
        if self.people.is_empty() && self.domains.is_empty() {
            return true;
        }
        let email = email.to_lowercase();
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        self.people.contains(&email) || self.domains.contains(domain)
    }
}
