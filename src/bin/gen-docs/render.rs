//! Registry-style documentation generated from the schemas: `docs/index.md` for the provider
//! and one page per resource, data source, ephemeral resource, list resource and action, with
//! the example and import sections taken from `examples/`. `gen-docs` writes the pages; its tests fail when the
//! committed pages differ from what the schemas produce.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use terraform_provider_vcf::framework::schema::{AttrType, Attribute, Block, NestedBlock, Nesting};
use terraform_provider_vcf::framework::{Provider, Type};

/// Every generated page, keyed by its path relative to the repository root.
pub fn render_all(provider: &dyn Provider, root: &Path) -> BTreeMap<PathBuf, String> {
    let mut pages = BTreeMap::new();
    let name = provider.type_name();
    let example = read(root, "examples/provider/provider.tf");
    let mut index = page(
        &format!("{name} Provider"),
        &format!("# {name} Provider"),
        &provider.schema().block,
        example.as_deref(),
        None,
        "The provider block",
    );
    index.push_str(&guides_section(root));
    pages.insert(PathBuf::from("docs/index.md"), index);
    for r in provider.resources() {
        let t = r.type_name();
        let mut text = page(
            &format!("{t} Resource - terraform-provider-{name}"),
            &format!("# {t} (Resource)"),
            &r.schema().block,
            read(root, &format!("examples/resources/{t}/resource.tf")).as_deref(),
            read(root, &format!("examples/resources/{t}/import.sh")).as_deref(),
            "",
        );
        if let Some(id) = r.identity_schema() {
            text.push_str(&identity_section(t, &id));
        }
        pages.insert(
            PathBuf::from(format!("docs/resources/{}.md", short(t, name))),
            text,
        );
    }
    for l in provider.list_resources() {
        let t = l.type_name();
        pages.insert(
            PathBuf::from(format!("docs/list-resources/{}.md", short(t, name))),
            page(
                &format!("{t} List Resource - terraform-provider-{name}"),
                &format!("# {t} (List Resource)"),
                &l.schema().block,
                read(
                    root,
                    &format!("examples/list-resources/{t}/list.tfquery.hcl"),
                )
                .as_deref(),
                None,
                "The `config` block of a `list` block (Terraform 1.14+, `terraform query`)",
            ),
        );
    }
    for a in provider.actions() {
        let t = a.type_name();
        pages.insert(
            PathBuf::from(format!("docs/actions/{}.md", short(t, name))),
            page(
                &format!("{t} Action - terraform-provider-{name}"),
                &format!("# {t} (Action)"),
                &a.schema().block,
                read(root, &format!("examples/actions/{t}/action.tf")).as_deref(),
                None,
                "The `config` block of an `action` block (Terraform 1.14+)",
            ),
        );
    }
    for d in provider.data_sources() {
        let t = d.type_name();
        pages.insert(
            PathBuf::from(format!("docs/data-sources/{}.md", short(t, name))),
            page(
                &format!("{t} Data Source - terraform-provider-{name}"),
                &format!("# {t} (Data Source)"),
                &d.schema().block,
                read(root, &format!("examples/data-sources/{t}/data-source.tf")).as_deref(),
                None,
                "",
            ),
        );
    }
    for e in provider.ephemeral_resources() {
        let t = e.type_name();
        pages.insert(
            PathBuf::from(format!("docs/ephemeral-resources/{}.md", short(t, name))),
            page(
                &format!("{t} Ephemeral Resource - terraform-provider-{name}"),
                &format!("# {t} (Ephemeral Resource)"),
                &e.schema().block,
                read(
                    root,
                    &format!("examples/ephemeral-resources/{t}/ephemeral-resource.tf"),
                )
                .as_deref(),
                None,
                "",
            ),
        );
    }
    pages
}

