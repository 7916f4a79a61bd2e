//! `#[derive(ArgEnum)]`: a command argument that is one of a fixed set of words.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// `InProgress` -> `in-progress`.
fn kebab(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return syn::Error::new_spanned(
            name,
            "`ArgEnum` works on enums: `enum Status { Open, Closed }`",
        )
        .to_compile_error();
    };
    if data.variants.is_empty() {
        return syn::Error::new_spanned(name, "`ArgEnum` needs at least one variant")
            .to_compile_error();
    }
    let mut errors = Vec::new();
    let mut arms = Vec::new();
    let mut names = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(
                syn::Error::new_spanned(
                    v,
                    "`ArgEnum` variants have no fields: a word picks one of them",
                )
                .to_compile_error(),
            );
            continue;
        }
        let ident = &v.ident;
        let k = kebab(&ident.to_string());
        let snake = k.replace('-', "_");
        let joined = k.replace('-', "");
        let mut spellings = vec![k.clone()];
        for s in [snake, joined] {
            if !spellings.contains(&s) {
                spellings.push(s);
            }
        }
        arms.push(quote!(#(#spellings)|* => ::core::result::Result::Ok(Self::#ident),));
        names.push(k);
    }
    if !errors.is_empty() {
        return quote!(#(#errors)*);
    }
    let list = names.join(", ");
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    quote! {
        impl #impl_g ::core::str::FromStr for #name #ty_g #where_c {
            type Err = ::webex_bot::__private::ArgProblem;

            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                match s.to_lowercase().as_str() {
                    #(#arms)*
                    _ => ::core::result::Result::Err(::webex_bot::__private::ArgProblem::new(
                        ::std::concat!("should be one of: ", #list),
                    )),
                }
            }
        }
    }
}
