//! The tokens of a template's code (what stands inside `{{ }}`, `{% %}` or a `when`), as
//! far as the checker needs them: string literals (skipped whole, escapes included),
//! identifiers with their byte range, and any other character. The scanners of the checker
//! (variable uses, filter and test names) read these instead of the characters.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// A string literal, quotes included.
    Str(Range<usize>),
    /// An identifier, by its byte range in the code.
    Word(Range<usize>),
    /// Any other character that is not white space.
    Punct(char),
}

/// The tokens of `code`, white space left out.
pub fn tokens(code: &str) -> Vec<Token> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' || c == '"' {
            let mut end = code.len();
            while let Some((j, d)) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == c {
                    end = j + 1;
                    break;
                }
            }
            out.push(Token::Str(i..end));
        } else if is_ident(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_ident(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(Token::Word(i..end));
        } else if !c.is_whitespace() {
            out.push(Token::Punct(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Token, tokens};

    #[test]
    fn strings_words_and_punctuation() {
        assert_eq!(
            tokens("a.é_1 | f('x\\'|y') "),
            vec![
                Token::Word(0..1),
                Token::Punct('.'),
                Token::Word(2..6),
                Token::Punct('|'),
                Token::Word(9..10),
                Token::Punct('('),
                Token::Str(11..18),
                Token::Punct(')'),
            ]
        );
    }
}
