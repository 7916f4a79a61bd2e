//! People: listing and looking up.

use super::*;
use crate::models::Person;

impl World {
    pub(super) fn list_people(&self, req: &Req) -> ApiResult<Answer> {
        let (email, name, ids) = (req.q("email"), req.q("displayName"), req.q("id"));
        if email.is_none() && name.is_none() && ids.is_none() {
            return Err(err(
                400,
                "Email, displayName, or id list should be specified.",
            ));
        }
        let ids: Option<Vec<&str>> = ids.map(|i| i.split(',').collect());
        let mut people: Vec<&Person> = self
            .people
            .values()
            .filter(|p| email.is_none_or(|e| p.emails.iter().any(|pe| pe.eq_ignore_ascii_case(e))))
            .filter(|p| {
                name.is_none_or(|n| {
                    p.display_name
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().starts_with(&n.to_lowercase()))
                })
            })
            .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id.as_str())))
            .collect();
        people.sort_by(|a, b| a.created.cmp(&b.created));
        let items = people.into_iter().map(Self::to_value).collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    // rooms
}
