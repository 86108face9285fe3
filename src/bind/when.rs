//! `when` conditions that need facts only the host knows, turned into shell tests that
//! decide exactly as minijinja does.
//!
//! When a host's facts are known at emit time (`--facts`, or `@local`), `when` is simply
//! evaluated by minijinja, with strict undefined. When they are not, a condition over facts
//! is translated into a shell test that runs on the host against the facts the script
//! gathers there (the same probe as `kiln facts`). One semantics, minijinja's: the
//! translation knows each fact's type ([`crate::facts::FACTS`]) and reproduces what
//! minijinja would decide with the parsed facts (a string fact never equals a number, `in`
//! on a string is a substring test, on a list fact membership), and refuses, saying what,
//! whatever it cannot reproduce exactly. Literals are read by minijinja itself (escapes
//! included), and operations on values known at emit time are decided by it.
//!
//! Registered results (`register`, [`super::registered`]) are values only the host knows
//! too, typed as facts are (`rc` an integer, `stdout` a string, `changed` a boolean as 0 or
//! 1), so a `when` (or a `changed_when`/`failed_when`) that reads one is always translated,
//! facts known or not; Ansible's tests of a result (`r is changed`, `r is succeeded`, ...)
//! read its fields.
//!
//! The translatable language: `==`, `!=`, `in` / `not in`, `and`, `or`, `not`,
//! parentheses, string/number/boolean/none literals, list literals of those, `facts.a.b`
//! paths of known facts, `NAME.FIELD` and `NAME is TEST` of registered results, and
//! variables (their values are known at emit time). A fact the
//! host may lack (`os.version`, `users`, ...) is checked where minijinja would use it: the
//! test then ends with status 2 (minijinja's strict undefined is an error) and the step
//! fails, saying which fact is missing.

use minijinja::Value;

use super::registered::{self, HostValue, Registration};
use crate::facts::{FactType, fact_type, not_on_host};
use crate::runtime::call;
use crate::shell::Sh;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    /// A string or number literal, as written.
    Literal(String),
    Op(&'static str),
}