/// The example files every page is built from, relative to the repository root: for each
/// resource `resource.tf` and `import.sh` (every resource of this provider can be imported),
/// for each data source `data-source.tf`, for each ephemeral resource `ephemeral-resource.tf`,
/// for each action `action.tf`.
pub fn example_files(provider: &dyn Provider) -> Vec<String> {
    let mut files = Vec::new();
    for r in provider.resources() {
        let t = r.type_name();
        files.push(format!("examples/resources/{t}/resource.tf"));
        files.push(format!("examples/resources/{t}/import.sh"));
    }
    for d in provider.data_sources() {
        files.push(format!(
            "examples/data-sources/{}/data-source.tf",
            d.type_name()
        ));
    }
    for e in provider.ephemeral_resources() {
        files.push(format!(
            "examples/ephemeral-resources/{}/ephemeral-resource.tf",
            e.type_name()
        ));
    }
    for a in provider.actions() {
        files.push(format!("examples/actions/{}/action.tf", a.type_name()));
    }
    files
}

/// Example files (see [`example_files`]) that do not exist or are empty.
pub fn missing_examples(provider: &dyn Provider, root: &Path) -> Vec<String> {
    example_files(provider)
        .into_iter()
        .filter(|f| read(root, f).is_none_or(|s| s.trim().is_empty()))
        .collect()
}

/// The "Guides" section of the index: one link per `docs/guides/*.md`, titled by its
/// `page_title`.
fn guides_section(root: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(root.join("docs/guides")) else {
        return String::new();
    };
    let mut guides: Vec<(String, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let stem = file.strip_suffix(".md")?.to_string();
            let text = std::fs::read_to_string(e.path()).ok()?;
            let title = text
                .lines()
                .find_map(|l| l.strip_prefix("page_title: "))
                .map(|t| t.trim_matches('"').to_string())
                .unwrap_or_else(|| stem.clone());
            Some((file, title))
        })
        .collect();
    guides.sort();
    let mut out = String::from("\n## Guides\n\n");
    for (file, title) in guides {
        let _ = writeln!(out, "- [{title}](guides/{file})");
    }
    out
}

/// Paths (relative to `root`) whose committed content differs from the generated one.
pub fn stale(provider: &dyn Provider, root: &Path) -> Vec<PathBuf> {
    render_all(provider, root)
        .into_iter()
        .filter(|(path, content)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str())
        })
        .map(|(path, _)| path)
        .collect()
}

/// The identity attributes of a resource and an `import` block that uses them.
fn identity_section(
    resource: &str,
    id: &terraform_provider_vcf::framework::IdentitySchema,
) -> String {
    let mut out = String::from(
        "\n\n## Import by identity\n\nWith Terraform 1.12 or later an `import` block can name the object by its identity \
         (`terraform query` prints and generates these):\n\n",
    );
    for a in &id.attributes {
        let _ = writeln!(
            out,
            "- `{}` ({}, {}) {}",
            a.name,
            type_name(&a.ty),
            if a.required_for_import {
                "Required"
            } else {
                "Optional"
            },
            a.description.trim()
        );
    }
    let width = id
        .attributes
        .iter()
        .map(|a| a.name.len())
        .max()
        .unwrap_or(0);
    let _ = write!(
        out,
        "\n```terraform\nimport {{\n  to       = {resource}.example\n  identity = {{\n"
    );
    for a in &id.attributes {
        let _ = writeln!(out, "    {:width$} = \"…\"", a.name);
    }
    out.push_str("  }\n}\n```");
    out
}

fn short<'a>(type_name: &'a str, provider: &str) -> &'a str {
    type_name
        .strip_prefix(provider)
        .and_then(|s| s.strip_prefix('_'))
        .unwrap_or(type_name)
}

fn read(root: &Path, rel: &str) -> Option<String> {
    std::fs::read_to_string(root.join(rel))
        .ok()
        .map(|s| s.trim_end().to_string())
}

fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat,
    }
}

