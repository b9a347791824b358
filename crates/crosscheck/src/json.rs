//! JSON as the commands print it: pretty, with a final newline.

use serde::Serialize;

use crate::errors::CliError;

/// `value` as pretty-printed JSON ending in a newline.
pub fn pretty(value: &impl Serialize) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot render JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}
