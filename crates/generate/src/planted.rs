//! Planted situations: the problems each synthetic business has on
//! purpose, with the effect size an analysis should find. The integration
//! tests measure every effect naively on generated data, so these numbers
//! are checked, not just written down.

use serde::Serialize;

/// One problem planted in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedSituation {
    /// Stable key, used to switch the situation off ([`Planted`]).
    pub key: &'static str,
    pub description: &'static str,
    /// The touchpoints where the problem shows.
    pub touchpoints: Vec<&'static str>,
    /// The persona of the scenario's definition that suffers most, if any.
    pub persona: Option<&'static str>,
    /// The effects, the first being the headline one.
    pub expected: Vec<ExpectedEffect>,
}

/// A metric measured in the affected group and in the rest. With about
/// 20 000 generated customers and the default window both lie within
/// `tolerance` of the stated values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedEffect {
    /// What is measured, precisely enough to compute it from the events.
    pub metric: &'static str,
    pub affected: f64,
    pub baseline: f64,
    /// Absolute tolerance of both values.
    pub tolerance: f64,
}

/// Which planted situations a dataset contains. All of them by default;
/// switching one off gives the affected group the baseline's behaviour, so
/// that an analysis can be shown to find nothing where nothing is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Planted {
    #[default]
    All,
    None,
    Only(Vec<String>),
    AllExcept(Vec<String>),
}

/// The resolved set of switched-on situations: bit `i` stands for the
/// scenario's `i`-th planted situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Switches(u32);

impl Switches {
    /// Resolves the keys against the scenario's situations; the unknown key
    /// is the error.
    pub(crate) fn resolve(planted: &Planted, keys: &[&'static str]) -> Result<Switches, String> {
        let all = (1u32 << keys.len()) - 1;
        let mask_of = |names: &[String]| -> Result<u32, String> {
            names.iter().try_fold(0u32, |mask, name| {
                let index = keys
                    .iter()
                    .position(|key| key == name)
                    .ok_or_else(|| name.clone())?;
                Ok(mask | 1 << index)
            })
        };
        Ok(Switches(match planted {
            Planted::All => all,
            Planted::None => 0,
            Planted::Only(names) => mask_of(names)?,
            Planted::AllExcept(names) => all & !mask_of(names)?,
        }))
    }

    pub(crate) fn on(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_switches() {
        let keys = ["a", "b", "c"];
        let check = |planted: Planted, expected: [bool; 3]| {
            let switches = Switches::resolve(&planted, &keys).expect("known keys");
            assert_eq!(
                [switches.on(0), switches.on(1), switches.on(2)],
                expected,
                "{planted:?}"
            );
        };
        check(Planted::All, [true, true, true]);
        check(Planted::None, [false, false, false]);
        check(Planted::Only(vec!["b".into()]), [false, true, false]);
        check(
            Planted::AllExcept(vec!["a".into(), "c".into()]),
            [false, true, false],
        );
        let unknown = Switches::resolve(&Planted::Only(vec!["z".into()]), &keys);
        assert_eq!(unknown, Err("z".to_string()));
    }
}
