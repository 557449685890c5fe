"""Distribution tenants of multi-tenant distributions (CloudFront SaaS Manager), which moto has not:
the tenants, their domains and their invalidations (born InProgress and held to a distribution's
rules, ``model.create_checked()``, with limits of their own), the operations on them and their
routes. ``patch_tenants()`` puts them into moto (``patches.patch_moto()`` calls it)."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

from moto.cloudfront import urls as cloudfront_urls
from moto.cloudfront.exceptions import CloudFrontException, NoSuchInvalidation
from moto.cloudfront.models import CloudFrontBackend, Distribution, Invalidation, random_id
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult

from .model import UnknownInvalidation, backends, create_checked, page_from_request, server_time, utc_from_epoch
from .request_log import is_setup_request

_BASE62 = string.ascii_letters + string.digits


class EntityNotFound(CloudFrontException):
    def __init__(self, what: str = "distribution tenant") -> None:
        super().__init__("EntityNotFound", f"The specified {what} does not exist.")


class DistributionTenant:
    """A tenant of a multi-tenant distribution, with its domains (attributes as moto serializes them)."""

    def __init__(self, distribution: Distribution, name: str, domains: Sequence[str], account_id: str) -> None:
        self.id = "dt_" + "".join(random.choice(_BASE62) for _n in range(27))
        self.distribution_id = distribution.distribution_id
        self.distribution = distribution
        self.name = name
        self.arn = f"arn:aws:cloudfront::{account_id}:distribution-tenant/{self.id}"
        self.domains = [{"Domain": domain.lower(), "Status": "active"} for domain in domains]
        self.connection_group_id = None
        self.tags = None
        self.customizations = None
        self.parameters = None
        self.created_time = self.last_modified_time = utc_from_epoch(server_time())
        self.enabled = True
        self.status = "Deployed"
        self.etag = random_id()
        self.invalidations: list[TenantInvalidation] = []

    @property
    def e_tag(self) -> str:
        """ListDistributionTenants' summaries carry the ETag (as moto names the attribute)."""
        return self.etag


class TenantInvalidation(Invalidation):
    """An invalidation of a distribution tenant: born InProgress, like a distribution's."""

    # moto's model registry files a model under the service its module names
    __module__ = "moto.cloudfront.models"

    def __init__(self, tenant: DistributionTenant, paths: list[str], caller_ref: str) -> None:
        super().__init__(tenant.distribution, paths, caller_ref)
        self.tenant = tenant

    @property
    def location(self) -> str:
        return (
            f"https://cloudfront.amazonaws.com/2020-05-31/distribution-tenant/{self.tenant.id}/invalidation/{self.id}"
        )


def _tenants(backend: CloudFrontBackend) -> dict[str, DistributionTenant]:
    tenants: dict[str, DistributionTenant] = vars(backend).setdefault("_local_tenants", {})
    return tenants


def _tenant(backend: CloudFrontBackend, identifier: str) -> DistributionTenant:
    """By ID, ARN or name, as GetDistributionTenant takes it."""
    for tenant in _tenants(backend).values():
        if identifier in (tenant.id, tenant.arn, tenant.name):
            return tenant
    raise EntityNotFound()


def _backend_create_distribution_tenant(
    self: CloudFrontBackend, distribution_id: str, name: str, domains: Sequence[str]
) -> DistributionTenant:
    if distribution_id not in self.distributions:
        raise EntityNotFound("distribution")
    taken = {d["Domain"] for t in _tenants(self).values() for d in t.domains}
    if any(domain.lower() in taken for domain in domains):
        raise CloudFrontException("CNAMEAlreadyExists", "One or more of the domains is already in use.")
    tenant = DistributionTenant(self.distributions[distribution_id], name, domains, self.account_id)
    _tenants(self)[tenant.id] = tenant
    return tenant


def _backend_tenant_by_domain(self: CloudFrontBackend, domain: str) -> DistributionTenant:
    wanted = domain.lower().rstrip(".")
    for tenant in _tenants(self).values():
        if any(d["Domain"] == wanted for d in tenant.domains):
            return tenant
    raise EntityNotFound()


def _backend_create_tenant_invalidation(
    self: CloudFrontBackend, tenant_id: str, paths: list[str], caller_ref: str, enforce_limits: bool = True
) -> Invalidation:
    """The rules of a distribution's (create_checked), on the tenant's invalidations (its own limits)."""
    tenant = _tenant(self, tenant_id)

    def make() -> Invalidation:
        invalidation = TenantInvalidation(tenant, paths, caller_ref)
        tenant.invalidations.append(invalidation)
        return invalidation

    return create_checked(tenant.invalidations, tenant.distribution, paths, caller_ref, make, enforce_limits)


