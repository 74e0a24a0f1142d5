//! Change lists: which fields of a record an edit changed, for the person's history and the
//! audit summaries. A record lists its fields once, each as a label and its value in words.

/// A field of `T`: its label and its value in words.
pub type Field<T> = (&'static str, fn(&T) -> String);

/// The fields whose value differs from `old` to `new`, in the order listed: label, before,
/// after.
pub fn changed<T>(fields: &[Field<T>], old: &T, new: &T) -> Vec<(&'static str, String, String)> {
    fields
        .iter()
        .filter_map(|(label, value)| {
            let (before, after) = (value(old), value(new));
            (before != after).then_some((*label, before, after))
        })
        .collect()
}
