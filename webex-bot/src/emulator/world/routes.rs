//! The route table: each method and path of the API, and what answers it. A path whose
//! first segment is a resource of the table but that no route takes is answered 405, any
//! other 404.

use super::{Answer, ApiResult, Req, World, err};

/// What a route's handler gets: the caller, the request, and the path's `:id` segments.
pub(super) struct Call<'a> {
    caller: &'a str,
    req: &'a Req,
    ids: [&'a str; 2],
}

impl<'a> Call<'a> {
    /// The first `:id` of the path.
    fn id(&self) -> &'a str {
        self.ids[0]
    }
}

type Handler = fn(&mut World, &Call<'_>) -> ApiResult<Answer>;

/// One route: a method, a path (`:id` takes any one segment) and its handler.
struct Route {
    method: &'static str,
    path: &'static [&'static str],
    handler: Handler,
}

const fn route(method: &'static str, path: &'static [&'static str], handler: Handler) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

fn json<T: serde::Serialize>(v: &T) -> ApiResult<Answer> {
    Ok(Answer::Json(World::to_value(v)))
}

/// In the order they are tried: a literal path (`/messages/direct`) before the `:id` route
/// it would also match.
const ROUTES: &[Route] = &[
    route("GET", &["people", "me"], |w, c| json(w.person(c.caller)?)),
    route("GET", &["people"], |w, c| w.list_people(c.req)),
    // The one organization everyone is in (some websocket clients read it first).
    route("GET", &["organizations"], |w, c| {
        let org = w.organization();
        World::page_in_order(vec![&org], World::to_value, c.req)
    }),
    route("GET", &["organizations", ":id"], |w, c| {
        let org = w.organization();
        if org.item.id == c.id() {
            json(&org.item)
        } else {
            Err(err(404, "Organization not found."))
        }
    }),
    route("GET", &["people", ":id"], |w, c| json(w.person(c.id())?)),
    route("GET", &["rooms"], |w, c| w.list_rooms(c.caller, c.req)),
    route("POST", &["rooms"], |w, c| w.create_room(c.caller, c.req)),
    route("GET", &["rooms", ":id"], |w, c| {
        json(&w.room_for(c.caller, c.id())?)
    }),
    route("PUT", &["rooms", ":id"], |w, c| {
        w.update_room(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["rooms", ":id"], |w, c| {
        w.delete_room(c.caller, c.id())
    }),
    route("GET", &["memberships"], |w, c| {
        w.list_memberships(c.caller, c.req)
    }),
    route("POST", &["memberships"], |w, c| {
        w.create_membership(c.caller, c.req)
    }),
    route("GET", &["memberships", ":id"], |w, c| {
        json(&w.get_membership(c.caller, c.id())?)
    }),
    route("PUT", &["memberships", ":id"], |w, c| {
        w.update_membership(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["memberships", ":id"], |w, c| {
        w.delete_membership(c.caller, c.id())
    }),
    route("GET", &["messages"], |w, c| {
        w.list_messages(c.caller, c.req)
    }),
    route("GET", &["messages", "direct"], |w, c| {
        w.list_direct(c.caller, c.req)
    }),
    route("POST", &["messages"], |w, c| {
        w.create_message(c.caller, c.req)
    }),
    route("GET", &["messages", ":id"], |w, c| {
        json(&w.get_message(c.caller, c.id())?)
    }),
    route("PUT", &["messages", ":id"], |w, c| {
        w.edit_message(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["messages", ":id"], |w, c| {
        w.delete_message(c.caller, c.id())
    }),
    route("GET", &["teams"], |w, c| w.list_teams(c.caller, c.req)),
    route("POST", &["teams"], |w, c| w.create_team(c.caller, c.req)),
    route("GET", &["teams", ":id"], |w, c| {
        json(&w.get_team(c.caller, c.id())?)
    }),
    route("PUT", &["teams", ":id"], |w, c| {
        w.update_team(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["teams", ":id"], |w, c| {
        w.delete_team(c.caller, c.id())
    }),
    route("GET", &["team", "memberships"], |w, c| {
        w.list_team_memberships(c.caller, c.req)
    }),
    route("POST", &["team", "memberships"], |w, c| {
        w.create_team_membership(c.caller, c.req)
    }),
    route("GET", &["team", "memberships", ":id"], |w, c| {
        json(&w.get_team_membership(c.caller, c.id())?)
    }),
    route("PUT", &["team", "memberships", ":id"], |w, c| {
        w.update_team_membership(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["team", "memberships", ":id"], |w, c| {
        w.delete_team_membership(c.caller, c.id())
    }),
    route("GET", &["webhooks"], |w, c| {
        w.list_webhooks(c.caller, c.req)
    }),
    route("POST", &["webhooks"], |w, c| {
        w.create_webhook(c.caller, c.req)
    }),
    route("GET", &["webhooks", ":id"], |w, c| {
        json(&w.own_hook(c.caller, c.id())?.hook)
    }),
    route("PUT", &["webhooks", ":id"], |w, c| {
        w.update_webhook(c.caller, c.id(), c.req)
    }),
    route("DELETE", &["webhooks", ":id"], |w, c| {
        w.own_hook(c.caller, c.id())?;
        w.hooks.remove(c.id());
        Ok(Answer::Empty)
    }),
    route("POST", &["attachment", "actions"], |w, c| {
        w.create_action(c.caller, c.req)
    }),
    route("GET", &["attachment", "actions", ":id"], |w, c| {
        w.get_action(c.caller, c.id())
    }),
    route("GET", &["contents", ":id"], |w, c| {
        w.get_content(c.caller, c.id())
    }),
    route("HEAD", &["contents", ":id"], |w, c| {
        w.get_content(c.caller, c.id())
    }),
    route("POST", &["applications"], |w, c| {
        w.create_application(c.caller, c.req)
    }),
    route("PATCH", &["applications", ":id"], |w, c| {
        w.update_application(c.id(), c.req)
    }),
    route("POST", &["applications", ":id", "logo"], |w, c| {
        w.application_logo(c.id(), c.req)
    }),
    route("DELETE", &["applications", ":id", "botToken"], |w, c| {
        w.regenerate_token(c.id())
    }),
    route("DELETE", &["applications", ":id"], |w, c| {
        w.delete_application(c.id())
    }),
];

impl Route {
    /// The `:id` segments when `segments` is this route's path.
    fn matches<'a>(&self, segments: &[&'a str]) -> Option<[&'a str; 2]> {
        if segments.len() != self.path.len() {
            return None;
        }
        let mut ids = [""; 2];
        let mut n = 0;
        for (want, got) in self.path.iter().zip(segments) {
            if *want == ":id" {
                *ids.get_mut(n)? = got;
                n += 1;
            } else if want != got {
                return None;
            }
        }
        Some(ids)
    }
}

impl World {
    /// Answers one request by `caller`, by the route table.
    pub(crate) fn handle(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let method = req.method.as_str();
        for r in ROUTES.iter().filter(|r| r.method == method) {
            if let Some(ids) = r.matches(&segments) {
                return (r.handler)(self, &Call { caller, req, ids });
            }
        }
        let known = segments
            .first()
            .is_some_and(|first| ROUTES.iter().any(|r| r.path[0] == *first));
        if known {
            Err(err(
                405,
                format!("{method} is not supported on this resource"),
            ))
        } else {
            Err(err(404, "The requested resource could not be found."))
        }
    }
}
