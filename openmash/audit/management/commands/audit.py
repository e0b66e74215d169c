from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openmash.audit.checkpoints import CheckpointProblem, checkpoints_read
from openmash.audit.services import audit_checkpoint, audit_verify


class Command(BaseCommand):
    help = (
        "Work with the audit trail. 'audit verify' checks every keyed hash, every link and every signed "
        "checkpoint, and reports the first that does not hold; 'audit checkpoint' signs the chain's head and "
        "appends it to the checkpoint file; 'audit checkpoints' copies the checkpoints out."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Check the whole chain against the audit key and the checkpoints; exit 1 at the first break.",
        )
        verify.add_argument(
            "--checkpoints",
            type=Path,
            help="A checkpoint file to check against (default: OPENMASH_AUDIT_CHECKPOINTS), e.g. a copy kept "
            "on another host.",
        )
        sub.add_parser(
            "checkpoint",
            help="Sign the chain head's entry number and hash and append them to the checkpoint file, unless "
            "the last checkpoint already names them. Safe to run from several hosts at once.",
        )
        export = sub.add_parser(
            "checkpoints", help="Copy the checkpoints out, after checking their signatures."
        )
        export.add_argument("--out", default="-", help="File to write (default: standard output)")

    def handle(self, *args, action, **options):
        if action == "checkpoint":
            self._checkpoint()
        elif action == "checkpoints":
            self._export(options["out"])
        else:
            self._verify(options["checkpoints"])

    def _verify(self, checkpoints: Path | None) -> None:
        result = audit_verify(checkpoints=checkpoints)
        if not result.ok and result.first_broken_sequence is None:
            raise CommandError(f"Audit trail cannot be vouched for: {result.problem}.")
        if not result.ok:
            raise CommandError(
                f"Audit trail broken at entry #{result.first_broken_sequence}: {result.problem} "
                f"({result.checked} entries before it are intact)."
            )
        if result.newest_checkpoint is None:
            vouched = "no checkpoints yet"
        else:
            vouched = (
                f"{result.checkpoints} checkpoints agree, the newest at entry #{result.newest_checkpoint.sequence} "
                f"({result.newest_checkpoint.at})"
            )
        self.stdout.write(f"Audit trail intact: {result.checked} entries checked, {vouched}.")

    def _checkpoint(self) -> None:
        checkpoint, written = audit_checkpoint()
        if checkpoint is None:
            self.stdout.write("The audit trail is empty: no checkpoint to write.")
        elif written:
            self.stdout.write(
                f"Checkpoint written to {settings.AUDIT_CHECKPOINTS}: entry #{checkpoint.sequence} "
                f"at {checkpoint.at}."
            )
        else:
            self.stdout.write(
                f"The chain has not moved since the last checkpoint (entry #{checkpoint.sequence}): "
                "nothing written."
            )

    def _export(self, out: str) -> None:
        try:
            found = checkpoints_read(settings.AUDIT_CHECKPOINTS, key=settings.AUDIT_KEY)
        except CheckpointProblem as problem:
            raise CommandError(f"Checkpoints not copied: {problem}.") from problem
        text = "".join(checkpoint.text() for checkpoint in found)
        if out == "-":
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text)
        self.stdout.write(f"{len(found)} checkpoints written to {out}.")
