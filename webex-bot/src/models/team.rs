use serde::{Deserialize, Serialize};

/// A team: a group of people with a set of rooms.
///
/// ```
/// use webex_bot::models::Team;
/// let t: Team = serde_json::from_str(r#"{"id":"t1","name":"Build"}"#).unwrap();
/// assert_eq!(t.name.as_deref(), Some("Build"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Team {
    /// Unique id of the team.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the team was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The body of `POST /teams` and `PUT /teams/{teamId}`.
///
/// ```
/// use webex_bot::models::NewTeam;
/// let t = NewTeam::new("Build").description("CI people");
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"name":"Build","description":"CI people"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewTeam {
    /// Name (required).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl NewTeam {
    /// A team with this name.
    ///
    /// ```
    /// # use webex_bot::models::NewTeam;
    /// assert_eq!(NewTeam::new("A").name, "A");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        NewTeam {
            name: name.into(),
            description: None,
        }
    }

    /// Sets the description.
    ///
    /// ```
    /// # use webex_bot::models::NewTeam;
    /// assert!(NewTeam::new("A").description("d").description.is_some());
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