fn page(
    title: &str,
    heading: &str,
    block: &Block,
    example: Option<&str>,
    import: Option<&str>,
    schema_intro: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {}\n---\n",
        first_sentence(&block.description)
    );
    let _ = writeln!(out, "{heading}\n\n{}\n", block.description.trim());
    if let Some(ex) = example {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{ex}\n```\n");
    }
    out.push_str("## Schema\n\n");
    if !schema_intro.is_empty() {
        let _ = writeln!(
            out,
            "{schema_intro} accepts the following arguments and blocks.\n"
        );
    }
    let mut nested = Vec::new();
    schema_section(&mut out, block, "", &mut nested);
    while !nested.is_empty() {
        let (anchor, inner) = nested.remove(0);
        let _ = writeln!(
            out,
            "<a id=\"nestedatt--{}\"></a>\n### Nested Schema for `{anchor}`\n",
            anchor.replace('.', "--")
        );
        let mut more = Vec::new();
        schema_section(&mut out, &inner, &format!("{anchor}."), &mut more);
        nested.extend(more);
    }
    if let Some(imp) = import {
        let _ = writeln!(
            out,
            "## Import\n\nImport is supported using the following syntax:\n\n```shell\n{imp}\n```\n"
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Writes the Required / Optional / Read-Only lists of a block and queues nested schemas.
fn schema_section(
    out: &mut String,
    block: &Block,
    prefix: &str,
    nested: &mut Vec<(String, Block)>,
) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        let blocks: Vec<&NestedBlock> = if title == "Optional" {
            block.blocks.iter().collect()
        } else {
            Vec::new()
        };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for a in attrs {
            let mut flags = vec![type_label(a)];
            if a.sensitive {
                flags.push("Sensitive".into());
            }
            if a.write_only {
                flags.push("Write-only".into());
            }
            if a.deprecation.is_some() {
                flags.push("Deprecated".into());
            }
            let mut line = format!("- `{}` ({})", a.name, flags.join(", "));
            if !a.description.is_empty() {
                let _ = write!(line, " {}", a.description.trim());
            }
            let rules: Vec<String> = a.validators.iter().map(|v| v.description()).collect();
            if !rules.is_empty() {
                let _ = write!(line, " Constraints: {}.", rules.join("; "));
            }
            if let Some(dep) = &a.deprecation {
                let _ = write!(line, " **Deprecated:** {dep}");
            }
            if let AttrType::Nested(_, inner) = &a.ty {
                let anchor = format!("{prefix}{}", a.name);
                let _ = write!(
                    line,
                    " (see [below for nested schema](#nestedatt--{}))",
                    anchor.replace('.', "--")
                );
                nested.push((
                    anchor,
                    Block {
                        attributes: inner.clone(),
                        ..Default::default()
                    },
                ));
            }
            let _ = writeln!(out, "{line}");
        }
        for b in blocks {
            let anchor = format!("{prefix}{}", b.name);
            let kind = match b.nesting {
                Nesting::Single | Nesting::Group => "Block".to_string(),
                Nesting::List => "Block List".to_string(),
                Nesting::Set => "Block Set".to_string(),
                Nesting::Map => "Block Map".to_string(),
            };
            let max = if b.max_items > 0 {
                format!(", Max: {}", b.max_items)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "- `{}` ({kind}{max}) {} (see [below for nested schema](#nestedatt--{}))",
                b.name,
                b.block.description.trim(),
                anchor.replace('.', "--")
            );
            nested.push((anchor, b.block.clone()));
        }
        out.push('\n');
    }
}

fn type_label(a: &Attribute) -> String {
    match &a.ty {
        AttrType::Primitive(t) => type_name(t),
        AttrType::Nested(n, _) => match n {
            Nesting::Single | Nesting::Group => "Attributes".into(),
            Nesting::List => "Attributes List".into(),
            Nesting::Set => "Attributes Set".into(),
            Nesting::Map => "Attributes Map".into(),
        },
    }
}

fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}
