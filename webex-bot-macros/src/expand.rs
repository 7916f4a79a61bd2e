//! `#[command]`: checks the pattern against the function and generates its entry in the
//! dispatch table.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, LitStr, Pat, PathArguments, ReturnType, Type};

use crate::attr::CommandAttr;
use crate::pattern::{self, Kind, Piece};

/// Where a handler parameter's value comes from.
enum Source {
    Arg {
        index: usize,
        name: String,
        kind: Kind,
    },
    Injected,
}

struct Param {
    ident: Option<syn::Ident>,
    ty: Type,
    source: Source,
}

pub fn command(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new(Span::call_site(), "`#[command]` goes on a function")
                .to_compile_error();
            return quote!(#e #item);
        }
    };
    let attr: CommandAttr = match syn::parse2(attr) {
        Ok(a) => a,
        Err(e) => return emit(vec![e], &func),
    };
    let mut errors = attr.errors.clone();
    let pattern_text = attr.pattern.value();
    let (segments, pattern_errors) = pattern::parse(&pattern_text);
    for e in pattern_errors {
        errors.push(syn::Error::new(
            span_at(&attr.pattern, e.range.clone()),
            format!("{} (in pattern {:?})", e.message, pattern_text),
        ));
    }
    check_aliases(&attr, &segments, &mut errors);
    check_signature(&func, &mut errors);
    let params = bind_params(&func, &attr.pattern, &segments, &mut errors);
    if !errors.is_empty() {
        return emit(errors, &func);
    }
    generate(&func, &attr, &segments, &params)
}

/// The function unchanged, plus every error: nothing else, so no follow-on errors appear.
fn emit(errors: Vec<syn::Error>, func: &ItemFn) -> TokenStream {
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    let vis = &func.vis;
    let name = &func.sig.ident;
    // A marker struct, so that `commands![name]` does not add an error of its own.
    quote! {
        #(#errors)*
        #func
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}
        const _: () = {
            impl ::webex_bot::__private::CommandFn for #name {
                // A pattern with mistakes: an empty spec that `commands!` leaves out of its
                // conflict check, so that the mistakes are the only errors.
                const SPEC: &'static ::webex_bot::__private::CommandSpec =
                    &::webex_bot::__private::CommandSpec::new("", "", &[]).hidden(true);
                fn check(_: &::webex_bot::Context, _: &::webex_bot::__private::Args<'_>) -> ::core::result::Result<(), ::webex_bot::__private::ArgError> {
                    ::core::result::Result::Ok(())
                }
                fn requirements() -> ::std::vec::Vec<(::webex_bot::__private::Requirement, &'static str)> {
                    ::std::vec::Vec::new()
                }
                fn call(_: &::webex_bot::Context, _: &::webex_bot::__private::Args<'_>) -> ::core::result::Result<::webex_bot::Reply, ::webex_bot::__private::CommandError> {
                    ::core::result::Result::Ok(::webex_bot::Reply::none())
                }
            }
        };
    }
}

/// A span for `range` of the literal's text, where the compiler can give one (nightly);
/// otherwise the whole literal.
fn span_at(lit: &LitStr, range: std::ops::Range<usize>) -> Span {
    let raw = lit.token().to_string();
    // Only plain "..." literals map text offsets 1:1 (escapes would shift them).
    if raw.starts_with('"')
        && !raw.contains('\\')
        && let Some(s) = lit.token().subspan(range.start + 1..range.end + 1)
    {
        return s;
    }
    lit.span()
}

fn check_aliases(attr: &CommandAttr, segments: &[pattern::Segment], errors: &mut Vec<syn::Error>) {
    let own: Vec<String> = segments
        .iter()
        .map_while(|s| match &s.piece {
            Piece::Literal(w) => Some(w.to_lowercase()),
            Piece::Arg { .. } => None,
        })
        .collect();
    let mut seen: Vec<String> = vec![own.join(" ")];
    for alias in &attr.aliases {
        let value = alias.value();
        let words: Vec<String> = value.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            errors.push(syn::Error::new(alias.span(), "an alias cannot be empty"));
            continue;
        }
        if value.contains(['<', '>', '[', ']']) {
            errors.push(syn::Error::new(
                alias.span(),
                "an alias replaces the pattern's leading words and cannot hold arguments; write `alias = \"f\"` for \"find <ticket>\"",
            ));
            continue;
        }
        let key = words.join(" ");
        if seen.contains(&key) {
            let what = if key == seen[0] {
                "repeats the pattern's own words"
            } else {
                "is given twice"
            };
            errors.push(syn::Error::new(
                alias.span(),
                format!("duplicate alias {value:?}: it {what}"),
            ));
            continue;
        }
        seen.push(key);
    }
}

