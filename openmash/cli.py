"""The ``openmash`` command: the Django management commands under names an operator can remember.

openmash migrate | serve | worker | demo | load-reference | createuser | api-client | audit verify | audit checkpoint | ...
"""

import os
import sys

# Hyphenated names people type, and the management command each runs.
ALIASES = {
    "load-reference": "load_reference",
    "api-client": "api_client",
    "create-user": "createuser",
    "subject-access": "subject_access",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "openmash"
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
