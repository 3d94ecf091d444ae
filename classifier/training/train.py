"""Train the moderation model from the team's data and whatever public corpora are present.

:func:`train_models` is what ``moderation train`` runs. It reports progress through a callback
(the CLI prints it to stderr), never trains on a test split, and drops any training text that also
occurs, after normalisation, in a test split of any corpus or in our own held-out split.

Besides the team's data and the public corpora, it can learn from the moderators' own decisions
(``classifier.data.moderator_decisions``): comments of our site, weighted like the team's, each
teaching only the rules its decision speaks to.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifier.data.corpora import (
    CORPUS_NAMES,
    CorpusError,
    LabelledText,
    available_corpora,
    corpus_files,
    load_corpus,
)
from classifier.data.moderator_decisions import (
    MODERATOR_SOURCE,
    ModeratorDecision,
    ModeratorDecisions,
    load_decisions,
)
from classifier.data.overlap import normalised_key
from classifier.data.teamdata import TeamComment, TeamData, load_team_data, team_files
from classifier.estimators.domain import DomainAdaptedClassifier
from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.approved import ApprovedComments
from classifier.ontopic.lexical import TopicFeatures
from classifier.ontopic.semantic import SemanticTopicFeatures
from classifier.scores import ON_TOPIC, RESPECTFUL, SPAM
from classifier.serving.bundle import save_model
from classifier.serving.model import (
    NEWS_DOMAIN,
    SITE_DOMAIN,
    TWEET_DOMAIN,
    ModerationModel,
    respect_cascade,
    topic_cascade,
    unsure,
)
from classifier.text.ngrams import NgramAnalyzer
from classifier.training.metrics import evaluate_predictions
from classifier.types import ArticleText, CommentInput
from common.digest import sha256_of

Progress = Callable[[str], None]

TEAM_SOURCE = "training_data"
# Which head a corpus trains and is evaluated with: tweets, comments under news articles
# elsewhere, and our own site's comments (whose head the service uses).
CORPUS_DOMAINS = {
    "germeval2018": TWEET_DOMAIN,
    "germeval2019": TWEET_DOMAIN,
    "hasoc-de": TWEET_DOMAIN,
    "germeval2021": NEWS_DOMAIN,
    "one-million-posts": NEWS_DOMAIN,
    TEAM_SOURCE: SITE_DOMAIN,
    MODERATOR_SOURCE: SITE_DOMAIN,
}
# Our own site's comments, labelled by us: weighted by TrainingOptions.team_weight.
SITE_SOURCES = (TEAM_SOURCE, MODERATOR_SOURCE)
SPAM_CATEGORIES = frozenset({"spam", "ad"})
# The on-topic model's pairs of a comment and an article it was not written under.
OTHER_ARTICLE_DOMAIN = "other_article"


@dataclass(frozen=True)
class TrainingOptions:
    """Knobs of a training run; the defaults were chosen by cross-validation (docs/ablation.md)."""

    C: float = 1.0
    cv: int = 5
    min_df: int = 2
    nb_scaling: bool = True  # respect model: NB-LR (log-count ratio scaled TF-IDF)
    team_weight: float = 3.0
    encoder: bool = True
    cascade_band: tuple[float, float] = (0.25, 0.75)
    topic_cascade_band: tuple[float, float] = (0.2, 1.0)
    corpora: Sequence[str] | None = None  # None: every corpus found in the data directory
    random_state: int = 0


@dataclass
class _Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, text: str, label: int, source: str) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.sources.append(source)


def train_models(
    team_dir: Path,
    model_dir: Path,
    data_dir: Path | None = None,
    *,
    decisions: Path | None = None,
    options: TrainingOptions = TrainingOptions(),
    progress: Progress = lambda message: None,
) -> Path:
    """Train the respect, spam and on-topic models, save them as the current bundle.

    :param team_dir: the ``training_data/`` folder.
    :param data_dir: folder holding public corpora (one sub-folder each), or None for none.
    :param decisions: a file of moderators' decisions (``moderation decisions export``), or None.
    :return: the new bundle's directory.
    """
    started = time.monotonic()

    def say(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    team = load_team_data(Path(team_dir))
    moderated = load_decisions(Path(decisions)) if decisions is not None else None
    team_train = team.split("train")
    say(f"{TEAM_SOURCE}: {len(team.comments)} comments under {len(team.articles)} articles "
        f"({len(team_train)} for training, {len(team.comments) - len(team_train)} held out)")
    if moderated is not None:
        counts = moderated.counts
        say(f"{MODERATOR_SOURCE}: {moderated.total} decisions ({counts['approve']} approve, "
            f"{counts['reject']} reject; {counts['unusable']} unusable)")
    names = _corpora_to_use(data_dir, options)
    public = {name: load_corpus(name, Path(data_dir), "train") for name in names} if names else {}
    for name, rows in public.items():
        say(f"{name}: {len(rows)} training examples ({sum(r.label for r in rows)} positive)")
    forbidden = evaluation_keys(team, data_dir, names)
    usable = moderated.usable if moderated is not None else []
    decided, in_evaluation, repeated = _distinct_decisions(usable, forbidden, team_train)
    if moderated is not None:
        say(f"{MODERATOR_SOURCE}: {len(decided)} distinct texts kept ({repeated} repeated or "
            "already in our data, left out)")
    examples, dropped = _respect_examples(team_train, public, forbidden, decided)
    dropped += in_evaluation
    say(f"dropped {dropped} training texts that also occur in a test or held-out split")

    respect, cv_metrics = _train_respect(examples, options, say)
    spam = _train_spam(respect.named_steps["tfidf"], team_train, decided, options, say)
    off_topic_rows = (load_corpus("one-million-posts", Path(data_dir), "train", task="on_topic")
                      if "one-million-posts" in names else [])
    off_topic_rows = [r for r in off_topic_rows if normalised_key(r.text) not in forbidden]
    text_head, text_logits = _train_text_head(respect.named_steps["tfidf"], team_train, decided,
                                              off_topic_rows, options, say)
    topic, topic_pairs = _train_topic(team, team_train, decided, public_background(public),
                                                     text_head, text_logits, options, say)
    encoder = topic_encoder = None
    if options.encoder:
        encoder, encoder_metrics = _train_encoder(examples, respect, options, say)
        cv_metrics["with_encoder"] = encoder_metrics
        topic_encoder, cv_metrics["on_topic"] = _train_topic_encoder(topic, topic_pairs,
                                                                     _reference_articles(team),
                                                                     options, say)

    evaluated = cv_metrics["with_encoder"] if encoder is not None else cv_metrics
    approved = _approved_comments(topic, decided, say)
    model = ModerationModel(respect, spam, topic, encoder, options.cascade_band,
                            topic_encoder=topic_encoder, topic_cascade_band=options.topic_cascade_band,
                            approved=approved)
    metadata = {
        "sources": _sources_metadata(team_dir, data_dir, Counter(examples.sources), names,
                                     moderated, len(decided)),
        "dropped_overlapping_texts": dropped,
        "options": {"C": options.C, "cv": options.cv, "min_df": options.min_df,
                    "nb_scaling": options.nb_scaling,
                    "team_weight": options.team_weight, "encoder": options.encoder,
                    "cascade_band": list(options.cascade_band),
                    "topic_cascade_band": list(options.topic_cascade_band)},
        # Chosen on the out-of-fold scores of the path `evaluate` runs: with the encoder, the cascade.
        "respect_thresholds": evaluated["thresholds"],
        "respect_corpus_thresholds": evaluated["corpus_thresholds"],
        "cv_metrics": cv_metrics,
        "training_seconds": round(time.monotonic() - started, 1),
    }
    path = save_model(model, Path(model_dir), metadata)
    say(f"saved model {model.version} to {path}")
    return path


def _corpora_to_use(data_dir: Path | None, options: TrainingOptions) -> list[str]:
    """The public corpora to train on; a requested one that is unknown or absent is an error."""
    found = available_corpora(Path(data_dir)) if data_dir is not None else []
    if options.corpora is None:
        return found
    missing = [name for name in options.corpora if name not in found]
    if missing:
        where = f"in {data_dir}" if data_dir is not None else "(no --data-dir given)"
        raise CorpusError(
            f"Corpus {', '.join(repr(m) for m in missing)} not found {where}. Known corpora: "
            f"{', '.join(CORPUS_NAMES)}; present: {', '.join(found) or 'none'}."
        )
    return list(options.corpora)


def evaluation_keys(team: TeamData, data_dir: Path | None, names: Sequence[str]) -> set[str]:
    """Normalised texts of every evaluation split: none of them may be trained on."""
    keys = {normalised_key(c.text) for c in team.split("heldout")}
    for name in names:
        keys.update(normalised_key(r.text) for r in load_corpus(name, Path(data_dir), "test"))
    return keys


def _distinct_decisions(usable: Sequence[ModeratorDecision], forbidden: set[str],
                        team_train: Sequence[TeamComment]) -> tuple[list[ModeratorDecision], int, int]:
    """The decisions to learn from: one per text (the latest), none on an evaluation text or on a
    text our own data already has.

    Copy-pasted spam rejected under many ids would otherwise sit in several CV folds at once,
    and its out-of-fold scores (and the calibration fitted on them) would be in-sample.

    :return: the decisions kept, how many were on evaluation texts, how many repeated a text.
    """
    seen = {normalised_key(c.text) for c in team_train}
    latest: dict[str, ModeratorDecision] = {}
    in_evaluation = 0
    for decision in usable:  # oldest first: a later decision on the same text replaces it
        key = normalised_key(decision.text)
        if key in forbidden:
            in_evaluation += 1
        elif key not in seen:
            latest.pop(key, None)
            latest[key] = decision
    return list(latest.values()), in_evaluation, len(usable) - in_evaluation - len(latest)


def _respect_examples(team_train: list[TeamComment], public: dict[str, list[LabelledText]],
                      forbidden: set[str], decided: Sequence[ModeratorDecision] = ()) -> tuple[_Examples, int]:
    """The respect model's examples, team rows first; ``decided`` is already checked."""
    examples = _Examples()
    dropped = 0
    for comment in team_train:
        if normalised_key(comment.text) in forbidden:
            dropped += 1
            continue
        examples.add(comment.text, int(not comment.respectful), TEAM_SOURCE)
    for decision in _telling(decided, RESPECTFUL.name):
        examples.add(decision.text, int(decision.labels[RESPECTFUL.name]), MODERATOR_SOURCE)
    for name, rows in public.items():
        for row in rows:
            if normalised_key(row.text) in forbidden:
                dropped += 1
                continue
            examples.add(row.text, row.label, name)
    return examples, dropped


