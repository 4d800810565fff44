"""The post as it was received, for chains that send or store it.

For a PGP list the rest of Mailman sees the decrypted post; whatever goes
back to the sender, to the moderators or into the held-message store must
be the post as received (encrypted), so no plaintext leaves or stays.
"""

import email

from mailman.email.message import Message


def original_message(msg: Message, msgdata: dict) -> Message:
    """The encrypted original of a decrypted PGP post, else ``msg``."""
    original = msgdata.get('pgp_original')
    if original is None:
        return msg
    returned = email.message_from_string(original, Message)
    for name in ('original_sender', 'original_size'):
        if hasattr(msg, name):
            setattr(returned, name, getattr(msg, name))
    return returned
