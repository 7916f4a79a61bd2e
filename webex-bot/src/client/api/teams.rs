//! `/teams` and `/team/memberships`.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::{NewTeam, Team, TeamMembership};

filters! {
    /// Filters of `GET /teams`.
    ///
    /// ```
    /// let f = webex_bot::client::ListTeams::default().max(50u32);
    /// assert_eq!(f.max, Some(50));
    /// ```
    pub struct ListTeams {
        /// Page size.
        max: u32,
    }
}

/// `/teams`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let teams: Vec<_> = client.teams().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TeamsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> TeamsApi<'c> {
    /// Lists the caller's teams.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.teams().list(&webex_bot::client::ListTeams::default().max(50u32)).count();
    /// ```
    pub fn list(&self, filters: &ListTeams) -> Pages<'c, Team> {
        Pages::new(self.client, "teams", pairs(filters))
    }

    /// Creates a team; the caller becomes a member.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().create(&webex_bot::models::NewTeam::new("Build"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, team: &NewTeam) -> Result<Team, Error> {
        self.client
            .json(Method::POST, "teams", &[], json_body(team))
    }

    /// The team with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().get("team-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, team_id: &str) -> Result<Team, Error> {
        self.client
            .get_json(&format!("teams/{}", enc(team_id)), &[])
    }

    /// The team with this id, passing the `description` query parameter the spec lists for
    /// this call.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().get_with_description("team-id", "Build")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get_with_description(&self, team_id: &str, description: &str) -> Result<Team, Error> {
        self.client.get_json(
            &format!("teams/{}", enc(team_id)),
            &[("description".into(), description.into())],
        )
    }

    /// Renames a team or changes its description.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.teams().update("team-id", &webex_bot::models::NewTeam::new("Release"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, team_id: &str, team: &NewTeam) -> Result<Team, Error> {
        self.client.json(
            Method::PUT,
            &format!("teams/{}", enc(team_id)),
            &[],
            json_body(team),
        )
    }

    /// Deletes a team.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.teams().delete("team-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, team_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("teams/{}", enc(team_id)))
    }
}

filters! {
    /// Filters of `GET /team/memberships`.
    ///
    /// ```
    /// let f = webex_bot::client::ListTeamMemberships::new("team-1").max(10u32);
    /// assert_eq!(f.team_id.as_deref(), Some("team-1"));
    /// ```
    pub struct ListTeamMemberships {
        /// The team (required by Webex).
        team_id: String,
        /// Page size.
        max: u32,
    }
}

impl ListTeamMemberships {
    /// The members of a team.
    ///
    /// ```
    /// assert!(webex_bot::client::ListTeamMemberships::new("t").team_id.is_some());
    /// ```
    pub fn new(team_id: impl Into<String>) -> Self {
        ListTeamMemberships::default().team_id(team_id)
    }
}

/// `/team/memberships`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::client::ListTeamMemberships;
/// let members = client.team_memberships().list(&ListTeamMemberships::new("team-id")).count();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TeamMembershipsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> TeamMembershipsApi<'c> {
    /// Lists a team's members.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.team_memberships().list(&webex_bot::client::ListTeamMemberships::new("t")).count();
    /// ```
    pub fn list(&self, filters: &ListTeamMemberships) -> Pages<'c, TeamMembership> {
        Pages::new(self.client, "team/memberships", pairs(filters))
    }

    /// Adds a person to a team: `team_id` and `person_id` or `person_email`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().create("team-id", Some("person-id"), None, false)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(
        &self,
        team_id: &str,
        person_id: Option<&str>,
        person_email: Option<&str>,
        is_moderator: bool,
    ) -> Result<TeamMembership, Error> {
        let body = serde_json::json!({
            "teamId": team_id,
            "personId": person_id,
            "personEmail": person_email,
            "isModerator": is_moderator,
        });
        let body: serde_json::Map<String, serde_json::Value> = body
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.client
            .json(Method::POST, "team/memberships", &[], json_body(&body))
    }

    /// The team membership with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let m = client.team_memberships().get("id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, membership_id: &str) -> Result<TeamMembership, Error> {
        self.client
            .get_json(&format!("team/memberships/{}", enc(membership_id)), &[])
    }

    /// Makes a member a moderator or not.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().update("id", true)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, membership_id: &str, is_moderator: bool) -> Result<TeamMembership, Error> {
        let body = serde_json::json!({ "isModerator": is_moderator });
        self.client.json(
            Method::PUT,
            &format!("team/memberships/{}", enc(membership_id)),
            &[],
            json_body(&body),
        )
    }

    /// Removes a person from a team.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().delete("id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, membership_id: &str) -> Result<(), Error> {
        self.client
            .delete(&format!("team/memberships/{}", enc(membership_id)))
    }
}