def _telling(decisions: Sequence[ModeratorDecision], score: str) -> list[ModeratorDecision]:
    """The decisions that say whether a comment breaks the rule of ``score``."""
    return [d for d in decisions if score in d.labels]


def _site_classifier(options: TrainingOptions) -> DomainAdaptedClassifier:
    """The logistic regression of our own site's models. Its ``site`` head is the one the service
    uses; fitted with ``sample_domains``, that head is calibrated on the ``site`` rows only."""
    return DomainAdaptedClassifier(domain=SITE_DOMAIN, C=options.C, cv=options.cv,
                                   random_state=options.random_state)


def _weights(sources: np.ndarray, options: TrainingOptions) -> np.ndarray:
    """Per-example weights: our own site's comments count ``team_weight`` times."""
    return np.where(np.isin(sources, SITE_SOURCES), options.team_weight, 1.0)


def _train_respect(examples: _Examples, options: TrainingOptions,
                   say: Progress) -> tuple[Pipeline, dict]:
    labels = np.array(examples.labels)
    sources = np.array(examples.sources)
    domains = np.array([CORPUS_DOMAINS[s] for s in sources], dtype=object)
    weights = _weights(sources, options)
    say(f"respect model: {len(labels)} examples ({labels.sum()} not respectful), "
        f"domains {dict(Counter(domains.tolist()))}; "
        f"fitting word+char TF-IDF and a {options.cv}-fold cross-validated logistic regression"
        f"{' (NB-scaled features)' if options.nb_scaling else ''}")
    respect = Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=NgramAnalyzer(), sublinear_tf=True, lowercase=False,
                                  min_df=options.min_df, dtype=np.float64)),
        ("clf", DomainAdaptedClassifier(domain=SITE_DOMAIN, C=options.C, cv=options.cv,
                                        nb_scaling=options.nb_scaling, random_state=options.random_state)),
    ])
    respect.fit(examples.texts, labels, clf__sample_domains=domains, clf__sample_weight=weights)
    vectorizer = respect.named_steps["tfidf"]
    vectorizer.stop_words_ = None  # the pruned n-grams: only needed for introspection, and huge
    say(f"respect model: {len(vectorizer.vocabulary_)} n-gram features")
    metrics = cv_report(respect.named_steps["clf"].oof_proba_, labels, sources, domains)
    for source, row in metrics["per_source"].items():
        say(f"respect model CV {source}: official F1 {row['official_f1']:.4f} "
            f"(threshold {metrics['corpus_thresholds'][source]:.2f})")
    return respect, metrics


