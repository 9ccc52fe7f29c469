"""Survey questions and answers: their shapes and validation. Pure, no I/O.

A question is `{"text", "kind", "options", "max_length", "required"}`:
- SINGLE_CHOICE: 2 to 10 distinct options; the answer is one of them, verbatim;
- RATING: a whole number from 1 to 5, given as text ("4");
- TEXT: free text up to `max_length` characters (default 500, at most 2000).
Answers come as a list in question order; a blank answer to an optional question is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import Problems

MAX_QUESTIONS = 20
MAX_TEXT = 300
MAX_OPTIONS = 10
MAX_OPTION = 100
DEFAULT_TEXT_ANSWER = 500
MAX_TEXT_ANSWER = 2000
RATINGS = range(1, 6)


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "SINGLE_CHOICE"
    RATING = "RATING"
    TEXT = "TEXT"


@dataclass(frozen=True)
class Question:
    text: str
    kind: QuestionKind
    options: tuple[str, ...] = ()
    max_length: int | None = None  # TEXT only
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind.value,
            "options": list(self.options),
            "max_length": self.max_length,
            "required": self.required,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Question:
        return cls(raw["text"], QuestionKind(raw["kind"]), tuple(raw["options"]), raw["max_length"], raw["required"])


def validate_questions(questions: list[Question], problems: Problems, path: str = "questions") -> list[Question]:
    """The questions as stored (text trimmed, TEXT's default length filled in)."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        problems.add(path, f"a survey has 1 to {MAX_QUESTIONS} questions")
        return []
    cleaned = []
    for i, q in enumerate(questions):
        at = f"{path}.{i}"
        if not 0 < len(q.text.strip()) <= MAX_TEXT:
            problems.add(f"{at}.text", f"must be 1 to {MAX_TEXT} characters")
        options = tuple(o.strip() for o in q.options)
        max_length = q.max_length
        if q.kind == QuestionKind.SINGLE_CHOICE:
            if not 2 <= len(options) <= MAX_OPTIONS:
                problems.add(f"{at}.options", f"a single choice offers 2 to {MAX_OPTIONS} options")
            elif len(set(options)) != len(options):
                problems.add(f"{at}.options", "options must differ")
            for j, option in enumerate(options):
                if not 0 < len(option) <= MAX_OPTION:
                    problems.add(f"{at}.options.{j}", f"must be 1 to {MAX_OPTION} characters")
        elif options:
            problems.add(f"{at}.options", f"only single-choice questions have options, not {q.kind.value}")
        if q.kind == QuestionKind.TEXT:
            max_length = DEFAULT_TEXT_ANSWER if max_length is None else max_length
            if not 1 <= max_length <= MAX_TEXT_ANSWER:
                problems.add(f"{at}.maxLength", f"must be between 1 and {MAX_TEXT_ANSWER}")
        elif max_length is not None:
            problems.add(f"{at}.maxLength", "only text questions have a maximum length")
        cleaned.append(Question(q.text.strip(), q.kind, options, max_length, q.required))
    return cleaned


def validate_answers(questions: list[Question], answers: list[str | None], path: str = "answers") -> list[str | None]:
    """The answers as stored (trimmed; blank becomes null); all problems at once."""
    problems = Problems()
    if len(answers) != len(questions):
        problems.add(path, f"answer each of the {len(questions)} questions, in order (null to skip an optional one)")
        problems.raise_if_any()
    cleaned: list[str | None] = []
    for i, (question, raw) in enumerate(zip(questions, answers, strict=True)):
        at = f"{path}.{i}.value"
        value = raw.strip() if raw is not None else None
        value = value or None
        if value is None:
            if question.required:
                problems.add(at, "is required")
        elif question.kind == QuestionKind.SINGLE_CHOICE and value not in question.options:
            problems.add(at, f"must be one of: {', '.join(question.options)}")
        elif question.kind == QuestionKind.RATING and not (value.isascii() and value.isdigit() and int(value) in RATINGS):
            problems.add(at, "must be a rating from 1 to 5")
        elif question.kind == QuestionKind.TEXT and len(value) > (question.max_length or DEFAULT_TEXT_ANSWER):
            problems.add(at, f"must be at most {question.max_length} characters")
        cleaned.append(value)
    problems.raise_if_any()
    return cleaned
