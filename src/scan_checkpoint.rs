//! Checkpoints (SPEC section 10): the add file of version N marked
//! `-- migrate: checkpoint`, written by `squash N`, and the header that
//! lists every version it stands for. Read by the scanner with the rest of
//! the folder; what a database does with one is `squash::coverage`'s.

use super::{Catalogue, FileProblem, VersionFiles};
use crate::state::{Operation, State};
use crate::version::Version;

/// A checkpoint (SPEC section 10): the add file of version N marked
/// `-- migrate: checkpoint`, written by `squash N`, which stands for every
/// version its header lists (`-- squashed: 7 dropped add_email`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Its version: the highest it stands for.
    pub version: Version,
    /// The file, relative to the migrations folder.
    pub path: String,
    /// The file's checksum.
    pub checksum: String,
    /// Every version it stands for, ascending, its own included.
    pub squashed: Vec<Squashed>,
}

/// One version a checkpoint stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Squashed {
    /// The version.
    pub version: Version,
    /// Its description, as its files were named.
    pub name: Option<String>,
    /// The state it ended in: `added` for an add-only version, `dropped`
    /// for one with later phases. A database that has it in that state
    /// needs nothing of it.
    pub state: State,
    /// The earlier checkpoints it was squashed into before this one, oldest
    /// first (`in-checkpoint=2,4`): a database that ran one of them has
    /// what it stands for without a row of its own.
    pub checkpoints: Vec<Version>,
}

impl Checkpoint {
    /// Whether it stands for `version`.
    pub fn covers(&self, version: Version) -> bool {
        self.find(version).is_some()
    }

    /// The entry of `version`, if it stands for it.
    pub fn find(&self, version: Version) -> Option<&Squashed> {
        self.squashed
            .binary_search_by_key(&version, |squashed| squashed.version)
            .ok()
            .and_then(|at| self.squashed.get(at))
    }
}

/// The checkpoint of `entry`'s add file, if it is one: only an add file
/// may be a checkpoint, alone in its version, with a header that lists the
/// version itself.
pub(super) fn read_checkpoint(entry: &VersionFiles) -> Result<Option<Checkpoint>, FileProblem> {
    for operation in Operation::ALL {
        let Some(file) = entry.file(operation) else {
            continue;
        };
        if operation != Operation::Add && file.script.directives.checkpoint {
            return Err(FileProblem {
                path: file.path.clone(),
                line: None,
                message: "only an add file (up/N_checkpoint.sql) can be a checkpoint: remove \
                          `checkpoint` from its directives"
                    .into(),
            });
        }
    }
    let Some(file) = entry
        .file(Operation::Add)
        .filter(|file| file.script.directives.checkpoint)
    else {
        return Ok(None);
    };
    if let Some(other) = Operation::ALL[1..]
        .iter()
        .find_map(|operation| entry.file(*operation))
    {
        return Err(FileProblem {
            path: other.path.clone(),
            line: None,
            message: format!(
                "{} is a checkpoint, which has no other phase and no down file: remove {}",
                file.path, other.path
            ),
        });
    }
    let squashed = parse_squashed(&file.script.text).map_err(|(line, message)| FileProblem {
        path: file.path.clone(),
        line: Some(line),
        message,
    })?;
    let checkpoint = Checkpoint {
        version: entry.version,
        path: file.path.clone(),
        checksum: file.script.checksum.clone(),
        squashed,
    };
    if !checkpoint.covers(entry.version) {
        return Err(FileProblem {
            path: file.path.clone(),
            line: None,
            message: format!(
                "the checkpoint has no `-- squashed: {} ...` line for its own version: \
                 write it again with `migrate squash {}`",
                entry.version, entry.version
            ),
        });
    }
    Ok(Some(checkpoint))
}

/// Reads the `-- squashed: VERSION STATE [NAME] [in-checkpoint=N,...]` lines among the comment
/// lines that open a checkpoint; an error is (line, message).
pub(crate) fn parse_squashed(text: &str) -> Result<Vec<Squashed>, (usize, String)> {
    let mut squashed: Vec<Squashed> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(comment) = trimmed.strip_prefix("--") else {
            break;
        };
        let Some(words) = comment.trim_start().strip_prefix("squashed:") else {
            continue;
        };
        let bad = |why: &str| {
            (
                index + 1,
                format!(
                    "`-- squashed:` {why}: write `-- squashed: VERSION added|dropped [NAME] [in-checkpoint=N]`"
                ),
            )
        };
        let mut words = words.split_whitespace();
        let version: Version = words
            .next()
            .ok_or_else(|| bad("names no version"))?
            .parse()
            .map_err(|_| bad("does not start with a version"))?;
        let state = match words.next() {
            Some("added") => State::Added,
            Some("dropped") => State::Dropped,
            _ => return Err(bad("gives no final state")),
        };
        let mut name = None;
        let mut checkpoints = Vec::new();
        for word in words {
            match word.strip_prefix("in-checkpoint=") {
                Some(list) => {
                    for version in list.split(',') {
                        checkpoints.push(
                            version
                                .parse()
                                .map_err(|_| bad("names a checkpoint that is no version"))?,
                        );
                    }
                }
                None if name.is_none() && checkpoints.is_empty() => {
                    name = Some(word.to_string());
                }
                None => {
                    return Err(bad(
                        "has more than a version, a state, a name and its checkpoints",
                    ));
                }
            }
        }
        if squashed.last().is_some_and(|last| last.version >= version) {
            return Err(bad("lists the versions out of ascending order"));
        }
        squashed.push(Squashed {
            version,
            name,
            state,
            checkpoints,
        });
    }
    Ok(squashed)
}