def cv_report(probabilities: np.ndarray, labels: np.ndarray, sources: np.ndarray,
              domains: np.ndarray) -> dict:
    """CV metrics per source, each at the threshold chosen on that source's own out-of-fold rows.

    Corpora label differently (GermEval 2021's "toxic" is not One Million Posts' "inappropriate"),
    so each gets its own threshold, as in the ablation protocol (docs/ablation.md). The
    per-domain thresholds, over the pooled rows of a domain, are kept as the fallback for a
    corpus a bundle has no threshold of its own for.
    """
    thresholds = {}
    for domain in np.unique(domains):
        mask = domains == domain
        thresholds[str(domain)] = best_threshold(labels[mask], probabilities[mask])
    corpus_thresholds = {}
    per_source = {}
    for source in np.unique(sources):
        mask = sources == source
        threshold = corpus_thresholds[str(source)] = best_threshold(labels[mask], probabilities[mask])
        row = evaluate_predictions(labels[mask], (probabilities[mask] >= threshold).astype(int))
        per_source[str(source)] = {k: row[k] for k in ("n", "official_f1", "macro_f1", "accuracy")}
    return {"thresholds": thresholds, "corpus_thresholds": corpus_thresholds, "per_source": per_source}


def official_f1_at_best_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Official F1 at the threshold chosen on these same out-of-fold predictions (CV protocol)."""
    threshold = best_threshold(labels, probabilities)
    return evaluate_predictions(labels, (probabilities >= threshold).astype(int))["official_f1"]


def best_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The decision threshold with the best official F1 on these (out-of-fold) predictions."""
    candidates = np.round(np.arange(0.20, 0.801, 0.01), 2)
    scores = [evaluate_predictions(labels, (probabilities >= t).astype(int))["official_f1"]
              for t in candidates]
    return float(candidates[int(np.argmax(scores))])


