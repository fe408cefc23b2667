//! The phase state machine of SPEC section 2, and only here.
//!
//! ```text
//!            add              simdrop              drop
//! pending ---------> added -----------> simdropped ------> dropped
//!         <---------       <-----------
//!        rollback_add     rollback_simdrop
//! ```
//!
//! Every operation runs exactly one kind of file, so [`Operation`] also names
//! the file kinds of a version (`up/N.sql` is the add file, and so on).

use std::fmt;
use std::str::FromStr;

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Known to the files only; nothing ran.
    Pending,
    /// The add phase ran: the version is applied.
    Added,
    /// The simdrop phase ran: what old code used is hidden.
    Simdropped,
    /// The drop phase ran: removed for good, irreversible.
    Dropped,
}

/// A change of state, and the kind of file that carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `up/N.sql`: pending to added.
    Add,
    /// `down/N.sql`: added back to pending.
    RollbackAdd,
    /// `up/N.simdrop.sql`: added to simdropped.
    Simdrop,
    /// `down/N.simdrop.sql`: simdropped back to added.
    RollbackSimdrop,
    /// `up/N.drop.sql`: simdropped to dropped, for good.
    Drop,
}

/// The forward phases, each of which is recorded with a release label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The add phase (expand).
    Add,
    /// The simdrop phase (hide).
    Simdrop,
    /// The drop phase (contract).
    Drop,
}

/// Why an operation cannot run from a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The state the version is in.
    pub from: State,
    /// The operation that was asked for.
    pub operation: Operation,
}

impl Operation {
    /// All operations, in the order of their file kinds in `status`.
    pub const ALL: [Operation; 5] = [
        Operation::Add,
        Operation::RollbackAdd,
        Operation::Simdrop,
        Operation::RollbackSimdrop,
        Operation::Drop,
    ];

    /// The state a version must be in for this operation to run.
    pub fn requires(self) -> State {
        match self {
            Operation::Add => State::Pending,
            Operation::RollbackAdd | Operation::Simdrop => State::Added,
            Operation::RollbackSimdrop | Operation::Drop => State::Simdropped,
        }
    }

    /// The state the operation leaves the version in.
    pub fn leads_to(self) -> State {
        match self {
            Operation::RollbackAdd => State::Pending,
            Operation::Add | Operation::RollbackSimdrop => State::Added,
            Operation::Simdrop => State::Simdropped,
            Operation::Drop => State::Dropped,
        }
    }

    /// The phase this operation moves forward, or `None` for a rollback.
    pub fn forward_phase(self) -> Option<Phase> {
        match self {
            Operation::Add => Some(Phase::Add),
            Operation::Simdrop => Some(Phase::Simdrop),
            Operation::Drop => Some(Phase::Drop),
            Operation::RollbackAdd | Operation::RollbackSimdrop => None,
        }
    }

    /// The phase a rollback undoes, or `None` for a forward operation.
    pub fn reverted_phase(self) -> Option<Phase> {
        match self {
            Operation::RollbackAdd => Some(Phase::Add),
            Operation::RollbackSimdrop => Some(Phase::Simdrop),
            _ => None,
        }
    }

    /// The operation's name as the SPEC and the log write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Add => "add",
            Operation::RollbackAdd => "rollback_add",
            Operation::Simdrop => "simdrop",
            Operation::RollbackSimdrop => "rollback_simdrop",
            Operation::Drop => "drop",
        }
    }

    /// The folder its file lives in: `up` or `down`.
    pub fn folder(self) -> &'static str {
        match self {
            Operation::Add | Operation::Simdrop | Operation::Drop => "up",
            Operation::RollbackAdd | Operation::RollbackSimdrop => "down",
        }
    }

    /// The file-name suffix before `.sql`: `""`, `".simdrop"` or `".drop"`.
    pub fn suffix(self) -> &'static str {
        match self {
            Operation::Add | Operation::RollbackAdd => "",
            Operation::Simdrop | Operation::RollbackSimdrop => ".simdrop",
            Operation::Drop => ".drop",
        }
    }
}

