"""Translatable labels for the diagnostics pages.

Texts that live in diagnostics/data/*.yaml (method names, durations, equipment, uses) are
listed here with gettext_noop so `makemessages` extracts them; templates translate them at
render time with {% translate value %}. tests/diagnostics/test_views.py checks the list
covers every text in the data, so a new data entry cannot go untranslated unnoticed.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

MEASURE_LABELS = {
    "capacity": _("capacity"),
    "energy": _("energy"),
    "power_resistance": _("power / resistance"),
    "safety": _("safety"),
}

QUALITY_LABELS = {
    "primary": _("primary source"),
    "secondary": _("secondary source"),
    "vendor": _("vendor claim"),
    "estimate": _("estimate"),
    "proposal": _("platform proposal"),
}

DATA_TEXTS = frozenset(
    {
        # methods.yaml: names
        gettext_noop("Full discharge capacity test"),
        gettext_noop("HPPC / DC pulse resistance test"),
        gettext_noop("Electrochemical impedance spectroscopy (EIS)"),
        gettext_noop("BMS / OBD read-out of SOH or SOCE (non-GTR 22)"),
        gettext_noop("Partial-charge counting (delta Ah / delta SOC)"),
        gettext_noop("Model / AI quick estimate"),
        gettext_noop("On-board SOCE monitor (UN GTR 22 / Euro 7 vehicle)"),
        gettext_noop("Laboratory capacity test (module or cell, C/3 full cycle)"),
        gettext_noop("Incremental capacity / differential voltage analysis"),
        gettext_noop("Safety screen (visual, insulation, self-discharge, harmful-event log)"),
        # methods.yaml: typical durations
        gettext_noop("hours to about 7 days"),
        gettext_noop("minutes to hours"),
        gettext_noop("minutes per unit"),
        gettext_noop("minutes"),
        gettext_noop("one or more charge sessions"),
        gettext_noop("about 3 minutes"),
        gettext_noop("instant"),
        gettext_noop("hours"),
        gettext_noop("one slow charge"),
        gettext_noop("minutes to days"),
        # methods.yaml: equipment
        gettext_noop("OBD logger (vehicle drive-down) or cycler"),
        gettext_noop("battery cycler"),
        gettext_noop("EIS meter"),
        gettext_noop("OBD dongle or OEM cloud API"),
        gettext_noop("data logger or charger"),
        gettext_noop("OBD connection"),
        gettext_noop("the vehicle's own monitor"),
        gettext_noop("cycler and thermal chamber"),
        gettext_noop("high-resolution voltage and current logger"),
        gettext_noop("multimeter, insulation tester, BMS log"),
        # methods.yaml: reproducibility notes
        gettext_noop("temperature, balancing, cut-off criteria"),
        gettext_noop("strongly dependent on state of charge and temperature"),
        gettext_noop("dependent on state of charge and temperature; pack-level EIS is hard"),
        gettext_noop(
            "OEM-defined proxy; buffer masking; not comparable across OEMs; "
            "fault codes only for safety"
        ),
        gettext_noop("SOC end-point error, displayed versus BMS SOC, temperature"),
        gettext_noop("training set; drift with firmware"),
        gettext_noop("only on GTR 22 / Euro 7 vehicles"),
        gettext_noop("fix temperature, C-rate, voltage limits and rest"),
        gettext_noop("voltage resolution, sampling; flat LFP OCV curve"),
        gettext_noop("pass/fail"),
        # grading.yaml and valuation.yaml: uses
        gettext_noop("EV reuse"),
        gettext_noop("forklifts, AGVs and small mobility"),
        gettext_noop("stationary storage"),
        gettext_noop("backup power"),
        gettext_noop("recycling"),
    }
)