def _train_spam(vectorizer: TfidfVectorizer, team_train: list[TeamComment],
                decided: Sequence[ModeratorDecision], options: TrainingOptions, say: Progress) -> Pipeline:
    moderated = _telling(decided, SPAM.name)
    texts = [c.text for c in team_train] + [d.text for d in moderated]
    labels = np.array([int(c.category in SPAM_CATEGORIES) for c in team_train]
                      + [int(d.labels[SPAM.name]) for d in moderated])
    say(f"spam model: {len(team_train)} team comments and {len(moderated)} moderator decisions "
        f"({labels.sum()} spam or ads)")
    classifier = _site_classifier(options)
    classifier.fit(vectorizer.transform(texts), labels)
    # The vectorizer is already fitted (shared with the respect model): assemble, do not refit.
    return Pipeline([("tfidf", vectorizer), ("clf", classifier)])


def _train_text_head(vectorizer: TfidfVectorizer, team_train: list[TeamComment],
                     decided: Sequence[ModeratorDecision], forum_rows: list[LabelledText],
                     options: TrainingOptions, say: Progress) -> tuple[Pipeline, dict[str, float]]:
    """A text-only model of off-topic style, and its out-of-fold decision per site comment.

    One Million Posts' moderators' OffTopic labels come from 2,000 other articles, which keeps
    this head from learning only the vocabulary of our own 16 articles.
    """
    site = [(c.text, c.on_topic) for c in team_train]
    site += [(d.text, not d.labels[ON_TOPIC.name]) for d in _telling(decided, ON_TOPIC.name)]
    texts = [text for text, _ in site] + [r.text for r in forum_rows]
    labels = np.array([int(not on_topic) for _, on_topic in site] + [r.label for r in forum_rows])
    domains = np.array([SITE_DOMAIN] * len(site) + ["forum"] * len(forum_rows), dtype=object)
    say(f"off-topic text head: {len(texts)} comments ({labels.sum()} off topic, "
        f"{len(forum_rows)} from one-million-posts)")
    classifier = _site_classifier(options)
    classifier.fit(vectorizer.transform(texts), labels, sample_domains=domains)
    logits = {text: float(v) for (text, _), v in zip(site, classifier.oof_decision_, strict=False)}
    return Pipeline([("tfidf", vectorizer), ("clf", classifier)]), logits


