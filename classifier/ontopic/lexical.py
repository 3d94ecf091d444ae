"""Is a comment about *its* article? Features that work for articles never seen in training.

A comment is compared with its article (title and body) and, when it replies to another comment,
with that parent. The model never learns per-article words; it learns how on-topic comments
*relate* to their article: how many content words they share (lemmatised, so "Ladesäulen" meets
"Ladesäule"), how similar they are by IDF-weighted cosine, whether the comment is closer to some
other reference article than to its own (a comment meant for another article), whether it is a
short reply to an on-topic parent, and which spam signals it shows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np
import simplemma
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from classifier.caching import PerArticleCache, word_cache
from classifier.text.links import GENERIC_ADDRESS_WORDS, link_spans
from classifier.text.spam_signals import SIGNAL_NAMES, spam_signals
from classifier.types import ArticleText, CommentInput, Evidence

_TOKEN = re.compile(r"\w{3,}")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

# Function words of German and English: they say nothing about a topic, but which of the two
# a text uses tells its language.
_GERMAN_WORDS = """aber alle allem allen aller alles als also am an ander andere
    anderen anders auch auf aus bei beim bin bis bist da damit dann das dass dem den denen denn der
    des dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
    einer eines einfach er es etwas euch euer eure für gar gegen gibt hab habe haben hat hatte
    hätte hier hin ich ihr ihre ihrem ihren ihrer im immer ins ist ja jede jedem jeden jeder jetzt
    kann kein keine keinem keinen keiner können könnte machen macht man mal mehr mein meine mich
    mir mit muss müssen nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine sich sie
    sind so soll sollte sonst über um und uns unser unsere unter viel vom von vor war waren warum
    was weil weiter welche wenn wer werden wie wieder will wir wird wo wohl würde zu zum zur zwar
    zwischen genau halt eben wirklich natürlich eigentlich gerade artikel"""
_ENGLISH_WORDS = """the and for are but not you your with this that have from they
    will would there their what about which when make like just than then them been has had was
    were its also only into over such more most some can could should our out very who why how all
    any each other article"""
_GERMAN_STOPWORDS = frozenset(_GERMAN_WORDS.split())
_ENGLISH_STOPWORDS = frozenset(_ENGLISH_WORDS.split())
STOPWORDS = _GERMAN_STOPWORDS | _ENGLISH_STOPWORDS | {"in"}


@word_cache(maxsize=200_000)
def _token_facts(token: str) -> tuple[str | None, bool, bool]:
    """A token's lemma (German first, then English; umlauts folded; None for a stop word or a
    number), and whether it is a German and an English function word."""
    token = token.lower()
    german, english = token in _GERMAN_STOPWORDS, token in _ENGLISH_STOPWORDS
    if token in STOPWORDS or token.isdigit():
        return None, german, english
    lemma = simplemma.lemmatize(token, lang=("de", "en")).lower().translate(_FOLD)
    return (None if lemma in STOPWORDS else lemma), german, english


class ContentWord(NamedTuple):
    """A content word of a text: its lemma and where it stands in the text."""

    lemma: str
    start: int
    end: int


_PIECE = 5  # German compounds share pieces: "Fusionskraft" and "Kernfusion" share "usion"


@word_cache(maxsize=200_000)
def word_units(lemma: str) -> tuple[str, ...]:
    """What a word contributes to a profile: its lemma and, for long words, its 5-letter pieces."""
    pieces = ("~" + lemma[i : i + _PIECE] for i in range(len(lemma) - _PIECE + 1))
    return (lemma, *pieces) if len(lemma) > _PIECE else (lemma,)


def content_words(text: str) -> list[ContentWord]:
    """Lemmatised content words of ``text`` with their spans (stop words left out)."""
    return read_words(text)[0]


def read_words(text: str) -> tuple[list[ContentWord], str | None]:
    """:func:`content_words` of ``text`` and its language in one pass over its tokens: "de", "en"
    or None (too few function words to tell), from the function words used.

    A link's host and path words are content words ("bundesnetzagentur"); the generic parts of
    its address ("https", "www", "html") are not.
    """
    words = []
    german = english = 0
    links = link_spans(text)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if links and token.lower() in GENERIC_ADDRESS_WORDS and any(
                start <= match.start() < end for start, end in links):
            continue
        lemma, is_german, is_english = _token_facts(token)
        german += is_german
        english += is_english
        if lemma is not None:
            words.append(ContentWord(lemma, match.start(), match.end()))
    language = None if german + english < 2 or german == english else ("de" if german > english else "en")
    return words, language


FEATURE_NAMES: tuple[str, ...] = (
    "log_content_words",
    "article_overlap",
    "log_shared_article_words",
    "article_cosine",
    "title_overlap",
    "other_article_margin",
    "is_reply",
    "parent_cosine",
    "parent_article_cosine",
    "reply_to_on_topic_parent",
    "short_reply",
    "parent_cosine_x_parent_article",
    "short_reply_to_on_topic_parent",
    "other_language",
    *(f"spam_{name}" for name in SIGNAL_NAMES),
)
TEXT_LOGIT_FEATURE = "text_off_topic_logit"


@dataclass(frozen=True)
class TopicMatch:
    """What a comment has of its article's words, for the moderator.

    ``shared`` are the comment's words whose lemma occurs in the article. ``pieces`` are words
    that only share 5-letter pieces with article words (compounds: "Fusionskraft" and
    "Kernfusion"), each with the pieces: shown as such, never as shared words.
    """

    shared: tuple[Evidence, ...]
    pieces: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Profile:
    """A text's IDF-weighted, l2-normalised bag of lemmas."""

    weights: dict[str, float]

    def cosine(self, other: _Profile) -> float:
        small, large = sorted((self.weights, other.weights), key=len)
        return sum(value * large.get(lemma, 0.0) for lemma, value in small.items())


