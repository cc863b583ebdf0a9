"""What the passport page calls each mapped attribute and group, in the user's language.

The mapping file is data and stays English; these are the translatable names shown to people.
"""

from django.utils.translation import gettext_lazy as _

GROUP_TITLES = {
    "generalProductInformation": _("Identifiers and general information"),
    "performanceAndDurability": _("Performance and durability"),
    "carbonFootprint": _("Carbon footprint"),
    "circularity": _("Circularity and recycled content"),
    "materialComposition": _("Materials"),
    "x-batteryMarket": _("Platform details"),
}

ATTRIBUTE_LABELS = {
    "generalProductInformation.batteryPassportIdentifier": _("Passport identifier"),
    "generalProductInformation.productIdentifier": _("Serial number / pack ID"),
    "generalProductInformation.manufacturerInformation.contactName": _("Manufacturer"),
    "generalProductInformation.batteryCategory": _("Battery category"),
    "generalProductInformation.manufacturingDate": _("Manufacture date"),
    "generalProductInformation.batteryMass": _("Mass"),
    "generalProductInformation.puttingIntoService": _("Put into service"),
    "performanceAndDurability.batteryTechicalProperties.ratedEnergy": _("Rated energy"),
    "performanceAndDurability.batteryTechicalProperties.ratedCapacity": _("Rated capacity"),
    "performanceAndDurability.batteryTechicalProperties.nominalVoltage": _("Nominal voltage"),
    "performanceAndDurability.batteryCondition.stateOfCertifiedEnergy.stateOfCertifiedEnergyValue": _(  # noqa: E501
        "State of health (SOCE)"
    ),
    "carbonFootprint.absoluteCarbonFootprint": _("Carbon footprint (declared, absolute)"),
    "circularity.safetyMeasures.safetyInstructions": _("Safety data sheet"),
    "materialComposition.batteryChemistry.shortName": _("Chemistry"),
    "materialComposition.batteryChemistry.clearName": _("Chemistry (full name)"),
    "materialComposition.x-estimatedContainedMaterials": _("Estimated contained metals"),
    "x-batteryMarket.moduleCount": _("Module count"),
    "x-batteryMarket.moduleFormat": _("Module format"),
    "x-batteryMarket.soh.lowPct": _("SOH lower bound"),
    "x-batteryMarket.soh.highPct": _("SOH upper bound"),
    "x-batteryMarket.soh.source": _("SOH source"),
    "x-batteryMarket.soh.grade": _("Grade"),
    "x-batteryMarket.sohCertificates": _("SOH certificates"),
}
