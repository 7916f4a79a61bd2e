//! What a worker does with an accepted event: fetch the message or submission it names,
//! apply the access rules, run the handler and send the reply.

use super::context::{Context, Trigger};
use super::engine::{Engine, EventName};
use super::handler::BoxedHandler;
use super::reply::{Reply, SORRY_PANIC};
use super::stats::Counters;
use crate::args::{CommandInput, CommandSpec};
use crate::models::{AttachmentAction, Membership, Message};
use crate::webhook::{Notification, NotificationKind};

/// Handles one accepted event.
pub(crate) fn process(engine: &Engine, event: Notification) {
    log::debug!(
        "event {}/{} {} (webhook {})",
        event.resource,
        event.event,
        event.data["id"].as_str().unwrap_or("without an id"),
        event.id
    );
    match event.kind() {
        NotificationKind::MessageCreated(m) => on_message(engine, m),
        NotificationKind::MembershipCreated(m) if is_bot(engine, &m) => {
            on_membership(engine, engine.on_added.as_ref(), m, event.actor_id)
        }
        NotificationKind::MembershipDeleted(m) if is_bot(engine, &m) => {
            on_membership(engine, engine.on_removed.as_ref(), m, event.actor_id)
        }
        NotificationKind::AttachmentActionCreated(a) => on_card(engine, a),
        _ => log::debug!("event {}/{} ignored", event.resource, event.event),
    }
}

fn is_bot(engine: &Engine, m: &Membership) -> bool {
    m.person_id
        .as_deref()
        .is_some_and(|p| engine.identity.is(p))
}

fn is_own(engine: &Engine, person_id: Option<&str>) -> bool {
    person_id.is_some_and(|p| engine.identity.is(p))
}

fn on_message(engine: &Engine, slim: Message) {
    if is_own(engine, slim.person_id.as_deref()) {
        log::debug!("message {} is the bot's own: ignored", slim.id);
        return;
    }
    if engine.ignore_bots
        && slim
            .person_email
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().ends_with("@webex.bot"))
    {
        log::debug!("message {} is from another bot: ignored", slim.id);
        return;
    }
    let message = match engine.client.messages().get(&slim.id) {
        Ok(m) => m,
        Err(e) => {
            log::error!("message {}: could not fetch it: {e}", slim.id);
            Counters::bump(&engine.counters.failed_fetches);
            return;
        }
    };
    let ctx = engine.context(Trigger::Message, message);
    let email = ctx.origin.person_email.as_deref().unwrap_or_default();
    let room = ctx.origin.room_id.as_deref().unwrap_or_default();
    let what = EventName("message", &ctx.origin.id);
    if !engine.access.allows(email, room) {
        log::info!("{what}: {email} is not allowed to use this bot");
        let sorry =
            Reply::text("Sorry, I only take commands from people I was set up to work with.");
        engine.deliver(&ctx, sorry, &what);
        return;
    }
    let input = CommandInput::from_message(&ctx.origin, &engine.identity);
    let refusal = |spec: &CommandSpec| -> Option<Reply> {
        let rule = engine.command_access.get(spec.name)?;
        (!rule.allows(email, room)).then(|| {
            Reply::text(format!(
                "Sorry, you are not allowed to use `{}`.",
                spec.usage()
            ))
        })
    };
    let handler = EventName("the handler of message", &ctx.origin.id);
    let outcome = engine.guarded(&handler, || {
        engine.dispatcher.dispatch_guarded(&ctx, &input, &refusal)
    });
    Counters::bump(&engine.counters.commands);
    let reply = match outcome {
        Some(d) => {
            if engine.explain {
                log::info!("{what} from {email}: {}", d.explanation);
            } else {
                log::debug!("{what} from {email}: {}", d.explanation);
            }
            d.reply
        }
        None => Reply::text(SORRY_PANIC),
    };
    engine.deliver(&ctx, reply, &what);
}

fn on_membership(
    engine: &Engine,
    handler: Option<&BoxedHandler<Reply>>,
    membership: Membership,
    actor_id: Option<String>,
) {
    let Some(handler) = handler else {
        return;
    };
    let id = membership.id.clone();
    let trigger = Trigger::Membership {
        membership,
        actor_id,
    };
    let origin = Context::origin_of(&trigger);
    let ctx = engine.context(trigger, origin);
    // A panicking membership handler is logged and counted; nobody asked for an answer.
    if let Some(reply) = engine.call(handler, &ctx) {
        engine.deliver(&ctx, reply, &EventName("membership", &id));
    }
}

fn on_card(engine: &Engine, slim: AttachmentAction) {
    if is_own(engine, slim.person_id.as_deref()) {
        return;
    }
    let action = match engine.client.attachment_actions().get(&slim.id) {
        Ok(a) => a,
        Err(e) => {
            log::error!("card submission {}: could not fetch it: {e}", slim.id);
            Counters::bump(&engine.counters.failed_fetches);
            return;
        }
    };
    let key = action
        .inputs
        .get("action")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let Some(handler) = engine.cards.get(key) else {
        log::warn!(
            "card submission {}: no handler for action {key:?}",
            action.id
        );
        return;
    };
    let id = action.id.clone();
    let trigger = Trigger::Card(action);
    let origin = Context::origin_of(&trigger);
    let ctx = engine.context(trigger, origin);
    let reply = engine
        .call(handler, &ctx)
        .unwrap_or_else(|| Reply::text("Sorry, something went wrong while handling that form."));
    engine.deliver(&ctx, reply, &EventName("card submission", &id));
}