@dataclass(frozen=True)
class _ArticleContext:
    language: str | None
    lemmas: frozenset[str]
    pieces: frozenset[str]
    title_lemmas: frozenset[str]
    profile: _Profile
    others: tuple[int, ...]  # reference articles other than this one


class TopicFeatures(PerArticleCache, TransformerMixin, BaseEstimator):
    """Turn :class:`CommentInput` objects into the features named in :data:`FEATURE_NAMES`.

    Parameters
    ----------
    short_reply_words : int, default=8
        A reply with at most this many content words counts as a short reply.
    text_head : fitted classifier pipeline or None, default=None
        A model of off-topic *style* from the comment text alone (chatter, ads). When given, its
        decision value is one more feature. It must already be fitted; this transformer never
        fits it, and in ``fit_transform`` uses the out-of-fold values passed as ``text_logits``
        so the stacked model does not learn from the head's in-sample overconfidence.

    Attributes
    ----------
    idf_ : dict of str to float
        Inverse document frequency of each unit (lemma or word piece) seen in ``fit``.
    default_idf_ : float
        IDF for lemmas never seen (as rare as the rarest).
    reference_profiles_ : list
        Profiles of the reference articles a comment is also compared with.
    reference_index_ : dict of str to list of (int, float)
        The same as an inverted index (unit -> reference articles and weights), for speed.
    """

    def __init__(self, *, short_reply_words: int = 8, text_head=None) -> None:
        self.short_reply_words = short_reply_words
        self.text_head = text_head

    def fit_transform(self, X: Sequence[CommentInput], y=None, text_logits=None,
                      **fit_params) -> np.ndarray:
        """Fit, then transform ``X`` using ``text_logits`` (out-of-fold) for the text head."""
        self.fit(X, y, **fit_params)
        return self._rows(X, text_logits)

    def fit(self, X: Sequence[CommentInput], y=None, reference_articles: Iterable[str] = (),
            background: Iterable[str] = ()) -> TopicFeatures:
        """Learn lemma IDF from the comments, their articles and ``background`` texts.

        :param reference_articles: article texts every comment is also compared with, to tell a
            generic comment from one that fits *another* article better.
        """
        self._forget_articles()
        documents = [comment.text for comment in X]
        documents += list({_article_text(c) for c in X if c.article is not None})
        documents += list(background)
        references = list(reference_articles)
        documents += references
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update({unit for word in content_words(document) for unit in word_units(word.lemma)})
        total = len(documents) + 1
        self.idf_ = {lemma: math.log(total / (count + 1)) + 1.0 for lemma, count in frequency.items()}
        self.default_idf_ = math.log(total) + 1.0
        self.reference_profiles_ = [self._profile(content_words(text)) for text in references]
        self.reference_index_: dict[str, list[tuple[int, float]]] = {}
        for index, reference in enumerate(self.reference_profiles_):
            for unit, weight in reference.weights.items():
                self.reference_index_.setdefault(unit, []).append((index, weight))
        return self

    def _profile(self, words: list[ContentWord]) -> _Profile:
        counts = Counter(chain.from_iterable(word_units(word.lemma) for word in words))
        idf, default = self.idf_.get, self.default_idf_
        weights = {
            unit: idf(unit, default) if count == 1 else (1.0 + math.log(count)) * idf(unit, default)
            for unit, count in counts.items()
        }
        norm = math.sqrt(sum(value * value for value in weights.values())) or 1.0
        return _Profile({lemma: value / norm for lemma, value in weights.items()})

    def text_profile(self, text: str) -> dict[str, float]:
        """``text``'s IDF-weighted, unit-length bag of lemmas and word pieces."""
        check_is_fitted(self)
        return self._profile(content_words(text)).weights

    def transform(self, X: Sequence[CommentInput]) -> np.ndarray:
        """One feature row per comment."""
        check_is_fitted(self)
        return self._rows(X, None)

    def _rows(self, X: Sequence[CommentInput], text_logits) -> np.ndarray:
        rows = np.vstack([self._features(comment)[0] for comment in X])
        if self.text_head is None:
            return rows
        if text_logits is None:
            text_logits = self.text_head.decision_function([comment.text for comment in X])
        return np.column_stack([rows, np.asarray(text_logits, dtype=np.float64)])

    def describe_one(self, comment: CommentInput, text_logit: float | None = None,
                     signals: dict[str, int] | None = None) -> tuple[np.ndarray, TopicMatch]:
        """One comment's feature row and what it has of its article's words (the service's path).

        :param text_logit: the text head's decision value, if the caller already has it.
        :param signals: ``spam_signals(comment.text)``, if the caller already has them.
        """
        row, match = self._features(comment, signals)
        if self.text_head is None:
            return row, match
        if text_logit is None:
            text_logit = float(self.text_head.decision_function([comment.text])[0])
        return np.append(row, text_logit), match

    def prepare_article(self, article: ArticleText) -> None:
        """Compute and keep the article's lemmas and profile before its first comment arrives."""
        self._article(CommentInput("", article))

    def _article(self, comment: CommentInput) -> _ArticleContext:
        """The article's lemmas and profile, cached: many comments share one article."""
        article = comment.article or ArticleText("")
        return self._for_article(article, lambda: self._article_context(comment, article.title))

    def _article_context(self, comment: CommentInput, title: str) -> _ArticleContext:
        words, language = read_words(_article_text(comment))
        profile = self._profile(words)
        return _ArticleContext(
            language=language,
            lemmas=frozenset(word.lemma for word in words),
            pieces=frozenset(u for word in words for u in word_units(word.lemma)[1:]),
            title_lemmas=frozenset(word.lemma for word in content_words(title)),
            profile=profile,
            # the article itself may be a reference article: leave it out of the comparison
            others=tuple(i for i, ref in enumerate(self.reference_profiles_)
                         if ref.cosine(profile) < 0.9),
        )

    def _reference_cosines(self, profile: _Profile) -> list[float]:
        """Cosine of ``profile`` with every reference article, through an inverted index."""
        scores = [0.0] * len(self.reference_profiles_)
        for unit, weight in profile.weights.items():
            for index, reference_weight in self.reference_index_.get(unit, ()):
                scores[index] += weight * reference_weight
        return scores

    def _features(self, comment: CommentInput,
                  signals: dict[str, int] | None = None) -> tuple[np.ndarray, TopicMatch]:
        words, language = read_words(comment.text)
        profile = self._profile(words)
        lemmas = {word.lemma for word in words}
        article = self._article(comment)
        article_profile = article.profile
        title_lemmas = article.title_lemmas
        shared = lemmas & article.lemmas
        # German compounds meet in pieces ("Kernfusion", "Fusionskraft"): a feature, but no shared word
        pieces: dict[str, list[str]] = {}
        for word in words:
            if word.lemma not in shared:
                found = [unit[1:] for unit in word_units(word.lemma)[1:] if unit in article.pieces]
                if found:
                    pieces[word.lemma] = found
        article_cosine = profile.cosine(article_profile)
        cosines = self._reference_cosines(profile)
        best_other = max((cosines[i] for i in article.others), default=0.0)
        is_reply = comment.parent_text is not None
        if is_reply:
            parent_profile = self._profile(content_words(comment.parent_text or ""))
            parent_cosine = profile.cosine(parent_profile)
            parent_article = parent_profile.cosine(article_profile)
        else:
            parent_cosine = parent_article = 0.0
        short = len(words) <= self.short_reply_words
        if signals is None:
            signals = spam_signals(comment.text)
        row = np.array(
            [
                math.log1p(len(lemmas)),
                (len(shared) + len(pieces)) / max(1, len(lemmas)),
                math.log1p(len(shared)),
                article_cosine,
                len(lemmas & title_lemmas) / max(1, len(title_lemmas)),
                best_other - article_cosine,
                float(is_reply),
                parent_cosine,
                parent_article,
                float(is_reply) * parent_article,
                float(is_reply and short),
                # a thread stays on topic through its replies: "Genau, und im IC2 noch schlimmer"
                parent_cosine * parent_article,
                float(is_reply and short) * parent_article,
                # an English comment under a German article shares no words with it, on topic or not
                float(article.language is not None and language not in (None, article.language)),
                *(math.log1p(signals.get(name, 0)) for name in SIGNAL_NAMES),
            ],
            dtype=np.float64,
        )
        evidence = tuple(
            Evidence(comment.text[w.start : w.end], w.start, w.end,
                     round(self.idf_.get(w.lemma, self.default_idf_), 4))
            for w in words if w.lemma in shared
        )
        piece_words = tuple(sorted({comment.text[w.start : w.end].lower(): tuple(pieces[w.lemma])
                                    for w in words if w.lemma in pieces}.items()))
        return row, TopicMatch(evidence, piece_words)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # a sequence of CommentInput objects
        return tags

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The names of the feature columns."""
        names = FEATURE_NAMES if self.text_head is None else (*FEATURE_NAMES, TEXT_LOGIT_FEATURE)
        return np.array(names, dtype=object)


def _article_text(comment: CommentInput) -> str:
    article = comment.article
    if article is None:
        return ""
    # The title says what the article is about more densely than the body: count it twice.
    return f"{article.title}\n{article.title}\n{article.body}"
