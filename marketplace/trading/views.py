from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error
from marketplace.trading import pricing, selectors, services
from marketplace.trading.charts import build_price_chart
from marketplace.trading.choices import PAYABLE_ELEMENTS, Element
from marketplace.trading.forms import DEFAULT_FREE_LIMITS_PCT, QuoteForm, ReferencePriceForm

CHART_DAYS = 3 * 365


@login_required
def reference_prices(request: HttpRequest) -> HttpResponse:
    """Current prices, a history chart per element, and (for staff) a form to record one."""
    form = ReferencePriceForm(request.POST or None) if request.user.is_staff else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                price = services.reference_price_record(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Recorded %(element)s at %(price)s JPY/kg from %(date)s.")
                    % {
                        "element": price.element,
                        "price": price.price_jpy_per_kg,
                        "date": price.effective_date.isoformat(),
                    },
                )
                return redirect("trading:reference-prices")
    today = timezone.localdate()
    history: dict[str, list] = defaultdict(list)
    for row in selectors.reference_price_history(
        date_from=today - timedelta(days=CHART_DAYS), date_to=today
    ):
        history[row.element].append((row.effective_date, row.price_jpy_per_kg))
    charts = [
        build_price_chart(element.value, element.label, history[element.value])
        for element in Element
    ]
    current = selectors.reference_prices_on(today)
    return render(
        request,
        "trading/reference_prices.html",
        {
            "today": today,
            "current": [(element, current.get(element.value)) for element in Element],
            "charts": charts,
            "form": form,
        },
    )


@login_required
def quote(request: HttpRequest) -> HttpResponse:
    """What is my bid worth: the quote form (GET, so a valuation can be bookmarked)."""
    current = selectors.reference_prices_on(timezone.localdate())
    reference = {element: row.price_jpy_per_kg for element, row in current.items()}
    form = QuoteForm(request.GET or None, reference_prices=reference)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = pricing.quote_black_mass(**form.quote_input())
        except pricing.QuoteInputError as error:
            form.add_quote_error(error.field_name, error.fields[error.field_name][0])
    return render(
        request,
        "trading/quote.html",
        {
            "form": form,
            "result": result,
            "reference_prices": {el: str(price) for el, price in reference.items()},
            "payable_rows": [
                (
                    element,
                    form[f"payable_{element}"],
                    form[f"price_{element}"],
                    current.get(element),
                )
                for element in PAYABLE_ELEMENTS
            ],
            "payable_elements": PAYABLE_ELEMENTS,
            "default_free_limits": {el: str(v) for el, v in DEFAULT_FREE_LIMITS_PCT.items()},
        },
    )
