//! The options of `#[command(...)]`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Option names.
const ALIAS: &str = "alias";
const HIDDEN: &str = "hidden";
const HELP: &str = "help";

pub struct CommandAttr {
    pub pattern: LitStr,
    pub aliases: Vec<LitStr>,
    pub hidden: bool,
    pub help: Option<LitStr>,
    /// Mistakes in the options, reported with everything else.
    pub errors: Vec<syn::Error>,
}

impl Parse for CommandAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "missing pattern: write `#[command(\"words <arg>\")]`",
            ));
        }
        let pattern: LitStr = input.parse().map_err(|e| {
            syn::Error::new(e.span(), "the first thing in `#[command(...)]` must be the pattern, a string such as \"find <ticket>\"")
        })?;
        let mut attr = CommandAttr {
            pattern,
            aliases: Vec::new(),
            hidden: false,
            help: None,
            errors: Vec::new(),
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let name: Ident = input.parse()?;
            let key = name.to_string();
            match key.as_str() {
                HIDDEN => attr.hidden = true,
                ALIAS | HELP => {
                    input.parse::<Token![=]>()?;
                    let value: LitStr = input.parse()?;
                    if key == ALIAS {
                        attr.aliases.push(value);
                    } else if attr.help.replace(value).is_some() {
                        attr.errors
                            .push(syn::Error::new(name.span(), "`help` is given twice"));
                    }
                }
                _ => {
                    let hint = crate::pattern::closest(&key, [ALIAS, HIDDEN, HELP].into_iter())
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    attr.errors.push(syn::Error::new(
                        name.span(),
                        format!("unknown option `{key}`: the options are `alias = \"...\"`, `hidden` and `help = \"...\"`{hint}"),
                    ));
                    if input.peek(Token![=]) {
                        input.parse::<Token![=]>()?;
                        input.parse::<syn::Expr>()?;
                    }
                }
            }
        }
        Ok(attr)
    }
}
