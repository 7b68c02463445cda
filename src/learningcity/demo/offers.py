"""Offers prepared for fast generation: every per-offer choice that does not depend on the draw.

`OfferCatalogue` turns the topic banks into `PreparedOffer`s holding database ids, title variants,
sentence pools, time slots and prices, and groups them by the organisations that may run them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from learningcity.demo import topics_culture, topics_skills
from learningcity.demo.timeslots import DURATIONS, Slot, slots_for
from learningcity.demo.vocabulary import AUDIENCE_SENTENCES, KIND_SENTENCES, Bilingual, OfferSpec, TopicSpec

TOPICS: list[TopicSpec] = topics_culture.ALL + topics_skills.ALL

ONLINE_KINDS = frozenset({"online_course", "self_paced"})
ON_SITE_KINDS = frozenset({"guided_visit", "festival_event", "volunteering", "apprenticeship"})
FREE_KINDS = frozenset({"volunteering", "apprenticeship", "mentoring"})
TECHNOLOGY_BLOCK = "learning-technologies"


@dataclass(frozen=True)
class ReferenceIds:
    """Database ids of the shared reference rows, by code."""

    topics: dict[str, int]
    blocks: dict[str, int]
    audiences: dict[str, int]


@dataclass(frozen=True)
class PreparedOffer:
    """An offer with everything precomputed that the per-opportunity loop needs."""

    spec: OfferSpec
    topic: TopicSpec
    titles: tuple[Bilingual, ...]
    learn: tuple[Bilingual, ...]
    audience_sentences: tuple[Bilingual, ...]
    kind_sentence: Bilingual
    topic_id: int
    block_ids: tuple[int, ...]
    block_ids_online: tuple[int, ...]
    audience_ids: tuple[int, ...]
    languages: tuple[str, ...]
    slots: tuple[Slot, ...]
    durations: tuple[int, ...]
    prices: tuple[tuple[Decimal, Decimal], ...]
    online_only: bool
    on_site_only: bool


@dataclass(frozen=True)
class OfferTable:
    """The offers one organisation type may run, with cumulative weights for drawing."""

    offers: list[PreparedOffer]
    cumulative: list[float]


def all_topics() -> list[TopicSpec]:
    """Every topic of the banks."""
    return TOPICS


class OfferCatalogue:
    """Every prepared offer, and the tables of offers each kind of organisation may run."""

    def __init__(self, ids: ReferenceIds) -> None:
        self.offers = [_prepare(spec, topic, ids) for topic in TOPICS for spec in topic.offers]
        self._tables: dict[tuple[str, tuple[str, ...]], OfferTable] = {}

    def table(self, type_: str, topics: tuple[str, ...] = ()) -> OfferTable:
        """Offers for an organisation of this type; limited to `topics` when the organisation has a speciality."""
        key = (type_, topics)
        if key not in self._tables:
            offers = [offer for offer in self.offers if _runs(type_, topics, offer)]
            if not offers:
                return self.table(type_)
            self._tables[key] = OfferTable(offers, list(accumulate(offer.spec.weight for offer in offers)))
        return self._tables[key]


def _runs(type_: str, topics: tuple[str, ...], offer: PreparedOffer) -> bool:
    """Whether an organisation of this type and speciality would run the offer."""
    if type_ == "online_platform" and offer.on_site_only:
        return False
    if topics:
        return offer.topic.code in topics and (not offer.spec.providers or type_ in offer.spec.providers)
    return type_ in (offer.spec.providers or offer.topic.providers)


def _prepare(spec: OfferSpec, topic: TopicSpec, ids: ReferenceIds) -> PreparedOffer:
    block_ids = tuple(ids.blocks[code] for code in topic.blocks)
    online_blocks = block_ids if TECHNOLOGY_BLOCK in topic.blocks else (*block_ids, ids.blocks[TECHNOLOGY_BLOCK])
    sentences = tuple(sentence for code in spec.audiences for sentence in AUDIENCE_SENTENCES[code])
    return PreparedOffer(
        spec=spec,
        topic=topic,
        titles=_titles(spec, topic),
        learn=topic.learn,
        audience_sentences=sentences,
        kind_sentence=KIND_SENTENCES[spec.kind],
        topic_id=ids.topics[topic.code],
        block_ids=block_ids,
        block_ids_online=online_blocks,
        audience_ids=tuple(ids.audiences[code] for code in spec.audiences),
        languages=spec.languages,
        slots=slots_for(spec.kind, spec.audiences, spec.age_max),
        durations=DURATIONS[spec.kind],
        prices=_prices(spec, topic),
        online_only=spec.kind in ONLINE_KINDS,
        on_site_only=spec.kind in ON_SITE_KINDS or (topic.hands_on and spec.kind != "talk"),
    )


def _titles(spec: OfferSpec, topic: TopicSpec) -> tuple[Bilingual, ...]:
    """The plain title, repeated so it stays the most common, then one variant per theme."""
    plain = (spec.title_fr, spec.title_en)
    themed = tuple((f"{spec.title_fr} : {fr}", f"{spec.title_en}: {en}") for fr, en in topic.themes)
    return (plain,) * max(1, len(themed)) + themed


def _prices(spec: OfferSpec, topic: TopicSpec) -> tuple[tuple[Decimal, Decimal], ...]:
    """(price, reduced price) pairs; empty when the offer is always free."""
    if spec.kind in FREE_KINDS or topic.paid_share <= 0:
        return ()
    return tuple((Decimal(price).quantize(Decimal("0.01")), _half(price)) for price in topic.prices)


def _half(price: int) -> Decimal:
    """Half price, in euros and cents."""
    return (Decimal(price) / 2).quantize(Decimal("0.01"))


def paid_share(offer: PreparedOffer) -> float:
    """Probability that a listing of this offer charges a fee."""
    return offer.topic.paid_share if offer.prices else 0.0