@dataclass(frozen=True)
class _TopicComment:
    """A comment labelled on topic or not, under its article (of language ``lang``)."""

    text: str
    article_id: str
    lang: str | None
    article: ArticleText
    parent_text: str | None
    on_topic: bool


class TopicPairs(NamedTuple):
    """The on-topic model's comment/article pairs, their labels (1 = off topic) and, per pair,
    :data:`SITE_DOMAIN` for a comment under its own article or :data:`OTHER_ARTICLE_DOMAIN`."""

    inputs: list[CommentInput]
    labels: np.ndarray
    domains: np.ndarray


def topic_examples(team: TeamData, comments: list[TeamComment], random_state: int = 0,
                   decisions: Sequence[ModeratorDecision] = ()) -> TopicPairs:
    """Comment/article pairs for the on-topic model; team comments first.

    Every comment is paired with its own article (labelled as written) and every on-topic comment
    also with another article of its language, where it is off topic: that teaches the model what
    "about this article" means without learning any article's words. The other articles are the
    team's and those the moderators' decisions were made under. The swapped pairs are a domain of
    their own (``domains``): they teach the shared weights, but with them more than half of all
    pairs are off topic, far more than under a real article, so the service's head is calibrated
    on the comments under their own article only.
    """
    articles = {a.id: ArticleText(a.title, a.body) for a in team.articles.values()}
    langs = {a.id: a.lang for a in team.articles.values()}
    rows = [_TopicComment(c.text, c.article_id, langs[c.article_id], articles[c.article_id],
                          team.parent_text(c), c.on_topic) for c in comments]
    # Pairs are made by the *article's* language, as for the team's comments (an English comment
    # under a German article still has a German article).
    rows += [_TopicComment(d.text, d.article_id, d.article_lang or d.lang, d.article, d.parent_text,
                           not d.labels[ON_TOPIC.name])
             for d in _telling(decisions, ON_TOPIC.name)]
    for decision in decisions:
        articles.setdefault(decision.article_id, decision.article)
        langs.setdefault(decision.article_id, decision.article_lang or decision.lang)
    by_lang: dict[str | None, list[str]] = {}
    for article_id, lang in langs.items():
        by_lang.setdefault(lang, []).append(article_id)
    rng = np.random.default_rng(random_state)
    inputs: list[CommentInput] = []
    labels: list[int] = []
    domains: list[str] = []
    for row in rows:
        inputs.append(CommentInput(row.text, row.article, row.parent_text))
        labels.append(int(not row.on_topic))
        domains.append(SITE_DOMAIN)
        if row.on_topic:
            others = [a for a in by_lang.get(row.lang, []) if a != row.article_id] or \
                [a for a in articles if a != row.article_id]
            if others:
                other = others[int(rng.integers(len(others)))]
                inputs.append(CommentInput(row.text, articles[other], row.parent_text))
                labels.append(1)
                domains.append(OTHER_ARTICLE_DOMAIN)
    return TopicPairs(inputs, np.array(labels), np.array(domains, dtype=object))


