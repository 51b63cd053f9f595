#pragma once
// Escaping for every string that comes from a scenario or a trace.
#include <string>
#include <string_view>

namespace reports {

// XML text and attribute values: & < > " ' escaped; characters XML 1.0 cannot hold (controls other
// than tab, newline and carriage return) become U+FFFD.
std::string escape_xml(std::string_view text);

// A Markdown table cell: | and backslash escaped, newlines folded to spaces, HTML's < > & escaped
// (GitHub renders raw HTML in Markdown).
std::string escape_markdown_cell(std::string_view text);

}  // namespace reports
