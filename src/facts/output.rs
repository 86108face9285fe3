//! The probe's output, split into its parts: the `key=value` lines of `gather.sh`, then
//! the sections of `survey.sh` (`@NAME SOURCE`, raw lines, `@end`) and of custom facts
//! (`@custom NAME`, then every line of the command's output behind a `|`).
//!
//! Total on any input, and no part can forge another: a `key=value` line counts only
//! before the first section; a built-in section ends at its `@end`; a custom fact's
//! section ends at its first line without the `|` the probe put before every line of the
//! command's output, so what a custom command prints stays its own fact's value.

/// A built-in section: the raw output of one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Section<'a> {
    pub(super) name: &'a str,
    /// How the probe got it (`ip`, `ifconfig`, `dpkg`, ...): the format to parse.
    pub(super) source: &'a str,
    pub(super) lines: Vec<&'a str>,
}

/// The probe's output, split.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Output<'a> {
    pub(super) pairs: Vec<(&'a str, &'a str)>,
    pub(super) sections: Vec<Section<'a>>,
    /// Each custom fact's name and its command's output (every line ended by `\n`).
    pub(super) custom: Vec<(&'a str, String)>,
}

impl<'a> Output<'a> {
    pub(super) fn split(output: &'a str) -> Output<'a> {
        let mut split = Output::default();
        let mut lines = output.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(header) = line.strip_prefix('@') else {
                if split.sections.is_empty()
                    && split.custom.is_empty()
                    && let Some(pair) = line.split_once('=')
                {
                    split.pairs.push(pair);
                }
                continue;
            };
            let (name, source) = header.split_once(' ').unwrap_or((header, ""));
            if name == "custom" {
                let mut text = String::new();
                while let Some(content) = lines.peek().and_then(|l| l.strip_prefix('|')) {
                    text.push_str(content);
                    text.push('\n');
                    lines.next();
                }
                split.custom.push((source, text));
            } else if name != "end" {
                let lines = lines.by_ref().take_while(|l| *l != "@end").collect();
                split.sections.push(Section {
                    name,
                    source,
                    lines,
                });
            }
        }
        split
    }

    /// The sections named `name`.
    pub(super) fn sections(&self, name: &str) -> impl Iterator<Item = &Section<'a>> {
        self.sections.iter().filter(move |s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_command_cannot_forge_another_fact() {
        let output = Output::split(
            "os.family=debian\n@packages dpkg\nii  a 1 all\n@end\n@custom x\n|os.family=evil\n|@end\n|@custom y\n@end\nos.id=evil\n",
        );
        assert_eq!(output.pairs, [("os.family", "debian")]);
        assert_eq!(output.sections.len(), 1);
        assert_eq!(output.sections[0].lines, ["ii  a 1 all"]);
        assert_eq!(
            output.custom,
            [("x", "os.family=evil\n@end\n@custom y\n".to_owned())]
        );
    }

    #[test]
    fn an_unended_section_ends_with_the_output() {
        let output = Output::split("arch=x\n@mounts proc\nproc /proc proc rw 0 0");
        assert_eq!(output.sections[0].lines, ["proc /proc proc rw 0 0"]);
    }
}
