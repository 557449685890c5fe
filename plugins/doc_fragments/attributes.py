# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the attributes the collection's modules share."""

from __future__ import annotations


class ModuleDocFragment:
    # The modules of the action group of meta/runtime.yml (antsibull-nox's extra-checks hold the two equal)
    ACTIONGROUP_AWS = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/edgeops.cloudfront.aws) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - edgeops.cloudfront.aws
"""
