"""Replace a message's headers and body in place (handlers get one object)."""


def replace_message(target, source) -> None:
    for name in list(target.keys()):
        del target[name]
    for name, value in source.items():
        target[name] = value
    target.set_payload(source.get_payload())
    target.preamble = source.preamble
    target.epilogue = source.epilogue
