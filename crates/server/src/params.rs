//! Query-string parameters: repeated keys, typed getters with clear errors,
//! and the analysis filters every query endpoint shares.

use crate::error::ApiError;
use engine::query::Filters;

/// The decoded pairs of a query string, in order.
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The last value of `name`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// Every value of `name`; comma-separated values are not split.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn usize(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                ApiError::bad_parameter(format!("{name}: {text:?} is not a whole number"))
            }),
        }
    }

    /// A finite number, or `None` when absent.
    pub fn f64(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(text) => match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Ok(Some(value)),
                _ => Err(ApiError::bad_parameter(format!(
                    "{name}: {text:?} is not a number"
                ))),
            },
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(text) => Err(ApiError::bad_parameter(format!(
                "{name}: {text:?} is not true or false"
            ))),
        }
    }

    pub fn filters(&self) -> Filters {
        Filters {
            from: self.string("from"),
            to: self.string("to"),
            channel: self.all("channel"),
            persona: self.string("persona"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_typed() {
        let params = Params::parse(Some(
            "channel=web&channel=app&top=5&x=&flag=yes&steps=a%2Cb",
        ));
        assert_eq!(params.all("channel"), vec!["web", "app"]);
        assert_eq!(params.usize("top", 20), Ok(5));
        assert_eq!(params.usize("missing", 20), Ok(20));
        assert_eq!(params.get("x"), None);
        assert_eq!(params.bool("flag"), Ok(true));
        assert_eq!(params.get("steps"), Some("a,b"));
        assert!(Params::parse(Some("top=many")).usize("top", 1).is_err());
        assert!(Params::parse(Some("flag=maybe")).bool("flag").is_err());
    }
}
