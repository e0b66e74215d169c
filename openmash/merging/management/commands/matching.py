from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from openmash.matching import evaluation, synthetic
from openmash.matching.features import match_record
from openmash.matching.training import train
from openmash.people.matching import index_people
from openmash.people.models import Address, Person


class Command(BaseCommand):
    help = (
        "Matching people at intake. `openmash matching train` fits the model on this area's own people (or, with "
        "--generated, on generated people as the shipped model was); `openmash matching index` rebuilds the "
        "match index; `openmash matching evaluate` reports precision, recall and the share sent to review on "
        "generated people with known truth."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Fit the model and write it (Splink, DuckDB)")
        train.add_argument("--generated", type=int, metavar="FAMILIES", help="Train on generated families")
        train.add_argument("--seed", type=int, default=11)
        train.add_argument("--out", type=Path, help="Where to write the model (default: the model in use)")
        sub.add_parser("index", help="Rebuild every person's match features and candidate keys")
        evaluate = sub.add_parser("evaluate", help="Measure the model on generated people")
        evaluate.add_argument("--families", type=int, default=5_000)
        evaluate.add_argument("--seed", type=int, default=5)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _train(self, *, generated, seed, out, **options):
        if generated:
            data = synthetic.intake_set(generated, seed=seed)
            people = data.recorded + data.arriving
            records = [(f"g{i}", evaluation.as_record(person)) for i, person in enumerate(people)]
            trained_on = f"generated people: {generated:,} families, seed {seed} ({len(records):,} records)"
        else:
            postcodes: dict[object, list[str]] = {}
            for person_id, postcode in Address.objects.values_list("person_id", "postcode").iterator():
                postcodes.setdefault(person_id, []).append(postcode)
            records = [
                (str(pk), match_record(given, family, born, sex, postcodes.get(pk, ())))
                for pk, given, family, born, sex in Person.objects.values_list(
                    "pk", "given_name", "family_name", "date_of_birth", "sex"
                ).iterator()
            ]
            trained_on = f"this area's people ({len(records):,} records)"
        if len(records) < 1_000:
            raise CommandError(f"{len(records)} people are too few to train on; use --generated")
        path = out or Path(settings.MATCHING_MODEL)
        train(records, trained_on=trained_on, out=path, seed=seed)
        self.stdout.write(f"Trained on {trained_on}; written to {path}")

    def _index(self, **options):
        ids = list(Person.objects.values_list("pk", flat=True))
        with Progress(disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("Indexing people", total=len(ids))
            for start in range(0, len(ids), 10_000):
                progress.advance(task, index_people(ids[start : start + 10_000]))
        self.stdout.write(f"Indexed {len(ids):,} people")

    def _evaluate(self, *, families, seed, **options):
        data = synthetic.intake_set(families, seed=seed)
        thresholds = evaluation.Thresholds(settings.MATCHING_LINK, settings.MATCHING_REVIEW)
        outcome = evaluation.evaluate(data, thresholds)
        self.stdout.write(
            f"{outcome.arriving:,} records arriving for {len(data.recorded):,} people recorded: "
            f"precision {outcome.precision:.4f}, recall {outcome.recall:.4f}, "
            f"sent to review {outcome.review_share:.1%} (link at {thresholds.link}, review at {thresholds.review})"
        )
