"""Survey behaviour of one simulated account: which sends are answered and when, the `survey_invitations`,
`survey_responses` and `survey_answers` rows, every scale question scored from the response's satisfaction,
and comments in the respondent's language and a tone that fits the score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator import comment_templates as texts
from cx_warehouse.generator.basics import YEAR, FamilySimulator, cumulative
from cx_warehouse.generator.crm import Contacts, Profile
from cx_warehouse.generator.faults import DOUBLE_SUBMISSION_LEAD_S, double_submission_window_s
from cx_warehouse.generator.output import DAY, NULL_INT
from cx_warehouse.generator.touchpoints import REL

# Responses of one contact to one survey are further apart than the warehouse's double-submission window plus
# the lead of a planted double submission, so only the planted ones fall inside the window.
RESUBMISSION_GAP_S = double_submission_window_s() + DOUBLE_SUBMISSION_LEAD_S[1]
INVITATION_CHANNEL_LABELS = np.array(cat.INVITATION_CHANNEL_CODES, dtype=object)
THEME_CUM = np.array([cumulative(cat.COMMENT_THEME_WEIGHTS[survey.touchpoint]) for survey in cat.SURVEYS])
DRIVER_THEME_INDEX = np.array([texts.THEMES.index(theme) for theme in cat.DRIVER_THEMES])
RESPONSE_FACTOR = np.array([cat.TOUCHPOINT_RESPONSE_FACTOR[survey.touchpoint] for survey in cat.SURVEYS])


class QuestionTable:
    """The survey questions as arrays indexed by a global question number, for vectorised scoring."""

    def __init__(self) -> None:
        questions = [
            (s, p, q) for s, survey in enumerate(cat.SURVEYS) for p, q in enumerate(survey.questions)
        ]
        self.ids = [cat.SURVEYS[s].question_id(p) for s, p, _ in questions]
        self.position = np.array([p for _, p, _ in questions])
        self.scale_min = np.array([q.scale_min or 0 for _, _, q in questions])
        self.scale_max = np.array([q.scale_max or 0 for _, _, q in questions])
        self.center = np.array([q.center for _, _, q in questions])
        self.slope = np.array([q.slope for _, _, q in questions])
        self.noise_sd = np.array([q.noise_sd for _, _, q in questions])
        self.onboarding_coef = np.array([q.onboarding_coef for _, _, q in questions])
        self.effort_coef = np.array([q.effort_coef for _, _, q in questions])
        self.driver = np.array([cat.DRIVERS.index(q.driver) if q.driver else -1 for _, _, q in questions])
        self.positive_from = np.array([q.tone_cuts[0] if q.tone_cuts else 0 for _, _, q in questions])
        self.neutral_from = np.array([q.tone_cuts[1] if q.tone_cuts else 0 for _, _, q in questions])
        self.is_tone = np.array([q.tone_cuts is not None for _, _, q in questions])
        by_survey = [
            [g for g, (s, _, _) in enumerate(questions) if s == survey] for survey in range(len(cat.SURVEYS))
        ]
        self.scale_of_survey = [np.array([g for g in ids if questions[g][2].is_scale]) for ids in by_survey]
        self.comment_of_survey = np.array(
            [next(g for g in ids if questions[g][2].metric == "comment") for ids in by_survey]
        )
        self.asks_nps = np.array([any(questions[g][2].metric == "nps" for g in ids) for ids in by_survey])


QUESTIONS = QuestionTable()


@dataclass(frozen=True)
class Responses:
    """The responses of one account, in submission order: keys, survey indexes, submission moments (epoch
    seconds) and the NPS score of each (NULL_INT where the survey asks none)."""

    numbers: np.ndarray
    survey: np.ndarray
    submitted: np.ndarray
    nps_scores: np.ndarray


class SurveyResponder(FamilySimulator):
    """Turns an account's survey sends into invitations, responses and answers."""

    def respond(
        self,
        rng: np.random.Generator,
        profile: Profile,
        contacts: Contacts,
        sends: dict[str, np.ndarray],
        until_s: int,
    ) -> Responses | None:
        """Write the invitations sent up to until_s (the account's churn or the window's end), let contacts
        answer with their propensity times the touchpoint's factor (after about 1.5 days, exponential, at
        most 14), and write the responses and their answers. Returns the responses, None when there are
        none."""
        if not sends:
            return None
        sends = {name: values[sends["sent"] <= until_s] for name, values in sends.items()}
        invitation_numbers = self._write_invitations(contacts, sends)
        count = len(sends["sent"])
        invited = sends["invited"]
        chance = contacts.propensity[sends["contact"]] * RESPONSE_FACTOR[sends["survey"]]
        answered = ~invited | (rng.random(count) < chance)
        delay = np.where(
            invited, np.minimum(rng.exponential(1.5 * DAY, count), 14 * DAY).astype(np.int64) + 120, 0
        )
        submitted = sends["sent"] + delay
        keep = answered & (submitted <= min(until_s, self.window.last_second))
        keep[keep] = not_resubmitted(sends["contact"][keep], sends["survey"][keep], submitted[keep])
        order = np.flatnonzero(keep)[np.argsort(submitted[keep], kind="stable")]
        if len(order) == 0:
            return None
        survey, contact, submitted = sends["survey"][order], sends["contact"][order], submitted[order]
        numbers = self.ids.take("survey_responses", len(order))
        self.tables["survey_responses"].add(
            response_id=numbers,
            survey_id=survey,
            invitation_id=invitation_numbers[order],
            contact_id=contacts.numbers[contact],
            submitted_at=submitted,
            language=contacts.language[contact],
        )
        years_in = (submitted - self.window.first_second) / YEAR
        satisfaction = (
            profile.latent
            + profile.trend * years_in
            + contacts.offset[contact]
            + rng.normal(0.0, cat.RESPONSE_NOISE_SD, len(order))
        )
        nps_scores = self._answers(
            rng,
            profile,
            numbers,
            survey,
            contacts.language[contact],
            satisfaction,
            sends["slow_onboarding"][order],
            sends["effort"][order],
        )
        return Responses(numbers, survey, submitted, nps_scores)

    def _write_invitations(self, contacts: Contacts, sends: dict[str, np.ndarray]) -> np.ndarray:
        """The `survey_invitations` rows of the invited sends; returns the invitation key per send (NULL_INT
        for an open-link response)."""
        invited = sends["invited"]
        invitation_numbers = np.full(len(sends["sent"]), NULL_INT)
        invitation_numbers[invited] = self.ids.take("survey_invitations", int(invited.sum()))
        self.tables["survey_invitations"].add(
            invitation_id=invitation_numbers[invited],
            survey_id=sends["survey"][invited],
            contact_id=contacts.numbers[sends["contact"][invited]],
            sent_at=sends["sent"][invited],
            channel=INVITATION_CHANNEL_LABELS[sends["channel"][invited]],
        )
        return invitation_numbers

    def _answers(
        self, rng, profile, numbers, survey, language, satisfaction, slow_onboarding, effort
    ) -> np.ndarray:
        """Score every scale question (center + slope x (satisfaction + driver deviation) + onboarding and
        effort terms + noise, rounded and clipped to the scale), add the comments and write the
        `survey_answers` rows; returns each response's tone-question score where it is an NPS survey, else
        NULL_INT."""
        questions = np.concatenate([QUESTIONS.scale_of_survey[s] for s in survey])
        response = np.repeat(np.arange(len(survey)), [len(QUESTIONS.scale_of_survey[s]) for s in survey])
        driver = QUESTIONS.driver[questions]
        signal = satisfaction[response] + np.where(driver >= 0, profile.drivers[driver], 0.0)
        raw = (
            QUESTIONS.center[questions]
            + QUESTIONS.slope[questions] * signal
            + QUESTIONS.onboarding_coef[questions] * slow_onboarding[response]
            + QUESTIONS.effort_coef[questions] * effort[response]
            + QUESTIONS.noise_sd[questions] * rng.standard_normal(len(questions))
        )
        scores = np.clip(np.rint(raw), QUESTIONS.scale_min[questions], QUESTIONS.scale_max[questions]).astype(
            np.int64
        )
        tone_rows = QUESTIONS.is_tone[questions]
        tone_score = scores[tone_rows]
        tone_question = questions[tone_rows]
        tone = np.where(
            tone_score >= QUESTIONS.positive_from[tone_question],
            0,
            np.where(tone_score >= QUESTIONS.neutral_from[tone_question], 1, 2),
        )
        comment_texts = self._comments(rng, profile, survey, language, tone)
        commented = np.array([text is not None for text in comment_texts], dtype=bool)
        all_response = np.concatenate([response, np.flatnonzero(commented)])
        all_question = np.concatenate([questions, QUESTIONS.comment_of_survey[survey[commented]]])
        all_scores = np.concatenate([scores, np.full(int(commented.sum()), NULL_INT)])
        all_texts = [None] * len(questions) + [text for text in comment_texts if text is not None]
        order = np.lexsort((QUESTIONS.position[all_question], all_response))
        self.tables["survey_answers"].add(
            response_id=numbers[all_response[order]],
            question_id=all_question[order],
            score=all_scores[order],
            answer_text=[all_texts[index] for index in order],
        )
        return np.where(QUESTIONS.asks_nps[survey], tone_score, NULL_INT)

    @staticmethod
    def _comments(rng, profile: Profile, survey, language, tone) -> list[str | None]:
        """A comment from most respondents, in their language and the score's tone, on a touchpoint theme."""
        count = len(survey)
        writes = rng.random(count) < cat.COMMENT_SHARE_BY_TONE[tone]
        theme = (rng.random(count)[:, None] >= THEME_CUM[survey]).sum(axis=1).clip(0, len(texts.THEMES) - 1)
        strongest, weakest = int(np.argmax(profile.drivers)), int(np.argmin(profile.drivers))
        by_driver = np.where(
            tone == 0, strongest, np.where(tone == 2, weakest, rng.integers(0, len(cat.DRIVERS), count))
        )
        use_driver = (survey == REL) & (rng.random(count) < cat.DRIVER_THEME_SHARE)
        theme = np.where(use_driver, DRIVER_THEME_INDEX[by_driver], theme)
        template = rng.integers(0, texts.TEMPLATES_PER_TONE, count)
        detail = rng.integers(0, texts.DETAIL_CHOICES, count)
        return [
            texts.compose_comment(
                language[i], texts.TONES[tone[i]], texts.THEMES[theme[i]], int(template[i]), int(detail[i])
            )
            if writes[i]
            else None
            for i in range(count)
        ]


def not_resubmitted(contact: np.ndarray, survey: np.ndarray, submitted: np.ndarray) -> np.ndarray:
    """Which responses to keep (bool array): a response within RESUBMISSION_GAP_S after the contact's previous
    response to the same survey is dropped (the contact had answered already), so kept ones are further
    apart. The warehouse quarantines the earlier of two responses that close as a double submission: every
    such pair in the data is one the generator planted and lists."""
    by_pair = np.lexsort((submitted, survey, contact))
    same_pair = (np.diff(contact[by_pair]) == 0) & (np.diff(survey[by_pair]) == 0)
    too_soon = same_pair & (np.diff(submitted[by_pair]) <= RESUBMISSION_GAP_S)
    keep = np.ones(len(contact), dtype=bool)
    keep[by_pair[1:][too_soon]] = False
    return keep
