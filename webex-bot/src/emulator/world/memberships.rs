//! Memberships: joining and leaving rooms, moderators.

use super::*;
use crate::models::{Membership, RoomType};

impl World {
    pub(super) fn list_memberships(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let room = req.q("roomId");
        let (pid, pemail) = (req.q("personId"), req.q("personEmail"));
        if room.is_none() && (pid.is_some() || pemail.is_some()) {
            return Err(err(400, "roomId is required when filtering by person."));
        }
        if let Some(room) = room {
            self.room_for(caller, room)?;
        }
        let ms: Vec<&Stored<Membership>> = self
            .memberships
            .values()
            .filter(|Stored { item: m, .. }| match room {
                Some(r) => m.room_id.as_deref() == Some(r),
                None => m.person_id.as_deref() == Some(caller),
            })
            .filter(|Stored { item: m, .. }| pid.is_none_or(|p| m.person_id.as_deref() == Some(p)))
            .filter(|Stored { item: m, .. }| {
                pemail.is_none_or(|e| {
                    m.person_email
                        .as_deref()
                        .is_some_and(|me| me.eq_ignore_ascii_case(e))
                })
            })
            .collect();
        Self::page_in_order(ms, Self::to_value, req)
    }

    pub(super) fn create_membership(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let room = req.required("roomId")?;
        let r = self.room_for(caller, &room)?;
        if r.room_type == Some(RoomType::Direct) {
            return Err(err(409, "Cannot add people to a direct room."));
        }
        let person = self.person_id_of(
            req.str_field("personId").as_deref(),
            req.str_field("personEmail").as_deref(),
        )?;
        let m = self.add_member(
            &room,
            &person,
            req.bool_field("isModerator").unwrap_or(false),
            caller,
        )?;
        Ok(Answer::Json(Self::to_value(&m)))
    }

    pub(super) fn get_membership(&self, caller: &str, id: &str) -> ApiResult<Membership> {
        match self.memberships.get(id) {
            Some(Stored { item: m, .. })
                if m.room_id
                    .as_deref()
                    .is_some_and(|r| self.is_member(caller, r)) =>
            {
                Ok(m.clone())
            }
            _ => Err(err(404, "Membership not found.")),
        }
    }

    pub(super) fn update_membership(
        &mut self,
        caller: &str,
        id: &str,
        req: &Req,
    ) -> ApiResult<Answer> {
        self.get_membership(caller, id)?;
        let Stored { item: m, .. } = self.memberships.get_mut(id).expect("checked");
        if let Some(v) = req.bool_field("isModerator") {
            m.is_moderator = Some(v);
        }
        if let Some(v) = req.bool_field("isRoomHidden") {
            m.is_room_hidden = Some(v);
        }
        let m = m.clone();
        let room = m.room_id.clone().unwrap_or_default();
        self.notice(
            "memberships",
            "updated",
            caller,
            &room,
            Self::to_value(&m),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&m)))
    }

    pub(super) fn delete_membership(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_membership(caller, id)?;
        let room = m.room_id.clone().unwrap_or_default();
        if m.room_type == Some(RoomType::Direct) {
            return Err(err(409, "Cannot leave a direct room."));
        }
        // The removed person still gets the event, so it is computed before the removal.
        self.notice(
            "memberships",
            "deleted",
            caller,
            &room,
            Self::to_value(&m),
            Vec::new(),
        );
        self.memberships.remove(id);
        Ok(Answer::Empty)
    }

    // messages
}
