//! `commands![a, b, module::c]`: the dispatch table, checked for conflicts at compile time.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Path, Token};

pub fn commands(input: TokenStream) -> TokenStream {
    let paths = match Punctuated::<Path, Token![,]>::parse_terminated.parse2(input) {
        Ok(p) => p,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "expected command function names separated by commas, as in `commands![find, status]`",
            );
            return e.to_compile_error();
        }
    };
    let paths: Vec<&Path> = paths.iter().collect();
    let mut errors = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let key = |q: &Path| quote!(#q).to_string().replace(' ', "");
        if paths[..i].iter().any(|q| key(q) == key(p)) {
            let name = key(p);
            errors.push(
                syn::Error::new_spanned(p, format!("command `{name}` is listed twice"))
                    .to_compile_error(),
            );
        }
    }
    if !errors.is_empty() {
        return quote!(#(#errors)* ::webex_bot::Commands::default());
    }
    quote! {{
        const _: () = ::webex_bot::__private::assert_distinct(&[
            #(<#paths as ::webex_bot::__private::CommandFn>::SPEC),*
        ]);
        ::webex_bot::Commands::new(::std::vec![
            #(::webex_bot::__private::command::<#paths>()),*
        ])
    }}
}
