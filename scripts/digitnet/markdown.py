"""A small Markdown-to-HTML converter for the report's own texts (explain.md).

It understands what those texts use, and nothing more: ``#`` headings, paragraphs,
``-`` lists, pipe tables, inline ``code`` and ``**bold**``. Everything is HTML-escaped
first, so text can never inject markup. (A full Markdown library would be one more
dependency for one page of text.)
"""

import html
import re


def inline(text: str) -> str:
    """Escape, then turn `code` and **bold** into tags."""
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def to_html(markdown: str) -> str:
    """Convert the supported Markdown subset to an HTML fragment."""
    out: list[str] = []
    blocks = re.split(r"\n\s*\n", markdown.strip())
    for block in blocks:
        lines = block.splitlines()
        heading = re.match(r"^(#{1,6}) (.*)$", lines[0])
        if heading and len(lines) == 1:
            level = min(len(heading.group(1)) + 1, 6)  # the page's own h1 is the report title
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{inline(line[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif len(lines) >= 2 and all(line.startswith("|") for line in lines) and re.match(r"^\|[-|: ]+\|$", lines[1]):
            rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
            head = "".join(f"<th>{inline(c)}</th>" for c in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows[2:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        else:
            out.append(f"<p>{inline(' '.join(lines))}</p>")
    return "\n".join(out)