fn check_signature(func: &ItemFn, errors: &mut Vec<syn::Error>) {
    let sig = &func.sig;
    if let Some(a) = &sig.asyncness {
        errors.push(syn::Error::new(a.span(), "command functions are blocking: remove `async` (webex-bot runs each command on a worker thread)"));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "command functions cannot be generic: the bot needs one concrete function to call",
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new(
            v.span(),
            "command functions cannot be variadic",
        ));
    }
    if let Some(FnArg::Receiver(r)) = sig.inputs.first() {
        errors.push(syn::Error::new(r.span(), "`#[command]` goes on a free function, not a method: take shared state as a `State<T>` parameter instead of `self`"));
    }
}

/// Matches the pattern's arguments with the function's parameters.
fn bind_params(
    func: &ItemFn,
    lit: &LitStr,
    segments: &[pattern::Segment],
    errors: &mut Vec<syn::Error>,
) -> Vec<Param> {
    let args: Vec<(usize, &str, Kind, std::ops::Range<usize>)> = segments
        .iter()
        .filter_map(|s| match &s.piece {
            Piece::Arg { name, kind } => Some((name.as_str(), *kind, s.range.clone())),
            Piece::Literal(_) => None,
        })
        .enumerate()
        .map(|(i, (n, k, r))| (i, n, k, r))
        .collect();

    // Names inside broken arguments (`<ticket` unclosed): their pattern error already
    // covers the parameter, so it gets no second error.
    let mentioned: Vec<String> = pattern::words(&lit.value())
        .map(|(_, w)| {
            w.trim_matches(|c| matches!(c, '<' | '>' | '[' | ']' | '.'))
                .to_owned()
        })
        .collect();
    // Every parameter's name, for hints that offer only the pattern's arguments that no
    // parameter takes.
    let all_names: Vec<String> = func
        .sig
        .inputs
        .iter()
        .filter_map(|i| match i {
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(p) => Some(p.ident.to_string().trim_start_matches("r#").to_owned()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    let mut params = Vec::new();
    for input in &func.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        let ident = match &*pt.pat {
            Pat::Ident(p) => Some(p.ident.clone()),
            _ => None,
        };
        let name = ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_owned());
        let arg = name.as_deref().and_then(|n| args.iter().find(|a| a.1 == n));
        let source = match arg {
            Some(&(index, name, kind, _)) => {
                check_arg_type(name, kind, &pt.ty, errors);
                Source::Arg {
                    index,
                    name: name.to_owned(),
                    kind,
                }
            }
            None => {
                if let (Some(n), true) = (name.as_deref(), looks_like_arg_type(&pt.ty))
                    && !mentioned.iter().any(|m| m == n)
                {
                    let unused: Vec<&str> = args
                        .iter()
                        .map(|a| a.1)
                        .filter(|a| !all_names.iter().any(|p| p == a))
                        .collect();
                    let hint = match pattern::closest(n, unused.iter().copied()) {
                        Some(c) => format!(
                            "; did you mean to call the parameter `{c}`, as in the pattern?"
                        ),
                        None => format!(
                            "; add `<{n}>` to the pattern, or take a value the runtime supplies (`&Context`, `Sender`, `State<T>`...)"
                        ),
                    };
                    errors.push(syn::Error::new(
                        pt.pat.span(),
                        format!(
                            "parameter `{n}` is not in the pattern {:?}{hint}",
                            lit.value()
                        ),
                    ));
                }
                Source::Injected
            }
        };
        params.push(Param {
            ident,
            ty: (*pt.ty).clone(),
            source,
        });
    }

    let param_names: Vec<String> = params
        .iter()
        .filter_map(|p| p.ident.as_ref().map(|i| i.to_string()))
        .collect();
    for (_, name, kind, range) in &args {
        if !param_names.iter().any(|p| p == name) {
            let shown = match kind {
                Kind::Required => format!("<{name}>"),
                Kind::Optional => format!("[{name}]"),
                Kind::Rest => format!("<{name}...>"),
            };
            // Only parameters that no argument of the pattern names.
            let others: Vec<&str> = param_names
                .iter()
                .map(String::as_str)
                .filter(|p| !args.iter().any(|a| a.1 == *p))
                .collect();
            let hint = match pattern::closest(name, others.into_iter()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("add a parameter `{name}` to the function"),
            };
            errors.push(syn::Error::new(
                span_at(lit, range.clone()),
                format!(
                    "unknown argument `{shown}`: the function has no parameter `{name}`; {hint}"
                ),
            ));
        }
    }
    params
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// `T` of `Option<T>`, syntactically.
fn option_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    if seg.ident != "Option" {
        return None;
    }
    match &seg.arguments {
        PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

fn check_arg_type(name: &str, kind: Kind, ty: &Type, errors: &mut Vec<syn::Error>) {
    match kind {
        Kind::Optional if option_inner(ty).is_none() => errors.push(syn::Error::new(
            ty.span(),
            format!("optional argument `[{name}]` needs an `Option<_>` parameter: write `{name}: Option<{}>`", quote!(#ty).to_string().replace(' ', "")),
        )),
        Kind::Required if option_inner(ty).is_some() => errors.push(syn::Error::new(
            ty.span(),
            format!("argument `<{name}>` is required but its parameter is an `Option`: write `[{name}]` in the pattern to make it optional"),
        )),
        _ => {}
    }
}

/// Types that can only be arguments: a parameter of such a type that is not in the pattern
/// is a mistake worth a clear message of its own.
fn looks_like_arg_type(ty: &Type) -> bool {
    const ARG_TYPES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char", "String", "Option", "Vec", "Mention", "Email",
    ];
    last_segment(ty).is_some_and(|s| ARG_TYPES.iter().any(|t| s.ident == t))
}

fn doc_text(func: &ItemFn) -> String {
    let lines: Vec<String> = func
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|l| l.strip_prefix(' ').unwrap_or(&l).trim_end().to_owned())
        .collect();
    lines.join("\n").trim().to_owned()
}

fn generate(
    func: &ItemFn,
    attr: &CommandAttr,
    segments: &[pattern::Segment],
    params: &[Param],
) -> TokenStream {
    let vis = &func.vis;
    let name = &func.sig.ident;
    let name_str = name.to_string();
    let pattern = attr.pattern.value();
    let help = attr
        .help
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| doc_text(func));
    let hidden = attr.hidden;
    let aliases: Vec<String> = attr.aliases.iter().map(LitStr::value).collect();
    let pieces = segments.iter().map(|s| match &s.piece {
        Piece::Literal(w) => quote!(::webex_bot::__private::Piece::literal(#w)),
        Piece::Arg { name, kind } => {
            let kind = match kind {
                Kind::Required => quote!(Required),
                Kind::Optional => quote!(Optional),
                Kind::Rest => quote!(Rest),
            };
            quote!(::webex_bot::__private::Piece::arg(#name, ::webex_bot::__private::ArgKind::#kind))
        }
    });

    // Reading the arguments: shared by `check` and `call`.
    let reads: Vec<TokenStream> = params
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let Source::Arg { index, name, kind } = &p.source else { return None };
            let var = format_ident!("__arg{}", i);
            let ty = &p.ty;
            let span = ty.span();
            Some(match kind {
                Kind::Required => quote_spanned! {span=>
                    let #var: #ty = ::webex_bot::__private::required::<#ty>(__args, #index, #name)?;
                },
                Kind::Optional => {
                    let inner = option_inner(ty).expect("checked");
                    let span = inner.span();
                    quote_spanned! {span=>
                        let #var: #ty = ::webex_bot::__private::optional::<#inner>(__args, #index, #name)?;
                    }
                }
                Kind::Rest => quote_spanned! {span=>
                    let #var: #ty = ::webex_bot::__private::rest::<#ty>(__args, #index, #name)?;
                },
            })
        })
        .collect();
    let injects = params.iter().enumerate().filter_map(|(i, p)| {
        let Source::Injected = p.source else {
            return None;
        };
        let var = format_ident!("__arg{}", i);
        let ty = &p.ty;
        let span = ty.span();
        Some(quote_spanned! {span=>
            let #var: #ty = (::webex_bot::__private::param::<#ty>().inject)(__ctx)?;
        })
    });
    let needs = params.iter().filter_map(|p| {
        let Source::Injected = p.source else {
            return None;
        };
        let ty = &p.ty;
        let span = ty.span();
        Some(quote_spanned! {span=> (::webex_bot::__private::param::<#ty>().requirement)() })
    });
    let vars = (0..params.len()).map(|i| format_ident!("__arg{}", i));
    let ret_span = match &func.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => func.sig.ident.span(),
    };
    let to_reply = quote_spanned! {ret_span=> ::webex_bot::__private::reply(__out) };
    let check_vars: Vec<_> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.source, Source::Arg { .. }))
        .map(|(i, _)| format_ident!("__arg{}", i))
        .collect();

    quote! {
        #func

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        const _: () = {
            impl ::webex_bot::__private::CommandFn for #name {
                const SPEC: &'static ::webex_bot::__private::CommandSpec =
                    &::webex_bot::__private::CommandSpec::new(#name_str, #pattern, &[#(#pieces),*])
                        .aliases(&[#(#aliases),*])
                        .help(#help)
                        .hidden(#hidden);

                #[allow(unused_variables)]
                fn check(
                    __ctx: &::webex_bot::Context,
                    __args: &::webex_bot::__private::Args<'_>,
                ) -> ::core::result::Result<(), ::webex_bot::__private::ArgError> {
                    #(#reads)*
                    #(let _ = #check_vars;)*
                    ::core::result::Result::Ok(())
                }

                fn requirements() -> ::std::vec::Vec<(::webex_bot::__private::Requirement, &'static str)> {
                    ::std::vec![#(#needs),*]
                }

                #[allow(unused_variables, clippy::let_unit_value)]
                fn call(
                    __ctx: &::webex_bot::Context,
                    __args: &::webex_bot::__private::Args<'_>,
                ) -> ::core::result::Result<::webex_bot::Reply, ::webex_bot::__private::CommandError> {
                    #(#reads)*
                    #(#injects)*
                    let __out = #name(#(#vars),*);
                    ::core::result::Result::Ok(#to_reply)
                }
            }
        };
    }
}
