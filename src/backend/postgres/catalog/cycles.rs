//! The cycles a table's own defaults and checks close (issue 13).
//!
//! A column default or CHECK that calls a function reading the table (a
//! `BEGIN ATOMIC` or SQL-standard body) or taking its row type makes the
//! table need the function and the function need the table: no order of
//! `CREATE TABLE` and `CREATE FUNCTION` loads. `pg_dump` breaks such a loop
//! by taking the default or check out of the table into a later
//! `ALTER TABLE … SET DEFAULT` / `ADD CONSTRAINT` (its `repairDependencyLoop`
//! in `pg_dump_sort.c`); [`split`] finds the ones to take out, and the
//! reader makes each an item of its own that waits for the function.

use std::collections::{HashMap, HashSet};

use super::Edge;

/// The keys of the defaults and checks (`default:t.c`, `check:t.k`) whose
/// table is needed, directly or not, by something the default or check
/// needs: each closes a cycle through its table.
pub(super) fn split(graph: &[Edge]) -> HashSet<String> {
    // The graph between items: a default or check counts as its table.
    let mut needs: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in graph {
        if edge.from_owner != edge.to_owner {
            needs
                .entry(edge.from_owner.as_str())
                .or_default()
                .push(edge.to_owner.as_str());
        }
    }
    let mut split = HashSet::new();
    for edge in graph {
        let part = edge.from.starts_with("default:") || edge.from.starts_with("check:");
        if part
            && edge.from != edge.from_owner
            && !split.contains(&edge.from)
            && reaches(&needs, &edge.to_owner, &edge.from_owner)
        {
            split.insert(edge.from.clone());
        }
    }
    split
}

/// Whether `target` can be reached from `start` along `needs`.
fn reaches(needs: &HashMap<&str, Vec<&str>>, start: &str, target: &str) -> bool {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack = vec![start];
    while let Some(at) = stack.pop() {
        if at == target {
            return true;
        }
        if !seen.insert(at) {
            continue;
        }
        if let Some(next) = needs.get(at) {
            stack.extend(next.iter().copied());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str) -> Edge {
        let owner = |key: &str| match key.split_once(':') {
            Some(("default" | "check", rest)) => {
                let table = rest.rsplit_once('.').map_or(rest, |(table, _)| table);
                format!("rel:{table}")
            }
            _ => key.to_string(),
        };
        Edge {
            from: from.to_string(),
            to: to.to_string(),
            from_owner: owner(from),
            to_owner: owner(to),
        }
    }

    #[test]
    fn a_default_or_check_calling_a_function_that_needs_its_table_is_split() {
        let graph = [
            // A default calling a BEGIN ATOMIC function that reads the table.
            edge("default:tickets.id", "func:next_ticket()"),
            edge("func:next_ticket()", "rel:tickets"),
            // A check calling a function of the table's row type.
            edge("check:items.total_ok", "func:total(items)"),
            edge("func:total(items)", "rel:items"),
            // A default calling a function that reads another table: no cycle.
            edge("default:orders.n", "func:next_order()"),
            edge("func:next_order()", "rel:counters"),
        ];
        let mut split: Vec<String> = split(&graph).into_iter().collect();
        split.sort();
        assert_eq!(split, ["check:items.total_ok", "default:tickets.id"]);
    }

    #[test]
    fn a_cycle_through_another_table_is_split_too() {
        let graph = [
            edge("default:a.x", "func:f()"),
            edge("func:f()", "rel:b"),
            edge("fk:b.a_fk", "rel:a"),
            edge("rel:b", "func:g()"),
            edge("func:g()", "rel:a"),
        ];
        assert!(split(&graph).contains("default:a.x"));
        assert_eq!(split(&graph[..2]), HashSet::new());
    }
}
