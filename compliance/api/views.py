from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.api import serializers
from compliance.ruleset import get_ruleset
from compliance.selectors import ruleset_summary
from compliance.services.precheck import precheck
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import has_role


class PrecheckView(GenericAPIView):
    """Can this lot legally move from origin to destination, and what will that take?

    Same object as `manage.py compliance_precheck --json`.
    """

    serializer_class = serializers.PrecheckRequestSerializer

    @extend_schema(responses={200: serializers.PrecheckResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = precheck(serializer.validated_data["request"], ruleset=get_ruleset())
        return Response(result.as_dict())


class RulesetView(GenericAPIView):
    """The active compliance rules: version, effective date and rows per file."""

    permission_classes = [has_role(Role.COMPLIANCE_OFFICER)]
    serializer_class = serializers.RulesetSummarySerializer

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(ruleset_summary(ruleset=get_ruleset())).data)