def public_background(public: dict[str, list[LabelledText]]) -> list[str]:
    """Unlabelled news-forum texts that make the on-topic model's word rarities realistic."""
    return [row.text for name, rows in public.items() if CORPUS_DOMAINS.get(name) == NEWS_DOMAIN
            for row in rows]


def _train_topic(team: TeamData, team_train: list[TeamComment], decided: Sequence[ModeratorDecision],
                 background: list[str], text_head: Pipeline, text_logits: dict[str, float],
                 options: TrainingOptions, say: Progress) -> tuple[Pipeline, TopicPairs]:
    """The lexical on-topic model, and the comment/article pairs it was trained on."""
    pairs = topic_examples(team, team_train, options.random_state, decided)
    inputs, labels, domains = pairs
    say(f"on-topic model: {len(inputs)} comment/article pairs ({labels.sum()} off topic, "
        f"{(domains == OTHER_ARTICLE_DOMAIN).sum()} of them under another article), "
        f"{len(background)} background texts for word rarity")
    references = [f"{a.title}\n{a.body}" for a in _reference_articles(team)]
    topic = Pipeline([
        ("features", TopicFeatures(text_head=text_head)),
        ("scale", StandardScaler()),
        ("clf", _site_classifier(options)),
    ])
    topic.fit(inputs, labels, features__reference_articles=references,
              features__background=background,
              features__text_logits=[text_logits[c.text] for c in inputs],
              clf__sample_domains=domains)
    own = domains == SITE_DOMAIN
    oof = topic.named_steps["clf"].oof_proba_
    row = evaluate_predictions(labels[own], (oof[own] >= 0.5).astype(int))
    say(f"on-topic model CV (comments under their own article): official F1 {row['official_f1']:.4f}, "
        f"accuracy {row['accuracy']:.4f}")
    return topic, pairs


def _reference_articles(team: TeamData) -> list[ArticleText]:
    """The articles every comment is also compared with (the team's)."""
    return [ArticleText(a.title, a.body) for a in team.articles.values()]


def _approved_comments(topic: Pipeline, decided: Sequence[ModeratorDecision],
                       say: Progress) -> ApprovedComments | None:
    """The comments moderators judged on topic under their article (approvals), or None."""
    pairs = [(d.article, d.parent_text, d.text) for d in _telling(decided, ON_TOPIC.name)
             if not d.labels[ON_TOPIC.name]]
    if not pairs:
        return None
    approved = ApprovedComments(topic.named_steps["features"], pairs)
    say(f"on-topic model: {len(approved)} approved comments kept with their articles (a comment "
        "close to one of them is on topic there)")
    return approved


def _train_meaning_head(embedder: SentenceEmbedder, pairs: TopicPairs, options: TrainingOptions,
                        say: Progress) -> tuple[DomainAdaptedClassifier, dict[str, float]]:
    """Off topic by the meaning of the comment alone (chatter, greetings, ads in any wording), and
    its out-of-fold decision per text: one row per distinct comment under its own article."""
    own = {c.text: label for c, label, domain in zip(*pairs, strict=True) if domain == SITE_DOMAIN}
    texts = list(own)
    say(f"on-topic meaning head: embedding {len(texts)} comments")
    head = _site_classifier(options)
    head.fit(embedder.transform(texts), np.array([own[t] for t in texts]))
    return head, dict(zip(texts, head.oof_decision_.tolist(), strict=True))


