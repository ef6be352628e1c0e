"""Errors a user can cause: the CLI turns each into one line and exit code 2."""


class InputError(ValueError):
    """Bad input (classes, index, labels, loss, target): the message names the problem."""
