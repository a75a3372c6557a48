"""The PDFs of assessment: a subject's report, the county's report (the ranking), and the supervision
recommendation (监察建议书) for a 不合格 subject. Drawn like the notices (cases.notices.layout): the red head of the
issuing organ, the platform's embedded font, the seal placeholder under the signature."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from bianmin.cases.notices.layout import LABEL_BACKGROUND, RED, RULE, SEAL_DIAMETER, draw_seal
from bianmin.cases.notices.typesetting import Text
from bianmin.cases.notices.wording import long_date
from bianmin.core.pdf import FontSet, paragraph_style, register_fonts
from bianmin.org.models import Site

from .models import AssessmentRun, ItemKind, SubjectResult
from .periods import period_label

MARGIN = 22 * mm


def _organ() -> str:
    root = Site.objects.filter(parent__isnull=True, is_active=True).order_by("pk").values_list("name", flat=True)
    return root.first() or ""


class _RedHead(Flowable):
    """The issuing organ in red over a red rule, the title under it."""

    def __init__(self, organ: str, title: str, fonts: FontSet):
        super().__init__()
        self.organ, self.title, self.fonts = organ, title, fonts

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, 30 * mm

    def draw(self):
        canvas = self.canv
        canvas.setFillColor(RED)
        canvas.setFont(self.fonts.body, 21)
        canvas.drawCentredString(self.width / 2, 22 * mm, self.organ)
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.6)
        canvas.line(0, 17 * mm, self.width, 17 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.fonts.body, 17)
        canvas.drawCentredString(self.width / 2, 6 * mm, self.title)


class _Signature(Flowable):
    def __init__(self, organ: str, date_text: str, fonts: FontSet):
        super().__init__()
        self.organ, self.date_text, self.fonts = organ, date_text, fonts

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, SEAL_DIAMETER + 4 * mm

    def draw(self):
        canvas = self.canv
        centre = self.width - 45 * mm
        draw_seal(canvas, centre, SEAL_DIAMETER / 2, diameter=SEAL_DIAMETER, fonts=self.fonts)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.fonts.body, 12)
        canvas.drawCentredString(centre, SEAL_DIAMETER / 2 + 3 * mm, self.organ)
        canvas.drawCentredString(centre, SEAL_DIAMETER / 2 - 5 * mm, self.date_text)


class _Styles:
    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.text = paragraph_style("assessment-text", fonts, 12, leading=19, firstLineIndent=24, alignment=TA_JUSTIFY)
        self.plain = paragraph_style("assessment-plain", fonts, 12, leading=19)
        self.cell = paragraph_style("assessment-cell", fonts, 10, leading=13)
        self.head = paragraph_style("assessment-head", fonts, 10, leading=13, alignment=TA_CENTER)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        data = [[Text(h, self.head) for h in header]] + [[Text(str(v), self.cell) for v in row] for row in rows]
        return Table(
            data,
            colWidths=widths,
            repeatRows=1,
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.body),
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            ),
        )


def _build(title: str, story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    fonts = register_fonts()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        initialFontName=fonts.body,
    )
    document.build(story)
    return buffer.getvalue()


def _facts(run: AssessmentRun) -> str:
    return _("%(scheme)s, %(period)s, version %(version)d") % {
        "scheme": run.scheme.name,
        "period": period_label(run.scheme.period_kind, run.period_start),
        "version": run.version,
    }


def _item_rows(result: SubjectResult) -> list[list[str]]:
    rows = []
    for item in result.items.all():
        if item.kind == ItemKind.RATE or (item.kind == ItemKind.VOTE and item.rate is not None):
            measure = f"{item.rate * 100:.2f} %" if item.rate is not None else "—"
            if item.denominator:
                measure += f" ({item.numerator}/{item.denominator})"
        elif item.count is not None:
            measure = _("%(count)s events") % {"count": f"{item.count.normalize():f}"}
        else:
            measure = item.note or "—"
        rows.append([item.name, measure, f"{item.points:+.2f}"])
    return rows


def subject_report_pdf(result: SubjectResult) -> bytes:
    fonts = register_fonts()
    styles = _Styles(fonts)
    run = result.run
    width = A4[0] - 2 * MARGIN
    summary = _("%(subject)s: %(score)s points, grade %(grade)s, rank %(rank)d of %(count)d.") % {
        "subject": result.label,
        "score": result.score,
        "grade": result.get_grade_display(),
        "rank": result.rank,
        "count": run.subjects,
    }
    notes = []
    if result.is_grade_lowered:
        notes.append(Text(_("A red card lowered the grade one step."), styles.plain))
    if result.is_quota_limited:
        notes.append(Text(_("Excellent was withheld by the scheme's quota."), styles.plain))
    if result.has_award:
        notes.append(Text(_("Awarded the red flag."), styles.plain))
    story = [
        _RedHead(_organ(), _("Assessment result"), fonts),
        Spacer(1, 4 * mm),
        Text(_facts(run), styles.plain),
        Text(summary, styles.plain),
        *notes,
        Spacer(1, 4 * mm),
        styles.table(
            [_("Item"), _("Counted"), _("Points")], _item_rows(result), [width * 0.45, width * 0.35, width * 0.2]
        ),
        Spacer(1, 8 * mm),
        _Signature(_organ(), long_date(run.computed_at or timezone.now()), fonts),
    ]
    return _build(_("Assessment result"), story)


def run_report_pdf(run: AssessmentRun) -> bytes:
    fonts = register_fonts()
    styles = _Styles(fonts)
    width = A4[0] - 2 * MARGIN
    rows = [
        [str(r.rank), r.label, f"{r.score:.2f}", r.get_grade_display(), _("Red flag") if r.has_award else ""]
        for r in run.results.order_by("rank", "pk")
    ]
    story = [
        _RedHead(_organ(), _("Assessment ranking"), fonts),
        Spacer(1, 4 * mm),
        Text(_facts(run), styles.plain),
        Spacer(1, 4 * mm),
        styles.table(
            [_("Rank"), _("Subject"), _("Score"), _("Grade"), _("Award")],
            rows,
            [width * 0.1, width * 0.5, width * 0.14, width * 0.13, width * 0.13],
        ),
        Spacer(1, 8 * mm),
        _Signature(_organ(), long_date(run.computed_at or timezone.now()), fonts),
    ]
    return _build(_("Assessment ranking"), story)


def recommendation_pdf_bytes(result: SubjectResult) -> bytes:
    """监察建议书: the subject failed; the deductions behind it and what it is asked to do."""
    fonts = register_fonts()
    styles = _Styles(fonts)
    run = result.run
    width = A4[0] - 2 * MARGIN
    deductions = [row for row in _item_rows(result) if row[2].startswith("-")]
    story = [
        _RedHead(_organ(), _("Supervision recommendation"), fonts),
        Spacer(1, 4 * mm),
        Text(_("%(subject)s:") % {"subject": result.label}, styles.plain),
        Text(
            _(
                "In the assessment %(facts)s you scored %(score)s points, graded as failed. The deductions behind "
                "this result are listed below."
            )
            % {"facts": _facts(run), "score": result.score},
            styles.text,
        ),
        Spacer(1, 3 * mm),
        styles.table([_("Item"), _("Counted"), _("Points")], deductions, [width * 0.45, width * 0.35, width * 0.2]),
        Spacer(1, 3 * mm),
        Text(
            _(
                "We recommend that you find the causes of each deduction, correct them, and report in writing what "
                "was done within 15 working days of receiving this recommendation."
            ),
            styles.text,
        ),
        Spacer(1, 8 * mm),
        _Signature(_organ(), long_date(run.published_at or run.computed_at or timezone.now()), fonts),
    ]
    return _build(_("Supervision recommendation"), story)
