"""The posting pipeline of PGP lists: Mailman's, after signature stripping."""

from mailman.core.i18n import _
from mailman.pipelines.builtin import PostingPipeline
from public import public


@public
class PGPPostingPipeline(PostingPipeline):
    name = 'pgp-posting-pipeline'
    description = _('The PGP posting pipeline: decrypts approved held '
                    'posts, strips the poster\'s signature if the list says '
                    'so, then the built-in posting pipeline without '
                    'digests.')

    # Digests would keep the posts in clear: never collected.
    _default_handlers = ('pgp-decrypt-approved', 'pgp-signature-strip') + \
        tuple('pgp-no-digest' if name == 'to-digest' else name
              for name in PostingPipeline._default_handlers)