def _train_topic_encoder(topic: Pipeline, pairs: TopicPairs, references: list[ArticleText],
                         options: TrainingOptions, say: Progress) -> tuple[Pipeline, dict]:
    """The on-topic model's second stage: the lexical log-odds plus similarities by meaning.

    Trained on the lexical model's out-of-fold log-odds, like any stacked model. Its CV score
    is that of the cascade the service runs (the second stage only inside the band), on the
    comments under their own article.
    """
    inputs, labels, domains = pairs
    embedder = SentenceEmbedder()
    text_head, text_logits = _train_meaning_head(embedder, pairs, options, say)
    say(f"on-topic second stage: embedding {len(inputs)} comment/article pairs")
    second = Pipeline([
        ("features", SemanticTopicFeatures(lexical=topic, embedder=embedder, text_head=text_head)),
        ("clf", _site_classifier(options)),
    ])
    lexical = topic.named_steps["clf"]
    second.fit(inputs, labels, features__lexical_logits=lexical.oof_decision_,
               features__text_logits=[text_logits[c.text] for c in inputs],
               features__reference_articles=references, clf__sample_domains=domains)
    own = domains == SITE_DOMAIN
    first = lexical.oof_proba_[own]
    slow = unsure(first, options.topic_cascade_band)
    combined = topic_cascade(first, second.named_steps["clf"].oof_proba_[own], options.topic_cascade_band)
    metrics = {}
    for name, probabilities in (("lexical", first), ("cascade", combined)):
        row = evaluate_predictions(labels[own], (probabilities >= 0.5).astype(int))
        metrics[name] = {k: row[k] for k in ("n", "official_f1", "macro_f1", "accuracy")}
    metrics["slow_path_share"] = round(float(slow.mean()), 4)
    say(f"on-topic cascade CV: official F1 {metrics['cascade']['official_f1']:.4f} (lexical alone "
        f"{metrics['lexical']['official_f1']:.4f}); {slow.mean():.1%} of comments take the encoder path")
    return second, metrics


def _train_encoder(examples: _Examples, respect: Pipeline, options: TrainingOptions,
                   say: Progress) -> tuple[Pipeline, dict]:
    embedder = SentenceEmbedder()
    say(f"sentence encoder: embedding {len(examples.texts)} texts "
        "(about 3 ms each on 2 cores)")
    vectors = np.vstack([embedder.transform(examples.texts[i : i + 2000])
                         for i in _progress_range(len(examples.texts), 2000, say, "embedded")])
    labels = np.array(examples.labels)
    sources = np.array(examples.sources)
    domains = np.array([CORPUS_DOMAINS[s] for s in sources], dtype=object)
    weights = _weights(sources, options)
    classifier = _site_classifier(options)
    classifier.fit(vectors, labels, sample_domains=domains, sample_weight=weights)
    lexical = respect.named_steps["clf"].oof_proba_
    combined = respect_cascade(lexical, classifier.oof_proba_, options.cascade_band)
    metrics = cv_report(combined, labels, sources, domains)
    metrics["slow_path_share"] = round(float(unsure(lexical, options.cascade_band).mean()), 4)
    for source, row in metrics["per_source"].items():
        say(f"respect + encoder cascade CV {source}: official F1 {row['official_f1']:.4f}")
    say(f"cascade: {metrics['slow_path_share']:.1%} of training texts take the encoder path")
    return Pipeline([("embed", embedder), ("clf", classifier)]), metrics


def _progress_range(total: int, step: int, say: Progress, verb: str):
    for start in range(0, total, step):
        yield start
        say(f"{verb} {min(start + step, total)}/{total}")


def _sources_metadata(team_dir: Path, data_dir: Path | None, trained: Counter[str],
                      names: Sequence[str], moderated: ModeratorDecisions | None,
                      decided: int) -> list[dict]:
    """Each source with the number of examples trained on and its files' sha256.

    For the corpora that is the respect model's examples; for the moderators' decisions, the
    decisions any model learnt from (``decided``), with the counts read from the file.
    """
    sources = [{
        "name": TEAM_SOURCE, "split": "train", "examples": trained[TEAM_SOURCE],
        "files": [_file_entry(p) for p in team_files(Path(team_dir))],
    }]
    for name in names:
        sources.append({
            "name": name, "split": "train", "examples": trained[name],
            "files": [_file_entry(p) for p in corpus_files(name, Path(data_dir), "train")],
        })
    if moderated is not None:
        sources.append({
            "name": MODERATOR_SOURCE, "split": "train", "examples": decided,
            "decisions": dict(moderated.counts), "files": [_file_entry(moderated.path)],
        })
    return sources


def _file_entry(path: Path) -> dict[str, str]:
    return {"path": str(path), "sha256": sha256_of(path)}


__all__ = ["CORPUS_DOMAINS", "CORPUS_NAMES", "TrainingOptions", "train_models"]