def _backend_get_tenant_invalidation(self: CloudFrontBackend, tenant_id: str, invalidation_id: str) -> Invalidation:
    for invalidation in _tenant(self, tenant_id).invalidations:
        if invalidation.id == invalidation_id:
            return invalidation
    raise NoSuchInvalidation


def _response_get_distribution_tenant(self: CloudFrontResponse) -> ActionResult:
    tenant = _tenant(self.backend, self._get_param("Identifier"))
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_get_distribution_tenant_by_domain(self: CloudFrontResponse) -> ActionResult:
    tenant = _backend_tenant_by_domain(self.backend, self._get_param("Domain"))
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_create_distribution_tenant(self: CloudFrontResponse) -> ActionResult:
    domains = [d["Domain"] for d in self._get_param("Domains", [])]
    tenant = _backend_create_distribution_tenant(
        self.backend, self._get_param("DistributionId"), self._get_param("Name"), domains
    )
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_create_tenant_invalidation(self: CloudFrontResponse) -> ActionResult:
    invalidation = _backend_create_tenant_invalidation(
        self.backend,
        self._get_param("Id"),
        self._get_param("InvalidationBatch.Paths.Items", []),
        self._get_param("InvalidationBatch.CallerReference"),
        enforce_limits=not is_setup_request(self),
    )
    return ActionResult({"Invalidation": invalidation, "Location": invalidation.location})


def _response_get_tenant_invalidation(self: CloudFrontResponse) -> ActionResult:
    invalidation = _backend_get_tenant_invalidation(
        self.backend, self._get_param("DistributionTenantId"), self._get_param("Id")
    )
    return ActionResult({"Invalidation": invalidation})


def _response_list_tenant_invalidations(self: CloudFrontResponse) -> ActionResult:
    newest_first = list(reversed(_tenant(self.backend, self._get_param("Id")).invalidations))
    return ActionResult({"InvalidationList": page_from_request(self, newest_first).as_list()})


def _response_list_distribution_tenants(self: CloudFrontResponse) -> ActionResult:
    """In creation order, paged (MaxItems, default 100; Marker: a tenant's ID), filtered by the
    AssociationFilter's DistributionId (EntityNotFound if there is no such distribution: this
    endpoint's choice) and ConnectionGroupId."""
    distribution_id = self._get_param("AssociationFilter.DistributionId")
    group_id = self._get_param("AssociationFilter.ConnectionGroupId")
    if distribution_id and distribution_id not in self.backend.distributions:
        raise EntityNotFound("distribution")
    tenants = [
        tenant
        for tenant in _tenants(self.backend).values()
        if (not distribution_id or tenant.distribution_id == distribution_id)
        and (not group_id or tenant.connection_group_id == group_id)
    ]
    page = page_from_request(self, tenants)
    return ActionResult({"DistributionTenantList": page.items, "NextMarker": page.next_marker})


_TENANT_ROUTES = {
    "{0}/2020-05-31/distribution-tenant$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenants$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)/invalidation$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)/invalidation/(?P<invalidation_id>[^/]+)$": (
        CloudFrontResponse.dispatch
    ),
}


def find_invalidation(invalidation_id: str) -> Invalidation:
    """A distribution's or a distribution tenant's."""
    for backend in backends():
        for invalidations in [*backend.invalidations.values(), *(t.invalidations for t in _tenants(backend).values())]:
            for invalidation in invalidations:
                if invalidation.id == invalidation_id:
                    return invalidation
    raise UnknownInvalidation(invalidation_id)


def patch_tenants() -> None:
    """Their routes (before moto's app is made) and their operations, in moto's CloudFront."""
    cloudfront_urls.url_paths.update(_TENANT_ROUTES)
    operations = {
        "get_distribution_tenant": _response_get_distribution_tenant,
        "get_distribution_tenant_by_domain": _response_get_distribution_tenant_by_domain,
        "create_distribution_tenant": _response_create_distribution_tenant,
        "create_invalidation_for_distribution_tenant": _response_create_tenant_invalidation,
        "get_invalidation_for_distribution_tenant": _response_get_tenant_invalidation,
        "list_invalidations_for_distribution_tenant": _response_list_tenant_invalidations,
        "list_distribution_tenants": _response_list_distribution_tenants,
    }
    for name, operation in operations.items():
        setattr(CloudFrontResponse, name, operation)
