//! Test helpers for ORCID's XML samples and XSDs: an XML document turned into the JSON ORCID
//! sends for it (so the XML read samples exercise the JSON model), and the element lists of
//! XSD types (so written JSON can be checked against the schema).

use serde_json::{Map, Value as Json};

/// Elements that are lists in ORCID's JSON even when the XML holds one of them.
const LISTS: [&str; 4] = ["external-id", "affiliation-group", "group", "work-summary"];

/// Reads a file of the crate's `samples/`.
#[track_caller]
pub(super) fn read(rel: &str) -> String {
    let path = format!("{}/samples/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The JSON form of an XML element, by the rules of ORCID's JSON binding: attributes
/// (`put-code`, `path`, `visibility`, `display-index`) become properties, a leaf becomes its
/// text (null when empty), [`LISTS`] become arrays, and the `{section}-summary` children of an
/// `affiliation-group` become its `summaries` list. XML timestamps (`created-date`,
/// `last-modified-date`) are ISO dates where JSON has epoch milliseconds, so they are left out.
pub(super) fn to_json(node: roxmltree::Node) -> Json {
    let children: Vec<_> = node.children().filter(|c| c.is_element()).collect();
    if children.is_empty() && node.attributes().len() == 0 {
        // An empty element (`<common:address/>`) is what ORCID's JSON writes as null.
        let text = node.text().unwrap_or_default().trim();
        return if text.is_empty() {
            Json::Null
        } else {
            Json::String(text.to_string())
        };
    }
    let mut map = Map::new();
    for a in node.attributes() {
        let value = match a.name() {
            "put-code" => a.value().parse::<i64>().map_or(Json::Null, Json::from),
            _ => Json::String(a.value().to_string()),
        };
        if a.namespace().is_none() {
            map.insert(a.name().to_string(), value);
        }
    }
    let in_group = node.tag_name().name() == "affiliation-group";
    for c in children {
        let name = c.tag_name().name();
        if name == "created-date" || name == "last-modified-date" {
            continue;
        }
        if in_group && name.ends_with("-summary") {
            let mut one = Map::new();
            one.insert(name.to_string(), to_json(c));
            push(&mut map, "summaries", Json::Object(one));
        } else if LISTS.contains(&name) {
            push(&mut map, name, to_json(c));
        } else {
            map.insert(name.to_string(), to_json(c));
        }
    }
    Json::Object(map)
}

fn push(map: &mut Map<String, Json>, key: &str, value: Json) {
    if let Json::Array(list) = map.entry(key).or_insert_with(|| Json::Array(vec![])) {
        list.push(value);
    }
}

/// An element of an XSD `complexType`'s sequence: its name and whether it must appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct XsdElement {
    pub name: String,
    pub required: bool,
}

/// The elements of the named `complexType` in `xsd` (its own sequence, not its base's).
#[track_caller]
pub(super) fn xsd_elements(xsd: &roxmltree::Document, type_name: &str) -> Vec<XsdElement> {
    let ty = xsd
        .descendants()
        .find(|n| n.has_tag_name("complexType") && n.attribute("name") == Some(type_name))
        .unwrap_or_else(|| panic!("no complexType {type_name}"));
    ty.descendants()
        .filter(|n| n.has_tag_name("element"))
        // Only this type's own elements, not those of anonymous nested types.
        .filter(|n| {
            n.ancestors()
                .skip(1)
                .find(|a| a.has_tag_name("complexType"))
                == Some(ty)
        })
        .map(|n| {
            let name = n
                .attribute("name")
                .or_else(|| {
                    n.attribute("ref")
                        .map(|r| r.rsplit(':').next().unwrap_or(r))
                })
                .unwrap_or_default()
                .to_string();
            let in_optional_group = n
                .ancestors()
                .take_while(|a| *a != ty)
                .any(|a| a.attribute("minOccurs") == Some("0"));
            XsdElement {
                name,
                required: !in_optional_group,
            }
        })
        .collect()
}
