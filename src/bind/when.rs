//! `when` conditions that need facts only the host knows, turned into shell tests.
//!
//! When a host's facts are known at emit time (`--facts`, or `@local`), `when` is simply
//! evaluated. When they are not, a condition over facts is translated into a shell test that
//! runs on the host against the facts the script gathers there (the same probe as
//! `kiln facts`). The translatable language is the part of minijinja's expressions that
//! conditions use: `==`, `!=`, `in` / `not in` (a list literal, or a list fact), `and`, `or`,
//! `not`, parentheses, string/number/boolean literals, `facts.a.b` paths, and variables
//! (their values are known at emit time). Anything else is reported, with the way out:
//! pass `--facts`.

use crate::shell::Sh;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Op(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Fact(String),
    Var(String),
    Lit(String),
    Bool(bool),
    List(Vec<Expr>),
    Compare {
        left: Box<Expr>,
        right: Box<Expr>,
        equal: bool,
    },
    In {
        needle: Box<Expr>,
        haystack: Box<Expr>,
        negate: bool,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

/// Translates `condition` into a shell test, resolving variables with `var`. `Err` says
/// what could not be translated.
pub fn to_shell(
    condition: &str,
    var: &dyn Fn(&str) -> Option<serde_json::Value>,
) -> Result<Sh, String> {
    let tokens = tokenize(condition)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("unexpected `{}`", parser.describe()));
    }
    let expr = resolve(expr, var)?;
    let mut sh = Sh::new();
    test(&expr, &mut sh)?;
    Ok(sh)
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let mut value = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
            if i == chars.len() {
                return Err("unclosed string".into());
            }
            i += 1;
            tokens.push(Token::Str(value));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            tokens.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["==", "!="].into_iter().find(|o| *o == two);
            match op {
                Some(op) => {
                    tokens.push(Token::Op(op));
                    i += 2;
                }
                None => {
                    let op = ["(", ")", "[", "]", ","]
                        .into_iter()
                        .find(|o| o.starts_with(c));
                    tokens.push(Token::Op(
                        op.ok_or_else(|| format!("`{c}` is not supported"))?,
                    ));
                    i += 1;
                }
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn describe(&self) -> String {
        match self.peek() {
            Some(Token::Name(n)) => n.clone(),
            Some(Token::Str(s)) => format!("'{s}'"),
            Some(Token::Op(o)) => (*o).to_owned(),
            None => "end of condition".into(),
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Name(n)) if n == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Token::Op(o)) if *o == op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.atom()?;
        if self.op("==") || self.op("!=") {
            let equal = self.tokens[self.at - 1] == Token::Op("==");
            let right = self.atom()?;
            return Ok(Expr::Compare {
                left: Box::new(left),
                right: Box::new(right),
                equal,
            });
        }
        let negate = matches!((self.peek(), self.tokens.get(self.at + 1)), (Some(Token::Name(a)), Some(Token::Name(b))) if a == "not" && b == "in");
        if negate {
            self.at += 1;
        }
        if self.keyword("in") {
            let haystack = self.atom()?;
            return Ok(Expr::In {
                needle: Box::new(left),
                haystack: Box::new(haystack),
                negate,
            });
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned().ok_or("the condition ends too early")?;
        self.at += 1;
        match token {
            Token::Str(s) => Ok(Expr::Lit(s)),
            Token::Op("(") => {
                let inner = self.or()?;
                if !self.op(")") {
                    return Err("a `(` is not closed".into());
                }
                Ok(inner)
            }
            Token::Op("[") => {
                let mut items = Vec::new();
                while !self.op("]") {
                    items.push(self.atom()?);
                    if !self.op(",") && !matches!(self.peek(), Some(Token::Op("]"))) {
                        return Err("expected `,` or `]` in a list".into());
                    }
                }
                Ok(Expr::List(items))
            }
            Token::Name(name) => Ok(match name.as_str() {
                "true" | "True" => Expr::Bool(true),
                "false" | "False" => Expr::Bool(false),
                _ if name.starts_with("facts.") => Expr::Fact(name["facts.".len()..].to_owned()),
                _ if name.chars().all(|c| c.is_ascii_digit() || c == '.') => Expr::Lit(name),
                _ => Expr::Var(name),
            }),
            Token::Op(op) => Err(format!("unexpected `{op}`")),
        }
    }
}

/// Replaces variables by their (emit-time) values.
fn resolve(expr: Expr, var: &dyn Fn(&str) -> Option<serde_json::Value>) -> Result<Expr, String> {
    let again = |e: Box<Expr>| resolve(*e, var).map(Box::new);
    Ok(match expr {
        Expr::Var(name) => {
            let value = var(&name).ok_or_else(|| format!("`{name}` is not defined"))?;
            literal(&value)
                .ok_or_else(|| format!("`{name}` is not a string, number, boolean or list"))?
        }
        Expr::List(items) => Expr::List(
            items
                .into_iter()
                .map(|i| resolve(i, var))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Compare { left, right, equal } => Expr::Compare {
            left: again(left)?,
            right: again(right)?,
            equal,
        },
        Expr::In {
            needle,
            haystack,
            negate,
        } => Expr::In {
            needle: again(needle)?,
            haystack: again(haystack)?,
            negate,
        },
        Expr::And(a, b) => Expr::And(again(a)?, again(b)?),
        Expr::Or(a, b) => Expr::Or(again(a)?, again(b)?),
        Expr::Not(a) => Expr::Not(again(a)?),
        other => other,
    })
}

fn literal(value: &serde_json::Value) -> Option<Expr> {
    Some(match value {
        serde_json::Value::String(s) => Expr::Lit(s.clone()),
        serde_json::Value::Number(n) => Expr::Lit(n.to_string()),
        serde_json::Value::Bool(b) => Expr::Bool(*b),
        serde_json::Value::Array(items) => {
            Expr::List(items.iter().map(literal).collect::<Option<_>>()?)
        }
        _ => return None,
    })
}

/// A shell word for a value: a quoted literal or a fact looked up on the host.
fn word(expr: &Expr, sh: &mut Sh) -> Result<(), String> {
    match expr {
        Expr::Lit(s) => {
            sh.arg(s);
        }
        Expr::Bool(b) => {
            sh.arg(if *b { "true" } else { "false" });
        }
        Expr::Fact(path) => {
            sh.code("\"$(k_fact ").arg(path).code(")\"");
        }
        _ => return Err("only facts, variables and literals can be compared".into()),
    }
    Ok(())
}

fn test(expr: &Expr, sh: &mut Sh) -> Result<(), String> {
    match expr {
        Expr::Bool(true) => {
            sh.code("true");
        }
        Expr::Bool(false) => {
            sh.code("false");
        }
        Expr::Fact(_) => {
            sh.code("[ -n ");
            word(expr, sh)?;
            sh.code(" ]");
        }
        Expr::Lit(s) => {
            sh.code(if s.is_empty() { "false" } else { "true" });
        }
        Expr::Compare { left, right, equal } => {
            sh.code("[ ");
            word(left, sh)?;
            sh.code(if *equal { " = " } else { " != " });
            word(right, sh)?;
            sh.code(" ]");
        }
        Expr::In {
            needle,
            haystack,
            negate,
        } => {
            if *negate {
                sh.code("! ");
            }
            match haystack.as_ref() {
                Expr::List(items) => {
                    sh.code("k_in ");
                    word(needle, sh)?;
                    for item in items {
                        sh.code(" ");
                        word(item, sh)?;
                    }
                }
                Expr::Fact(_) => {
                    // List facts (users, groups) are comma-separated.
                    sh.code("k_in_list ");
                    word(needle, sh)?;
                    sh.code(" ");
                    word(haystack, sh)?;
                }
                _ => return Err("`in` needs a list or a list fact on its right".into()),
            }
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            sh.code("{ ");
            test(a, sh)?;
            sh.code(if matches!(expr, Expr::And(..)) {
                " && "
            } else {
                " || "
            });
            test(b, sh)?;
            sh.code("; }");
        }
        Expr::Not(a) => {
            sh.code("! { ");
            test(a, sh)?;
            sh.code("; }");
        }
        Expr::Var(_) | Expr::List(_) => return Err("a list is not a condition".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(condition: &str) -> Result<String, String> {
        let vars = |name: &str| match name {
            "wanted" => Some(serde_json::json!("debian")),
            "families" => Some(serde_json::json!(["debian", "redhat"])),
            _ => None,
        };
        to_shell(condition, &vars).map(|sh| sh.text().to_owned())
    }

    #[test]
    fn translates() {
        assert_eq!(
            shell("facts.os.family == 'debian'").unwrap(),
            "[ \"$(k_fact 'os.family')\" = 'debian' ]"
        );
        assert_eq!(
            shell("facts.os.family != wanted").unwrap(),
            "[ \"$(k_fact 'os.family')\" != 'debian' ]"
        );
        assert_eq!(
            shell("facts.os.family in families and not facts.arch == 'arm64'").unwrap(),
            "{ k_in \"$(k_fact 'os.family')\" 'debian' 'redhat' && ! { [ \"$(k_fact 'arch')\" = 'arm64' ]; }; }"
        );
        assert_eq!(
            shell("'www' not in facts.users").unwrap(),
            "! k_in_list 'www' \"$(k_fact 'users')\""
        );
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        assert!(shell("facts.os.version | int > 11").is_err());
        assert!(shell("facts.os.family == undefined_thing").is_err());
        assert!(shell("(facts.arch == 'x'").is_err());
    }
}
