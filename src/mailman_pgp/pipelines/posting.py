"""The posting pipeline of PGP lists."""

from mailman.core.i18n import _
from mailman.pipelines.builtin import PostingPipeline
from public import public


@public
class PGPPostingPipeline(PostingPipeline):
    name = 'pgp-posting-pipeline'
    description = _('The PGP posting pipeline.')

    _default_handlers = PostingPipeline._default_handlers
