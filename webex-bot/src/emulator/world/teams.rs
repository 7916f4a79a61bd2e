//! Teams and team memberships.

use super::*;
use crate::models::{Team, TeamMembership};

impl World {
    pub(super) fn is_team_member(&self, person: &str, team: &str) -> bool {
        self.team_memberships
            .values()
            .any(|Stored { item: m, .. }| {
                m.person_id.as_deref() == Some(person) && m.team_id.as_deref() == Some(team)
            })
    }

    pub(super) fn get_team(&self, caller: &str, id: &str) -> ApiResult<Team> {
        match self.teams.get(id) {
            Some(Stored { item: t, .. }) if self.is_team_member(caller, id) => Ok(t.clone()),
            _ => Err(err(404, "Team not found.")),
        }
    }

    pub(super) fn list_teams(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let ts: Vec<&Stored<Team>> = self
            .teams
            .values()
            .filter(|Stored { item: t, .. }| self.is_team_member(caller, &t.id))
            .collect();
        Self::page_in_order(ts, Self::to_value, req)
    }

    pub(super) fn create_team(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let mut t = Team::default();
        t.id = new_id("TEAM");
        t.name = Some(req.required("name")?);
        t.description = req.str_field("description");
        t.created = Some(self.now());
        let record = self.stored(t.clone());
        self.teams.insert(t.id.clone(), record);
        self.add_team_member(&t.id, caller, true)?;
        Ok(Answer::Json(Self::to_value(&t)))
    }

    pub(super) fn update_team(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.get_team(caller, id)?;
        let name = req.required("name")?;
        let Stored { item: t, .. } = self.teams.get_mut(id).expect("checked");
        t.name = Some(name);
        if let Some(d) = req.str_field("description") {
            t.description = Some(d);
        }
        Ok(Answer::Json(Self::to_value(&t.clone())))
    }

    pub(super) fn delete_team(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        self.get_team(caller, id)?;
        self.teams.remove(id);
        self.team_memberships
            .retain(|_, Stored { item: m, .. }| m.team_id.as_deref() != Some(id));
        Ok(Answer::Empty)
    }

    pub(super) fn add_team_member(
        &mut self,
        team: &str,
        person: &str,
        moderator: bool,
    ) -> ApiResult<TeamMembership> {
        if self.is_team_member(person, team) {
            return Err(err(409, "Person is already in the team."));
        }
        let p = self.person(person)?.clone();
        let mut m = TeamMembership::default();
        m.id = new_id("TEAM_MEMBERSHIP");
        m.team_id = Some(team.to_owned());
        m.person_id = Some(person.to_owned());
        m.person_email = p.primary_email().map(str::to_owned);
        m.person_display_name = p.display_name.clone();
        m.person_org_id = p.org_id.clone();
        m.is_moderator = Some(moderator);
        m.created = Some(self.now());
        let record = self.stored(m.clone());
        self.team_memberships.insert(m.id.clone(), record);
        Ok(m)
    }

    pub(super) fn list_team_memberships(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let team = req
            .q("teamId")
            .ok_or_else(|| err(400, "teamId is required."))?;
        self.get_team(caller, team)?;
        let ms: Vec<&Stored<TeamMembership>> = self
            .team_memberships
            .values()
            .filter(|Stored { item: m, .. }| m.team_id.as_deref() == Some(team))
            .collect();
        Self::page_in_order(ms, Self::to_value, req)
    }

    pub(super) fn create_team_membership(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let team = req.required("teamId")?;
        self.get_team(caller, &team)?;
        let person = self.person_id_of(
            req.str_field("personId").as_deref(),
            req.str_field("personEmail").as_deref(),
        )?;
        let m = self.add_team_member(
            &team,
            &person,
            req.bool_field("isModerator").unwrap_or(false),
        )?;
        Ok(Answer::Json(Self::to_value(&m)))
    }

    pub(super) fn get_team_membership(&self, caller: &str, id: &str) -> ApiResult<TeamMembership> {
        match self.team_memberships.get(id) {
            Some(Stored { item: m, .. })
                if m.team_id
                    .as_deref()
                    .is_some_and(|t| self.is_team_member(caller, t)) =>
            {
                Ok(m.clone())
            }
            _ => Err(err(404, "Team membership not found.")),
        }
    }

    pub(super) fn update_team_membership(
        &mut self,
        caller: &str,
        id: &str,
        req: &Req,
    ) -> ApiResult<Answer> {
        self.get_team_membership(caller, id)?;
        let v = req
            .bool_field("isModerator")
            .ok_or_else(|| err(400, "Missing required field: isModerator"))?;
        let Stored { item: m, .. } = self.team_memberships.get_mut(id).expect("checked");
        m.is_moderator = Some(v);
        Ok(Answer::Json(Self::to_value(&m.clone())))
    }

    pub(super) fn delete_team_membership(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_team_membership(caller, id)?;
        let team = m.team_id.clone().unwrap_or_default();
        let moderators = self
            .team_memberships
            .values()
            .filter(|Stored { item: tm, .. }| {
                tm.team_id.as_deref() == Some(team.as_str()) && tm.is_moderator == Some(true)
            })
            .count();
        if m.is_moderator == Some(true) && moderators == 1 {
            return Err(err(409, "The last moderator of a team cannot be removed."));
        }
        self.team_memberships.remove(id);
        Ok(Answer::Empty)
    }
}
