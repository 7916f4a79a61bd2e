//! Rooms: who sees which, creating, renaming, deleting.

use super::*;
use crate::models::{Room, RoomType};

impl World {
    pub(super) fn list_rooms(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let t = req.q("type");
        let team = req.q("teamId");
        let mut rooms: Vec<&Stored<Room>> = self
            .rooms
            .values()
            .filter(|Stored { item: r, .. }| self.is_member(caller, &r.id))
            .filter(|Stored { item: r, .. }| {
                t.is_none_or(|t| r.room_type.map(RoomType::as_str) == Some(t))
            })
            .filter(|Stored { item: r, .. }| team.is_none_or(|tm| r.team_id.as_deref() == Some(tm)))
            .collect();
        match req.q("sortBy") {
            Some("lastactivity") => {
                rooms.sort_by(|a, b| b.item.last_activity.cmp(&a.item.last_activity))
            }
            Some("created") => rooms.sort_by(|a, b| b.item.created.cmp(&a.item.created)),
            Some("id") | None => rooms.sort_by_key(|r| r.seq),
            Some(other) => return Err(err(400, format!("Invalid sortBy value: {other}"))),
        }
        let items = rooms
            .into_iter()
            .map(|Stored { item: r, .. }| Self::to_value(&self.room_view(caller, r)))
            .collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    pub(super) fn create_room(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let title = req.required("title")?;
        let mut r = Room::default();
        r.id = new_id("ROOM");
        r.title = Some(title);
        r.room_type = Some(RoomType::Group);
        r.is_locked = Some(req.bool_field("isLocked").unwrap_or(false));
        r.team_id = req.str_field("teamId");
        r.description = req.str_field("description");
        r.creator_id = Some(caller.to_owned());
        r.owner_id = Some(self.org_id.clone());
        let now = self.now();
        r.created = Some(now.clone());
        r.last_activity = Some(now);
        if let Some(team) = &r.team_id {
            self.get_team(caller, team)?;
        }
        let record = self.stored(r.clone());
        self.rooms.insert(r.id.clone(), record);
        let locked = r.is_locked == Some(true);
        self.add_member(&r.id, caller, locked, caller)?;
        self.notice(
            "rooms",
            "created",
            caller,
            &r.id,
            Self::to_value(&r),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&r)))
    }

    pub(super) fn update_room(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.room_for(caller, id)?;
        let title = req.required("title")?;
        let Stored { item: r, .. } = self.rooms.get_mut(id).expect("checked");
        r.title = Some(title);
        if let Some(l) = req.bool_field("isLocked") {
            r.is_locked = Some(l);
        }
        if let Some(d) = req.str_field("description") {
            r.description = Some(d);
        }
        let r = r.clone();
        self.notice(
            "rooms",
            "updated",
            caller,
            id,
            Self::to_value(&r),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&r)))
    }

    pub(super) fn delete_room(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        self.room_for(caller, id)?;
        self.rooms.remove(id);
        self.memberships
            .retain(|_, Stored { item: m, .. }| m.room_id.as_deref() != Some(id));
        self.messages
            .retain(|_, StoredMessage { message: m, .. }| m.room_id.as_deref() != Some(id));
        Ok(Answer::Empty)
    }

    // memberships
}
