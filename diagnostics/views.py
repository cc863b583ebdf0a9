"""HTML front door: the method catalogue and the estimate form (same engine as the API)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from diagnostics import jsonio, selectors
from diagnostics.engine import diagnose, parse_request
from diagnostics.exceptions import DiagnoseInputError
from diagnostics.forms import EstimateForm
from diagnostics.labels import MEASURE_LABELS, QUALITY_LABELS
from diagnostics.plots import forecast_plot, plot_years

GRADE_USE_LABELS = {
    "A": _("EV reuse"),
    "B1": _("forklifts, AGVs and small mobility"),
    "B2": _("stationary storage"),
    "C": _("backup power"),
    "R": _("recycling"),
}


class MethodCatalogueView(TemplateView):
    """Public: what each diagnostic method measures, how long it takes, its uncertainty."""

    template_name = "diagnostics/methods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        catalogue = selectors.method_catalogue()
        context["version"] = catalogue["version"]
        context["methods"] = [
            {
                **method,
                "measure_labels": [
                    MEASURE_LABELS.get(measure, measure) for measure in method["measures"]["value"]
                ],
                "u95_quality_label": QUALITY_LABELS.get(method["u95_pp"]["quality"]),
            }
            for method in catalogue["methods"]
        ]
        context["sources"] = selectors.sources()
        return context


class EstimateView(LoginRequiredMixin, TemplateView):
    """Runs the engine on a GET form: a calculation with no side effects, so it can be shared."""

    template_name = "diagnostics/estimate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = EstimateForm(self.request.GET or None)
        context["form"] = form
        if form.is_bound and form.is_valid():
            try:
                result = diagnose(parse_request(form.engine_input()))
            except DiagnoseInputError as error:
                form.add_engine_errors(error.fields or {"__all__": [error.message]})
            else:
                context.update(_result_context(result))
        return context


def _result_context(result) -> dict:
    until = plot_years(result.years_to_60_pct)
    return {
        "result": result,
        "use_label": GRADE_USE_LABELS.get(result.grade, result.recommended_use),
        "value_text": f"{result.residual_value_jpy:,}",
        "plot": forecast_plot(result.forecast.curve(until)),
        "breakdown": result.breakdown,
        "breakdown_json": jsonio.dumps(result.breakdown),
    }