#[derive(Clone, Debug)]
enum Expr {
    /// A value only the host knows, and its type.
    Fact(HostValue, FactType),
    /// A registered result as a whole, which only `is` reads.
    Result(String, Registration),
    Var(String),
    Value(Value),
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

/// Translates `condition` into a shell test, resolving variables with `var`. The test
/// succeeds, fails (status 1), or returns 2 from the function it is in when a fact it
/// needs is missing. `Err` says what could not be translated.
pub fn to_shell(
    condition: &str,
    var: &dyn Fn(&str) -> Option<serde_json::Value>,
    registered: &dyn Fn(&str) -> Option<Registration>,
) -> Result<Sh, String> {
    let tokens = tokenize(condition)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        registered,
    };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("unexpected `{}`", parser.describe()));
    }
    let expr = resolve(expr, var)?;
    let mut sh = Sh::new();
    match test(&expr)? {
        Test::Const(b) => sh.code(if b { "true" } else { "false" }),
        Test::Shell(t) => sh.push(&t),
    };
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
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err("unclosed string".into());
            }
            i += 1;
            tokens.push(Token::Literal(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            tokens.push(Token::Literal(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
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

/// A literal's value, read by minijinja itself (its escapes, its number syntax).
fn literal(text: &str) -> Result<Value, String> {
    minijinja::Environment::new()
        .compile_expression(text)
        .and_then(|e| e.eval(()))
        .map_err(|e| format!("`{text}` is not a literal: {e}"))
}

struct Parser<'r> {
    tokens: Vec<Token>,
    at: usize,
    /// The registered results the condition may read.
    registered: &'r dyn Fn(&str) -> Option<Registration>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn describe(&self) -> String {
        match self.peek() {
            Some(Token::Name(n)) => n.clone(),
            Some(Token::Literal(s)) => s.clone(),
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
        if self.keyword("is") {
            return self.is_test(&left);
        }
        if let Expr::Result(name, _) = &left {
            return Err(format!(
                "`{name}` is a registered result: read a field (`{name}.rc`) or test it (`{name} is changed`)"
            ));
        }
        if self.op("==") || self.op("!=") {
            let equal = self.tokens[self.at - 1] == Token::Op("==");
            let right = self.atom()?;
            if matches!(self.peek(), Some(Token::Op("==" | "!="))) {
                return Err("chained comparisons are not supported".into());
            }
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

    /// `RESULT is [not] TEST`, the `is` read.
    fn is_test(&mut self, left: &Expr) -> Result<Expr, String> {
        let negate = self.keyword("not");
        let Some(Token::Name(test)) = self.peek().cloned() else {
            return Err(format!(
                "a test name must follow `is`, not `{}`",
                self.describe()
            ));
        };
        self.at += 1;
        let Expr::Result(name, at) = left else {
            return Err(format!(
                "`is {test}` is supported only on a registered result (`result is changed`)"
            ));
        };
        let (value, inverse) = registered::test(name, &test, *at)?;
        let truth = Expr::Fact(value, FactType::Int);
        Ok(if negate == inverse {
            truth
        } else {
            Expr::Not(Box::new(truth))
        })
    }

    /// A name registered by an earlier op (`result`), or a field of it (`result.rc`).
    fn registered(&self, name: &str) -> Option<Result<Expr, String>> {
        let (base, field) = match name.split_once('.') {
            Some((base, field)) => (base, Some(field)),
            None => (name, None),
        };
        let at = (self.registered)(base)?;
        Some(match field {
            None => Ok(Expr::Result(base.to_owned(), at)),
            Some(field) => registered::field(base, field, at).map(|(v, ty)| Expr::Fact(v, ty)),
        })
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned().ok_or("the condition ends too early")?;
        self.at += 1;
        match token {
            Token::Literal(s) => Ok(Expr::Value(literal(&s)?)),
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
            Token::Name(name) => match name.as_str() {
                "true" | "True" | "false" | "False" | "none" | "None" => {
                    Ok(Expr::Value(literal(&name)?))
                }
                "in" | "not" | "and" | "or" | "is" => Err(format!("unexpected `{name}`")),
                _ => match self.registered(&name) {
                    Some(result) => result,
                    None => fact_or_variable(name),
                },
            },
            Token::Op(op) => Err(format!("unexpected `{op}`")),
        }
    }
}

/// `facts.PATH` (a fact kiln gathers), or a variable.
fn fact_or_variable(name: String) -> Result<Expr, String> {
    match name.strip_prefix("facts.") {
        Some(path) => match fact_type(path) {
            Some((ty, _)) => Ok(Expr::Fact(HostValue::Fact(path.to_owned()), ty)),
            None => Err(not_on_host(path)),
        },
        None if name == "facts" || name.starts_with("facts") && name.contains('.') => Err(format!(
            "`{name}` is not a fact kiln gathers (`kiln facts` lists them)"
        )),
        None => Ok(Expr::Var(name)),
    }
}

/// Replaces variables by their (emit-time) values, and folds list literals of values.
fn resolve(expr: Expr, var: &dyn Fn(&str) -> Option<serde_json::Value>) -> Result<Expr, String> {
    let again = |e: Box<Expr>| resolve(*e, var).map(Box::new);
    Ok(match expr {
        Expr::Var(name) => {
            let value = var(&name).ok_or_else(|| format!("`{name}` is not defined"))?;
            Expr::Value(Value::from(minijinja::value::Serde(&value)))
        }
        Expr::List(items) => {
            let items = items
                .into_iter()
                .map(|i| match resolve(i, var)? {
                    Expr::Value(v) => Ok(v),
                    _ => Err("a list literal can hold only literals and variables".to_owned()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Expr::Value(Value::from(items))
        }
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

/// A condition decided at emit time, or a shell test.
enum Test {
    Const(bool),
    Shell(Sh),
}

impl Test {
    fn not(self) -> Test {
        match self {
            Test::Const(b) => Test::Const(!b),
            Test::Shell(t) => {
                let mut sh = Sh::of("! { ");
                sh.push(&t).code("; }");
                Test::Shell(sh)
            }
        }
    }
}

/// `x and y` (`and`) or `x or y`. minijinja does not look at the right side when the
/// left decides; a left side run on the host still runs (it may find a fact missing).
fn join(x: Test, y: Test, and: bool) -> Test {
    let op = if and { " && " } else { " || " };
    match (x, y) {
        (Test::Const(x), y) => {
            if x == and {
                y
            } else {
                Test::Const(x)
            }
        }
        (Test::Shell(x), Test::Shell(y)) => {
            let mut sh = Sh::of("{ ");
            sh.push(&x).code(op).push(&y).code("; }");
            Test::Shell(sh)
        }
        (Test::Shell(x), Test::Const(y)) => {
            let mut sh = Sh::of("{ ");
            sh.push(&x)
                .code(op)
                .code(if y { "true" } else { "false" })
                .code("; }");
            Test::Shell(sh)
        }
    }
}

/// `{ k_fact_need PATH || return 2; ...; }` for each value the host may lack (a fact, a
/// skipped command's output: [`HostValue::need`]), then `test`: minijinja fails on an
/// undefined value wherever it uses one, even where the result would not depend on it.
fn needing(values: &[&HostValue], test: Test) -> Test {
    let needs: Vec<Sh> = values.iter().filter_map(|v| v.need()).collect();
    if needs.is_empty() {
        return test;
    }
    let mut sh = Sh::of("{ ");
    for need in &needs {
        sh.push(need).code(" || return 2; ");
    }
    match test {
        Test::Const(b) => sh.code(if b { "true" } else { "false" }),
        Test::Shell(t) => sh.push(&t),
    };
    sh.code("; }");
    Test::Shell(sh)
}

/// The value as a word.
fn fact_word(value: &HostValue, sh: &mut Sh) {
    sh.push(&value.word());
}

fn test(expr: &Expr) -> Result<Test, String> {
    Ok(match expr {
        Expr::Value(v) => Test::Const(v.is_true()),
        Expr::Fact(path, ty) => {
            // minijinja's strict undefined is not an error everywhere a missing fact's
            // truth is taken (`x or facts.users` is false): not reproduced, so refused.
            if path.need().is_some() {
                return Err(format!(
                    "the truth of `{path}`, which a host may lack, is not supported: compare it"
                ));
            }
            let mut sh = Sh::new();
            match ty {
                FactType::Str => {
                    sh.code("[ -n ");
                    fact_word(path, &mut sh);
                    sh.code(" ]");
                }
                FactType::Int => {
                    sh.code("[ ");
                    fact_word(path, &mut sh);
                    sh.code(" != 0 ]");
                }
                FactType::List => {
                    sh.push(&call::list_any(&path.word()));
                }
            }
            Test::Shell(sh)
        }
        Expr::Compare { left, right, equal } => {
            let test = equals(left, right)?;
            if *equal { test } else { test.not() }
        }
        Expr::In {
            needle,
            haystack,
            negate,
        } => {
            let test = contains(needle, haystack)?;
            if *negate { test.not() } else { test }
        }
        Expr::And(a, b) => join(test(a)?, test(b)?, true),
        Expr::Or(a, b) => join(test(a)?, test(b)?, false),
        Expr::Not(a) => test(a)?.not(),
        Expr::Result(name, _) => {
            return Err(format!(
                "`{name}` is a registered result: read a field (`{name}.rc`) or test it (`{name} is changed`)"
            ));
        }
        Expr::Var(_) | Expr::List(_) => unreachable!("resolved"),
    })
}

/// A value's integer, as minijinja compares numbers with an integer fact (booleans are 0
/// and 1); `Err` for floats, whose comparison is not reproduced; `None` for values that
/// never equal a number.
fn as_integer(value: &Value) -> Result<Option<i128>, String> {
    if value.is_integer() || value.kind() == minijinja::value::ValueKind::Bool {
        return Ok(i128::try_from(value.clone()).ok());
    }
    if value.kind() == minijinja::value::ValueKind::Number {
        return Err(format!(
            "comparing an integer fact with `{value}` is not supported"
        ));
    }
    Ok(None)
}

/// `left == right`, as minijinja decides it.
fn equals(left: &Expr, right: &Expr) -> Result<Test, String> {
    let facts: Vec<&HostValue> = [left, right]
        .into_iter()
        .filter_map(|e| match e {
            Expr::Fact(path, _) => Some(path),
            _ => None,
        })
        .collect();
    Ok(needing(&facts, equals_bare(left, right)?))
}

/// `left == right`, without checking that the facts exist.
fn equals_bare(left: &Expr, right: &Expr) -> Result<Test, String> {
    match (left, right) {
        (Expr::Value(a), Expr::Value(b)) => Ok(Test::Const(a == b)),
        (Expr::Fact(path, ty), Expr::Value(v)) | (Expr::Value(v), Expr::Fact(path, ty)) => {
            let text = match ty {
                FactType::Str => v.as_str().map(str::to_owned),
                FactType::Int => as_integer(v)?.map(|n| n.to_string()),
                FactType::List => {
                    return Err(format!("comparing the list fact `{path}` is not supported"));
                }
            };
            let test = match text {
                Some(text) => {
                    let mut sh = Sh::of("[ ");
                    fact_word(path, &mut sh);
                    sh.code(" = ").arg(&text).code(" ]");
                    Test::Shell(sh)
                }
                None => Test::Const(false),
            };
            Ok(test)
        }
        (Expr::Fact(a, ta), Expr::Fact(b, tb)) => {
            if *ta == FactType::List || *tb == FactType::List {
                return Err("comparing a list fact is not supported".into());
            }
            let test = if ta == tb {
                let mut sh = Sh::of("[ ");
                fact_word(a, &mut sh);
                sh.code(" = ");
                fact_word(b, &mut sh);
                sh.code(" ]");
                Test::Shell(sh)
            } else {
                Test::Const(false)
            };
            Ok(test)
        }
        _ => Err("only facts, variables and literals can be compared".into()),
    }
}

/// `case HAYSTACK in *NEEDLE*)`: a substring test, the needle taken literally.
fn substring(haystack: impl FnOnce(&mut Sh), needle: impl FnOnce(&mut Sh)) -> Test {
    let mut sh = Sh::of("case ");
    haystack(&mut sh);
    sh.code(" in *");
    needle(&mut sh);
    sh.code("*) true ;; *) false ;; esac");
    Test::Shell(sh)
}

/// `needle in haystack`, as minijinja decides it.
fn contains(needle: &Expr, haystack: &Expr) -> Result<Test, String> {
    match (needle, haystack) {
        (Expr::Value(n), Expr::Value(h)) => {
            let env = minijinja::Environment::new();
            let result = env
                .compile_expression("n in h")
                .and_then(|e| e.eval(minijinja::context! { n => n, h => h }))
                .map_err(|e| format!("`in` fails here: {e}"))?;
            Ok(Test::Const(result.is_true()))
        }
        (Expr::Fact(path, ty), Expr::Value(h)) => fact_in_value(needle, (path, *ty), h),
        (_, Expr::Fact(path, ty)) => {
            let test = in_fact(needle, (path, *ty))?;
            let mut facts = vec![path];
            if let Expr::Fact(n, _) = needle {
                facts.insert(0, n);
            }
            Ok(needing(&facts, test))
        }
        _ => Err("only facts, variables and literals can be tested with `in`".into()),
    }
}

/// `facts.PATH in VALUE`: a substring of a string, or equal to an item of a list.
fn fact_in_value(
    needle: &Expr,
    (path, ty): (&HostValue, FactType),
    h: &minijinja::Value,
) -> Result<Test, String> {
    if ty == FactType::List {
        return Err(format!("a list fact (`{path}`) in a list is not supported"));
    }
    if let Some(text) = h.as_str() {
        let test = substring(
            |sh| {
                sh.arg(text);
            },
            |sh| fact_word(path, sh),
        );
        return Ok(needing(&[path], test));
    }
    if h.kind() != minijinja::value::ValueKind::Seq {
        return Err(format!(
            "`in` needs a list or a string on its right, not `{h}`"
        ));
    }
    let mut any = Test::Const(false);
    for item in h.try_iter().map_err(|e| e.to_string())? {
        any = join(any, equals_bare(needle, &Expr::Value(item))?, false);
    }
    Ok(needing(&[path], any))
}

/// `NEEDLE in facts.PATH`: a substring of a string fact, or an item of a list fact.
fn in_fact(needle: &Expr, (path, ty): (&HostValue, FactType)) -> Result<Test, String> {
    let test = match (ty, needle) {
        (FactType::Int, _) => {
            return Err(format!("`in` on the integer value `{path}` is an error"));
        }
        (_, Expr::Fact(_, FactType::List)) => {
            return Err("a list fact on the left of `in` is not supported".into());
        }
        (FactType::Str, Expr::Value(n)) => {
            let text = n.as_str().map_or_else(|| n.to_string(), str::to_owned);
            substring(
                |sh| fact_word(path, sh),
                |sh| {
                    sh.arg(&text);
                },
            )
        }
        (FactType::Str, Expr::Fact(n, _)) => {
            substring(|sh| fact_word(path, sh), |sh| fact_word(n, sh))
        }
        (FactType::List, Expr::Value(n)) => match n.as_str() {
            Some(item) if !item.is_empty() => {
                let mut word = Sh::new();
                word.arg(item);
                Test::Shell(call::in_list(&word, &path.word()))
            }
            _ => Test::Const(false),
        },
        (FactType::List, Expr::Fact(n, FactType::Str)) => {
            Test::Shell(call::in_list(&n.word(), &path.word()))
        }
        (FactType::List, Expr::Fact(_, _)) => Test::Const(false),
        _ => {
            return Err("only facts, variables and literals can be tested with `in`".into());
        }
    };
    Ok(test)
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
        // `out` is a command registered by op 2, `copied` a file op's result, by op 3.
        let registered = |name: &str| match name {
            "out" => Some(Registration {
                index: crate::runtime::call::Index::Op(2),
                command: true,
            }),
            "copied" => Some(Registration {
                index: crate::runtime::call::Index::Op(3),
                command: false,
            }),
            _ => None,
        };
        to_shell(condition, &vars, &registered).map(|sh| sh.text().to_owned())
    }

    #[test]
    fn translates_registered_results() {
        // A command's exit status and output exist only if it ran (else status 2).
        assert_eq!(
            shell("out.rc == 0").unwrap(),
            "{ [ \"${k_register_2_skipped-}\" = 0 ] || return 2; [ \"${k_register_2_rc-}\" = '0' ]; }"
        );
        assert_eq!(
            shell("'a\"$(x)' in out.stdout").unwrap(),
            "{ [ \"${k_register_2_skipped-}\" = 0 ] || return 2; case \"${k_register_2_stdout-}\" in *'a\"$(x)'*) true ;; *) false ;; esac; }"
        );
        // Booleans are 0 and 1, as minijinja compares `true` with 1.
        assert_eq!(
            shell("copied.changed").unwrap(),
            "[ \"${k_register_3_changed-}\" != 0 ]"
        );
        assert_eq!(
            shell("copied.changed == true").unwrap(),
            "[ \"${k_register_3_changed-}\" = '1' ]"
        );
        assert_eq!(
            shell("out is changed").unwrap(),
            "[ \"${k_register_2_changed-}\" != 0 ]"
        );
        assert_eq!(
            shell("out is succeeded").unwrap(),
            "! { [ \"${k_register_2_failed-}\" != 0 ]; }"
        );
        assert_eq!(
            shell("out is not skipped and not copied is failed").unwrap(),
            "{ ! { [ \"${k_register_2_skipped-}\" != 0 ]; } && ! { [ \"${k_register_3_failed-}\" != 0 ]; }; }"
        );
    }

    #[test]
    fn refuses_what_registered_results_do_not_have() {
        assert!(shell("copied.rc == 0").is_err());
        assert!(shell("out.stdout_lines == 'x'").is_err());
        assert!(shell("out == 'x'").is_err());
        assert!(shell("out is defined").is_err());
        assert!(shell("wanted is changed").is_err());
        // A command's output may be missing (skipped): its truth is refused, as a fact's.
        assert!(shell("out.stdout").is_err());
        assert!(shell("out.rc > 0").is_err());
    }

    #[test]
    fn translates() {
        assert_eq!(
            shell("facts.os.family == 'debian'").unwrap(),
            "[ \"$(k_fact 'os.family')\" = 'debian' ]"
        );
        assert_eq!(
            shell("facts.os.family != wanted").unwrap(),
            "! { [ \"$(k_fact 'os.family')\" = 'debian' ]; }"
        );
        // A string fact never equals a number; an integer fact equals its decimal form.
        assert_eq!(
            shell("facts.os.version == 12").unwrap(),
            "{ k_fact_need 'os.version' || return 2; false; }"
        );
        assert_eq!(shell("facts.user.uid == '0'").unwrap(), "false");
        assert_eq!(
            shell("facts.user.uid == 0").unwrap(),
            "[ \"$(k_fact 'user.uid')\" = '0' ]"
        );
        // `in` on a string fact is a substring test; on a list fact, membership.
        assert_eq!(
            shell("'deb' in facts.os.family").unwrap(),
            "case \"$(k_fact 'os.family')\" in *'deb'*) true ;; *) false ;; esac"
        );
        assert_eq!(
            shell("'www' not in facts.users").unwrap(),
            "! { { k_fact_need 'users' || return 2; k_in_list 'www' \"$(k_fact 'users')\"; }; }"
        );
        // Escapes are minijinja's.
        assert_eq!(
            shell(r"facts.arch == 'a\tb'").unwrap(),
            "[ \"$(k_fact 'arch')\" = 'a	b' ]"
        );
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        assert!(shell("facts.os.version | int > 11").is_err());
        assert!(shell("facts.os.family == undefined_thing").is_err());
        assert!(shell("(facts.arch == 'x'").is_err());
        assert!(shell("facts.nonexistent == 'x'").is_err());
        assert!(shell("'0' in facts.user.uid").is_err());
        assert!(shell("facts.user.uid == 0.0").is_err());
    }
}