/// A file of a version that a checkpoint stands for is an error: the
/// checkpoint replaces it, and running both would apply it twice.
pub(super) fn check_squashed_files(catalogue: &Catalogue, problems: &mut Vec<FileProblem>) {
    for checkpoint in catalogue.checkpoints.values() {
        for squashed in &checkpoint.squashed {
            let Some(entry) = catalogue.versions.get(&squashed.version) else {
                continue;
            };
            if squashed.version == checkpoint.version {
                continue;
            }
            for file in Operation::ALL
                .iter()
                .filter_map(|operation| entry.file(*operation))
            {
                problems.push(FileProblem {
                    path: file.path.clone(),
                    line: None,
                    message: format!(
                        "version {} is squashed into {}: remove {} (squash removes them, or \
                         moves them with --archive DIR)",
                        squashed.version, checkpoint.path, file.path
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{file, version};
    use super::super::{MigrationFile, ParsedName, Script, parse_name_in};
    use super::*;

    fn text_file(path: &str, text: &str) -> (ParsedName, MigrationFile) {
        let (mut parsed, mut file) = file(path);
        parsed.operation = parse_name_in(path.rsplit('/').next().unwrap(), path.starts_with("up/"))
            .unwrap()
            .operation;
        file.script = Script::parse(text.as_bytes()).unwrap();
        (parsed, file)
    }

    const CHECKPOINT: &str = "-- migrate: checkpoint\n-- Versions 1 to 3.\n\
        -- squashed: 1 added init\n-- squashed: 3 dropped\nCREATE TABLE t (x int);\n\
        -- squashed: 9 added\n";

    #[test]
    fn a_checkpoint_is_read_with_the_versions_it_stands_for() {
        let catalogue = Catalogue::from_files([
            text_file("up/3_checkpoint.sql", CHECKPOINT),
            file("up/4.sql"),
        ])
        .unwrap();
        let checkpoint = catalogue.checkpoints().next().unwrap();
        assert_eq!(checkpoint.version, version(3));
        // Only the lines before the first statement count.
        let listed: Vec<(Version, State)> = checkpoint
            .squashed
            .iter()
            .map(|entry| (entry.version, entry.state))
            .collect();
        assert_eq!(
            listed,
            [(version(1), State::Added), (version(3), State::Dropped)]
        );
        assert_eq!(checkpoint.squashed[0].name.as_deref(), Some("init"));
        assert_eq!(catalogue.squashed_into(version(1)), Some(checkpoint));
        assert_eq!(catalogue.squashed_into(version(2)), None);
        assert_eq!(catalogue.squashed_into(version(4)), None);
    }

    #[test]
    fn a_checkpoint_stands_alone_and_names_itself() {
        type Case = (Vec<(ParsedName, MigrationFile)>, &'static str, &'static str);
        let cases: [Case; 5] = [
            (
                vec![
                    text_file("up/3_checkpoint.sql", CHECKPOINT),
                    file("down/3.sql"),
                ],
                "down/3.sql",
                "has no other phase and no down file",
            ),
            (
                vec![
                    text_file("up/3_checkpoint.sql", CHECKPOINT),
                    file("up/1_init.sql"),
                ],
                "up/1_init.sql",
                "version 1 is squashed into up/3_checkpoint.sql",
            ),
            (
                vec![text_file("up/4_checkpoint.sql", CHECKPOINT)],
                "up/4_checkpoint.sql",
                "no `-- squashed: 4 ...` line for its own version",
            ),
            (
                vec![
                    text_file("up/3.sql", "SELECT 1;"),
                    text_file("up/3.simdrop.sql", "-- migrate: checkpoint\nSELECT 1;"),
                ],
                "up/3.simdrop.sql",
                "only an add file",
            ),
            (
                vec![text_file(
                    "up/3_checkpoint.sql",
                    "-- migrate: checkpoint\n-- squashed: 3 gone\n",
                )],
                "up/3_checkpoint.sql",
                "gives no final state",
            ),
        ];
        for (files, path, message) in cases {
            let problems = Catalogue::from_files(files).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].path, path);
            assert!(
                problems[0].message.contains(message),
                "{}",
                problems[0].message
            );
        }
        let nested = parse_squashed("-- squashed: 1 added users in-checkpoint=2,4\n").unwrap();
        assert_eq!(nested[0].name.as_deref(), Some("users"));
        assert_eq!(nested[0].checkpoints, [version(2), version(4)]);
        assert!(parse_squashed("-- squashed: 1 added in-checkpoint=x\n").is_err());
        assert!(parse_squashed("-- squashed: 1 added a b\n").is_err());
        let unordered = "-- squashed: 3 added\n-- squashed: 2 added\n";
        assert_eq!(parse_squashed(unordered).unwrap_err().0, 2);
    }
}
