from django import template

from portal.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """{{ body|markdown }}: Markdown rendered and sanitised."""
    return render_markdown(text)
