"""Linking two records of one child (a merge that can be undone), keeping two apart, and the review queue.

Every row in every app that names a person follows a merge: the relations are read from the models, so a new
app's rows follow too without a change here. Each moved row is written down (MergeMove) so an unmerge puts
back exactly what the merge moved; what was recorded on the kept record after the merge stays there."""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import ManyToManyRel
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import inserts_run, objects_insert, write_transaction
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.matching.model import COMPARISONS, Score
from openmash.matching.models import MatchKey, MatchProfile
from openmash.merging.models import KeptApart, MatchReview, Merge, MergeMove, ReviewSource, ReviewStatus
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.matching import index_people
from openmash.people.models import Person

# Rows about the records themselves rather than about the child: they stay where they are.
_NOT_MOVED = (MatchProfile, MatchKey, MatchReview, KeptApart, Merge, Person)


def _relations() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, column) that names a person."""
    for relation in Person._meta.related_objects:
        model = cast(ManyToManyRel, relation).through if relation.many_to_many else relation.related_model
        if model is None or model in _NOT_MOVED:
            continue
        fields = (
            [field.name for field in model._meta.fields if field.related_model is Person]
            if relation.many_to_many
            else [relation.field.name]
        )
        for field in fields:
            yield model, field


def _pair(first: uuid.UUID, second: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (first, second) if str(first) < str(second) else (second, first)


def kept_apart(first: uuid.UUID, second: uuid.UUID) -> bool:
    a, b = _pair(first, second)
    return KeptApart.objects.filter(first_id=a, second_id=b).exists()


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [message]})
    return reason


def _may_decide(actor: Actor, *people: uuid.UUID) -> Organisation:
    sees_every_record = all(people_selectors.reason_to_see(actor, person) is not None for person in people)
    if actor.organisation is None or not policy.may_decide_duplicates(
        actor, sees_every_record=sees_every_record
    ):
        raise NotAllowed("Only an agency that may see both records decides whether they are one child")
    return actor.organisation


def merge_records(
    *, actor: Actor, kept_id: uuid.UUID, merged_id: uuid.UUID, reason: str, review: MatchReview | None = None
) -> Merge:
    """Link two records as one child: everything the merged record names moves to the kept one."""
    reason = _reason(reason, "Say why these records are the same child")
    if kept_id == merged_id:
        raise InvalidInput({"merged": ["Choose two different records"]})
    organisation = _may_decide(actor, kept_id, merged_id)
    with write_transaction():
        kept = Person.objects.select_for_update().get(pk=kept_id)
        merged = Person.objects.select_for_update().get(pk=merged_id)
        if kept.merged_into_id or merged.merged_into_id:
            raise NotFound("No such person")
        merge = Merge.objects.create(
            kept=kept,
            merged=merged,
            organisation=organisation,
            merged_by=actor.user,
            reason=reason,
            review=review,
        )
        moves = []
        for model, field in _relations():
            for pk in model._default_manager.filter(**{field: merged}).values_list("pk", flat=True):
                try:
                    with transaction.atomic():  # a savepoint: a row the kept record already has stays put
                        model._default_manager.filter(pk=pk).update(**{field: kept})
                except IntegrityError:
                    continue
                moves.append(MergeMove(merge=merge, model=model._meta.label, row=str(pk), field=field))
        MergeMove.objects.bulk_create(moves)
        Person.objects.filter(pk=merged.pk).update(merged_into=kept)
        a, b = _pair(kept.pk, merged.pk)
        KeptApart.objects.filter(first_id=a, second_id=b).delete()  # a later decision replaces an earlier one
        for person in (kept, merged):
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="merge",
                object_id=merge.pk,
                person_id=person.pk,
                reason=reason,
                detail={"kept": str(kept.pk), "merged": str(merged.pk), "rows_moved": len(moves)},
            )
        index_people([kept.pk, merged.pk])
    return merge


def unmerge(*, actor: Actor, merge_id: uuid.UUID, reason: str) -> Merge:
    """Undo a merge: every row it moved goes back to the record it came from."""
    reason = _reason(reason, "Say why these records are not the same child")
    merge = Merge.objects.filter(pk=merge_id, unmerged_at__isnull=True).first()
    if merge is None:
        raise NotFound("No such merge")
    _may_decide(actor, merge.kept_id)
    with write_transaction():
        by_model: dict[tuple[str, str], list[str]] = {}
        for move in merge.moves.all():
            by_model.setdefault((move.model, move.field), []).append(move.row)
        for (label, field), rows in by_model.items():
            model = apps.get_model(label)
            for start in range(0, len(rows), 500):
                model._default_manager.filter(pk__in=rows[start : start + 500]).update(
                    **{field: merge.merged_id}
                )
        Person.objects.filter(pk=merge.merged_id).update(merged_into=None)
        Merge.objects.filter(pk=merge.pk).update(
            unmerged_at=timezone.now(), unmerged_by=actor.user, unmerge_reason=reason
        )
        for person_id in (merge.kept_id, merge.merged_id):
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="unmerge",
                object_id=merge.pk,
                person_id=person_id,
                reason=reason,
                detail={
                    "kept": str(merge.kept_id),
                    "merged": str(merge.merged_id),
                    "rows_returned": sum(map(len, by_model.values())),
                },
            )
        index_people([merge.kept_id, merge.merged_id])
    merge.refresh_from_db()
    return merge


def review_raise(
    *, organisation: Organisation, arriving_id: uuid.UUID, candidate_id: uuid.UUID, score: Score, source: str
) -> MatchReview | None:
    """Ask a person at ``organisation`` whether two records are one child, unless someone already decided they
    are not, or the question is already waiting. Call inside the transaction that made the arriving record."""
    if arriving_id == candidate_id or kept_apart(arriving_id, candidate_id):
        return None
    review, _ = MatchReview.objects.get_or_create(
        organisation=organisation,
        arriving_id=arriving_id,
        candidate_id=candidate_id,
        status=ReviewStatus.OPEN,
        defaults={
            "probability": score.probability,
            "comparisons": [
                [c.description, level] for c, level in zip(COMPARISONS, score.levels, strict=True)
            ],
            "source": source,
        },
    )
    return review


@dataclass(frozen=True)
class ReviewWanted:
    """A question the batch dedupe would put: these two records, to this organisation, with their score."""

    organisation_id: int
    arriving_id: uuid.UUID
    candidate_id: uuid.UUID
    score: Score


def reviews_raise(*, wanted: Sequence[ReviewWanted], source: str) -> int:
    """Many questions at once (the batch dedupe), by the rules of ``review_raise``: a pair kept apart or a
    question already waiting is left out. One transaction and one insert for the whole chunk; a question
    another run raised meanwhile is skipped by the database (the unique open question). Returns how many were
    put."""
    people = {pk for item in wanted for pk in (item.arriving_id, item.candidate_id)}
    kept = set(
        KeptApart.objects.filter(first_id__in=people, second_id__in=people).values_list(
            "first_id", "second_id"
        )
    )
    waiting = set(
        MatchReview.objects.filter(status=ReviewStatus.OPEN, arriving_id__in=people).values_list(
            "organisation_id", "arriving_id", "candidate_id"
        )
    )
    new = []
    for item in wanted:
        key = (item.organisation_id, item.arriving_id, item.candidate_id)
        if item.arriving_id == item.candidate_id or _pair(item.arriving_id, item.candidate_id) in kept:
            continue
        if key in waiting:
            continue
        waiting.add(key)
        new.append(
            MatchReview(
                organisation_id=item.organisation_id,
                arriving_id=item.arriving_id,
                candidate_id=item.candidate_id,
                status=ReviewStatus.OPEN,
                probability=item.score.probability,
                comparisons=[
                    [c.description, level] for c, level in zip(COMPARISONS, item.score.levels, strict=True)
                ],
                source=source,
            )
        )
    try:
        # The recording path's fast insert (openmash.database): a million people's questions in minutes.
        with write_transaction():
            inserts_run(
                [objects_insert(MatchReview, new[at : at + 1_000]) for at in range(0, len(new), 1_000)]
            )
    except IntegrityError:
        # Another run raised some of these meanwhile: write the rest, leaving those to the database.
        with write_transaction():
            MatchReview.objects.bulk_create(new, batch_size=1_000, ignore_conflicts=True)
    return len(new)


def review_decide(*, actor: Actor, review_id: uuid.UUID, same_child: bool | None, reason: str) -> MatchReview:
    """A person's answer to a review: the same child (the records are merged, the earlier record kept) or not
    (remembered, and never asked again)."""
    review = MatchReview.objects.filter(
        pk=review_id, organisation=actor.organisation, status=ReviewStatus.OPEN
    ).first()
    if review is None:
        raise NotFound("No such question")
    organisation = _may_decide(actor, review.arriving_id, review.candidate_id)
    errors: dict[str, list[str]] = {}
    if same_child is None:
        errors["same_child"] = ["Select whether these records are the same child"]
    if not (reason or "").strip():
        errors["reason"] = ["Say why you decided this"]
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        if same_child:
            merge_records(
                actor=actor,
                kept_id=review.candidate_id,
                merged_id=review.arriving_id,
                reason=reason,
                review=review,
            )
            review.status = ReviewStatus.LINKED
        else:
            a, b = _pair(review.arriving_id, review.candidate_id)
            KeptApart.objects.get_or_create(
                first_id=a,
                second_id=b,
                defaults={
                    "organisation": organisation,
                    "decided_by": actor.user,
                    "reason": reason.strip(),
                },
            )
            review.status = ReviewStatus.KEPT_APART
            for person_id in (review.arriving_id, review.candidate_id):
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    object_type="kept-apart",
                    object_id=review.pk,
                    person_id=person_id,
                    reason=reason.strip(),
                )
        review.decided_at, review.decided_by, review.reason = timezone.now(), actor.user, reason.strip()
        review.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    return review


__all__ = ["ReviewSource", "kept_apart", "merge_records", "review_decide", "review_raise", "unmerge"]
