//! Typed models of the Webex REST resources.
//!
//! Field names follow Cisco's OpenAPI specs (camelCase on the wire, snake_case in Rust).
//! Every field Webex may leave out is an `Option` (or an empty `Vec`), and fields this
//! crate does not know are ignored, so a new field on the server never breaks parsing.
//! Timestamps are kept as the ISO 8601 strings Webex sends: Webex writes them in more than
//! one form (`...966Z`, `...+00:00`), and a bot rarely needs more than to show them.

mod application;
mod attachment_action;
mod common;
mod event;
mod ids;
mod membership;
mod message;
mod organization;
mod person;
mod room;
mod team;
mod webhook;

pub use application::{Application, NewBotApplication, UpdateApplication};
pub use attachment_action::{AttachmentAction, NewAttachmentAction};
pub use common::{FieldError, Items, PartialErrors};
pub use event::Event;
pub use ids::{IdKind, RestId};
pub use membership::{Membership, NewMembership, TeamMembership, UpdateMembership};
pub use message::{Attachment, CARD_CONTENT_TYPE, Message, NewMessage, UpdateMessage};
pub use organization::{License, LicenseAssignment, Organization, Role, UserLicenses};
pub use person::{Person, PersonType, PhoneNumber};
pub use room::{NewRoom, Room, RoomType, UpdateRoom};
pub use team::{NewTeam, Team};
pub use webhook::{NewWebhook, UpdateWebhook, Webhook, WebhookStatus};
