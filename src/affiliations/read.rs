//! ORCID's grouped affiliation summaries flattened into cache rows.

use orcid::model::{ActivitiesSummary, Affiliation, AffiliationSection, FuzzyDate};

use crate::store::CachedAffiliation;

/// Every affiliation summary of every section in `activities`, keeping ORCID's groups
/// and order within each section.
pub fn to_cached(activities: &ActivitiesSummary) -> Vec<CachedAffiliation> {
    AffiliationSection::ALL
        .into_iter()
        .filter_map(|section| activities.section(section))
        .flat_map(|groups| groups.affiliation_group.iter().enumerate())
        .flat_map(|(g, group)| {
            group
                .summaries
                .iter()
                .enumerate()
                .map(move |(n, s)| row(s.section, g as i64, n as i64, &s.summary))
        })
        .collect()
}

pub(crate) fn row(
    section: AffiliationSection,
    group_index: i64,
    position: i64,
    a: &Affiliation,
) -> CachedAffiliation {
    let text = |s: Option<&String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let date = |d: Option<&FuzzyDate>| {
        d.map(FuzzyDate::parts)
            .unwrap_or_default()
            .map(|p| p.map(str::to_string))
    };
    let [start_year, start_month, start_day] = date(a.start_date.as_ref());
    let [end_year, end_month, end_day] = date(a.end_date.as_ref());
    let org = a.organization.as_ref();
    let address = org.and_then(|o| o.address.as_ref());
    let id = org.and_then(|o| o.disambiguated_organization.as_ref());
    let source = a.source.as_ref();
    CachedAffiliation {
        section: section.into(),
        put_code: a.put_code.unwrap_or_default(),
        group_index,
        position,
        org_name: a
            .organization_name()
            .unwrap_or("(unnamed organisation)")
            .to_string(),
        org_city: text(address.and_then(|x| x.city.as_ref())),
        org_region: text(address.and_then(|x| x.region.as_ref())),
        org_country: text(address.and_then(|x| x.country.as_ref())),
        org_id: id
            .map(|i| i.disambiguated_organization_identifier.trim().to_string())
            .filter(|s| !s.is_empty()),
        org_id_source: id.map(|i| i.disambiguation_source.as_str().to_string()),
        department: text(a.department_name.as_ref()),
        role_title: text(a.role_title.as_ref()),
        start_year,
        start_month,
        start_day,
        end_year,
        end_month,
        end_day,
        source_name: source.and_then(|s| s.name()).map(String::from),
        source_client_id: source.and_then(|s| s.client_id()).map(String::from),
        visibility: a.visibility.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CachedSection;

    #[test]
    fn sections_groups_and_fields_come_through() {
        let body = serde_json::json!({
            "employments": {"affiliation-group": [
                {"summaries": [
                    {"employment-summary": {
                        "put-code": 11, "department-name": " Chemistry ", "role-title": "Lecturer",
                        "start-date": {"year": {"value": "2019"}, "month": {"value": "02"}, "day": null},
                        "organization": {"name": "Example University",
                            "address": {"city": "Wellington", "country": "NZ"},
                            "disambiguated-organization": {
                                "disambiguated-organization-identifier": "https://ror.org/0examp183",
                                "disambiguation-source": "ROR"}},
                        "source": {"source-name": {"value": "HR feed"},
                                   "source-client-id": {"path": "APP-HRFEEDEXAMPLE001"}},
                        "visibility": "public"}},
                    {"employment-summary": {"put-code": 12,
                        "organization": {"name": "Example University"}}}
                ]},
                {"summaries": [{"employment-summary": {"put-code": 13,
                    "organization": {"name": "Elsewhere"}}}]}
            ]},
            "services": {"affiliation-group": [{"summaries": [{"service-summary": {
                "put-code": 21, "organization": {"name": "A Society"}}}]}]},
            "educations": {"affiliation-group": []}
        });
        let activities: ActivitiesSummary = serde_json::from_value(body).unwrap();
        let rows = to_cached(&activities);
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.section, r.put_code, r.group_index, r.position))
            .collect();
        assert_eq!(
            keys,
            [
                (CachedSection::Employment, 11, 0, 0),
                (CachedSection::Employment, 12, 0, 1),
                (CachedSection::Employment, 13, 1, 0),
                (CachedSection::Service, 21, 0, 0),
            ]
        );
        let first = &rows[0];
        assert_eq!(first.department.as_deref(), Some("Chemistry"));
        assert_eq!(first.start_year.as_deref(), Some("2019"));
        assert_eq!(first.start_month.as_deref(), Some("02"));
        assert_eq!(first.start_day, None);
        assert_eq!(first.org_id.as_deref(), Some("https://ror.org/0examp183"));
        assert_eq!(first.org_id_source.as_deref(), Some("ROR"));
        assert_eq!(first.source_name.as_deref(), Some("HR feed"));
        assert_eq!(
            first.source_client_id.as_deref(),
            Some("APP-HRFEEDEXAMPLE001")
        );
    }
}
