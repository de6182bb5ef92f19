"""Stage 3, render: DOCX templates compiled once, batches, PDF, combined documents.

See ``pipeline/render/README.md`` for the engine's design and measured figures.
"""

from pipeline.render.batch import RenderedFile, RenderJob, render_batch
from pipeline.render.compile import CompiledTemplate
from pipeline.render.lint import lint_templates
from pipeline.render.merge import merge_docx
from pipeline.render.pdf import PdfConversionError, convert_to_pdf

__all__ = [
    "CompiledTemplate",
    "PdfConversionError",
    "RenderJob",
    "RenderedFile",
    "convert_to_pdf",
    "lint_templates",
    "merge_docx",
    "render_batch",
]