/// The one transition function: the state after `operation`, or why it cannot run.
pub fn transition(from: State, operation: Operation) -> Result<State, Refused> {
    if from == operation.requires() {
        Ok(operation.leads_to())
    } else {
        Err(Refused { from, operation })
    }
}

impl State {
    /// All states in order along the diagram.
    pub const ALL: [State; 4] = [
        State::Pending,
        State::Added,
        State::Simdropped,
        State::Dropped,
    ];

    /// Whether the version counts as applied (added or later).
    pub fn is_applied(self) -> bool {
        self != State::Pending
    }

    /// Whether the phase's change is in effect in this state.
    pub fn has_reached(self, phase: Phase) -> bool {
        match phase {
            Phase::Add => self >= State::Added,
            Phase::Simdrop => self >= State::Simdropped,
            Phase::Drop => self == State::Dropped,
        }
    }

    /// The state's name as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Added => "added",
            State::Simdropped => "simdropped",
            State::Dropped => "dropped",
        }
    }
}

impl Phase {
    /// The forward operation of this phase.
    pub fn operation(self) -> Operation {
        match self {
            Phase::Add => Operation::Add,
            Phase::Simdrop => Operation::Simdrop,
            Phase::Drop => Operation::Drop,
        }
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(text: &str) -> Result<State, String> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| {
                format!("`{text}` is not a state: use pending, added, simdropped or dropped")
            })
    }
}

impl FromStr for Operation {
    type Err = String;

    fn from_str(text: &str) -> Result<Operation, String> {
        Operation::ALL
            .into_iter()
            .find(|operation| operation.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not an operation"))
    }
}

impl fmt::Display for State {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;
    use State::*;

    /// The whole table: every (state, operation) pair and its outcome.
    #[test]
    fn transition_table() {
        let expected: [(State, Operation, Option<State>); 20] = [
            (Pending, Add, Some(Added)),
            (Pending, RollbackAdd, None),
            (Pending, Simdrop, None),
            (Pending, RollbackSimdrop, None),
            (Pending, Drop, None),
            (Added, Add, None),
            (Added, RollbackAdd, Some(Pending)),
            (Added, Simdrop, Some(Simdropped)),
            (Added, RollbackSimdrop, None),
            (Added, Drop, None),
            (Simdropped, Add, None),
            (Simdropped, RollbackAdd, None),
            (Simdropped, Simdrop, None),
            (Simdropped, RollbackSimdrop, Some(Added)),
            (Simdropped, Drop, Some(Dropped)),
            (Dropped, Add, None),
            (Dropped, RollbackAdd, None),
            (Dropped, Simdrop, None),
            (Dropped, RollbackSimdrop, None),
            (Dropped, Drop, None),
        ];
        for (from, operation, to) in expected {
            let outcome = transition(from, operation).ok();
            assert_eq!(outcome, to, "{from} --{operation}-->");
        }
    }

    #[test]
    fn dropped_is_final() {
        for operation in Operation::ALL {
            assert!(transition(Dropped, operation).is_err());
        }
    }

    #[test]
    fn names_round_trip() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>().unwrap(), state);
        }
        for operation in Operation::ALL {
            assert_eq!(operation.as_str().parse::<Operation>().unwrap(), operation);
        }
        assert!("failed".parse::<State>().is_err());
    }

    #[test]
    fn phases_reached() {
        assert!(!Pending.has_reached(Phase::Add));
        assert!(Added.has_reached(Phase::Add) && !Added.has_reached(Phase::Simdrop));
        assert!(Simdropped.has_reached(Phase::Simdrop) && !Simdropped.has_reached(Phase::Drop));
        assert!(Dropped.has_reached(Phase::Drop) && Dropped.has_reached(Phase::Add));
        assert_eq!(Add.forward_phase(), Some(Phase::Add));
        assert_eq!(RollbackSimdrop.reverted_phase(), Some(Phase::Simdrop));
        assert_eq!(Drop.folder(), "up");
        assert_eq!(RollbackSimdrop.suffix(), ".simdrop");
    }
}
